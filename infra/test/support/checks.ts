/**
 * Collectors for the two static checks the app must pass: cdk-nag findings left in the
 * synthesized assembly, and cfn-lint's verdict on the templates.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { App, Validations } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

export interface Finding {
  readonly level: string;
  readonly where: string;
  readonly message: string;
}

interface ValidationReport {
  readonly pluginReports: ReadonlyArray<{
    readonly pluginName: string;
    readonly violations: ReadonlyArray<{
      readonly ruleName: string;
      readonly severity: string;
      readonly violatingConstructs: ReadonlyArray<{ readonly constructPath: string }>;
    }>;
  }>;
}

/**
 * The validation report that `app.synth()` writes to the root of the cloud assembly when a
 * validation plugin ran (cdk-nag 3, CloudFormation's own); it lists only the plugins that
 * reported something. Throws when there is none.
 */
export function readValidationReport(assemblyDirectory: string): ValidationReport {
  const file = path.join(assemblyDirectory, cxapi.VALIDATION_REPORT_FILE);
  if (!fs.existsSync(file)) throw new Error(`no ${cxapi.VALIDATION_REPORT_FILE} in ${assemblyDirectory}: cdk-nag did not run`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ValidationReport;
}

/** Whether cdk-nag's AwsSolutions pack is registered on the app (the stage's plugin list is internal). */
function nagRegistered(app: App): boolean {
  const plugins = (app as unknown as { _validationPlugins?: unknown[] })._validationPlugins ?? [];
  return plugins.some((plugin) => plugin instanceof AwsSolutionsChecks);
}

/**
 * Every cdk-nag AwsSolutions violation (error or warning) left in the validation report of the
 * app's assembly, and every error annotation of every stack, nested stages included.
 * Acknowledged findings do not appear here. A clean report lists no plugin at all, so this
 * throws when the pack is not registered on the app: "no findings" never means "nothing looked".
 */
export function unacknowledgedFindings(app: App): Finding[] {
  if (!nagRegistered(app)) throw new Error(`cdk-nag's AwsSolutions checks are not registered on the app ${app.node.path || '(root)'}`);
  const assembly = app.synth();
  const findings: Finding[] = [];
  for (const report of readValidationReport(assembly.directory).pluginReports) {
    if (report.pluginName !== 'AwsSolutions') continue;
    for (const violation of report.violations) {
      for (const construct of violation.violatingConstructs) {
        findings.push({ level: violation.severity, where: construct.constructPath, message: violation.ruleName });
      }
    }
  }
  for (const stack of assembly.stacksRecursively) {
    for (const message of stack.messages) {
      if (message.level === cxapi.SynthesisMessageLevel.ERROR) {
        findings.push({ level: message.level, where: message.id, message: String(message.entry.data).split('\n')[0] });
      }
    }
  }
  return findings;
}

export interface RecordedAcknowledgement {
  /** The construct the acknowledgement was made on (it covers everything under it). */
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Every acknowledgement made with `Validations.of(scope).acknowledge` anywhere in the tree. */
export function recordedAcknowledgements(root: IConstruct): RecordedAcknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/**
 * The acknowledgements that silence nothing: cdk-nag's AwsSolutions pack is run once more over
 * the whole tree with acknowledgements ignored, and an acknowledgement is used when a finding
 * with exactly its id is reported on its construct or below it.
 */
export function unusedAcknowledgements(root: IConstruct): RecordedAcknowledgement[] {
  const pack = new AwsSolutionsChecks();
  // The pack's private acknowledgement lookup, replaced on this one instance. Should cdk-nag
  // rename it, every acknowledgement shows up as unused and the tests fail loudly.
  Object.defineProperty(pack, 'isAcknowledged', { value: () => false });
  const violations = pack.validateScope(root).violations;
  return recordedAcknowledgements(root).filter(
    (acknowledgement) =>
      !violations.some(
        (violation) =>
          violation.ruleName === acknowledgement.id &&
          violation.violatingResources.some(
            (resource) => resource.constructPath === acknowledgement.path || resource.constructPath?.startsWith(`${acknowledgement.path}/`),
          ),
      ),
  );
}

export interface CfnLintMatch {
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Filename: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Start: { readonly LineNumber: number } };
}

/** The project's own cfn-lint rules (cost allocation tags), for `--append-rules`. */
export const PROJECT_CFN_LINT_RULES = path.join(__dirname, 'cfn-lint-rules');

/** Runs `cfn-lint` on the files; throws (never skips) when cfn-lint is not installed. */
export function runCfnLint(files: readonly string[], command = 'cfn-lint', options: readonly string[] = []): CfnLintMatch[] {
  const result = spawnSync(command, ['--format', 'json', ...options, '--', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `${command} is not on PATH. Install it (for example: pip install cfn-lint, or pipx install cfn-lint) and run the tests again.`
        : `cfn-lint could not run: ${result.error.message}`,
    );
  }
  // Exit status is a bit set: 2 errors, 4 warnings, 8 informational; 1 means cfn-lint itself failed.
  if (result.status === null || (result.status & 1) !== 0) {
    throw new Error(`cfn-lint failed (status ${result.status}): ${result.stderr || result.stdout}`);
  }
  return result.stdout.trim() === '' ? [] : (JSON.parse(result.stdout) as CfnLintMatch[]);
}

export function describeCfnLintMatch(match: CfnLintMatch): string {
  return `${match.Level} ${match.Rule.Id} ${match.Filename}:${match.Location.Start.LineNumber} ${match.Message}`;
}
