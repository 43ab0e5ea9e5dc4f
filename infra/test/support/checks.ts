/**
 * Collectors for the two static checks the app must pass: cdk-nag findings left in the
 * synthesized assembly, and cfn-lint's verdict on the templates.
 */
import { spawnSync } from 'node:child_process';

import * as cxapi from 'aws-cdk-lib/cx-api';

export interface Finding {
  readonly level: string;
  readonly where: string;
  readonly message: string;
}

/**
 * Every error annotation, and every AwsSolutions warning, of every stack of the assembly,
 * nested stages included. Acknowledged (suppressed) findings do not appear here.
 */
export function unacknowledgedFindings(stacks: readonly cxapi.CloudFormationStackArtifact[]): Finding[] {
  const findings: Finding[] = [];
  for (const stack of stacks) {
    for (const message of stack.messages) {
      const text = String(message.entry.data);
      const isError = message.level === cxapi.SynthesisMessageLevel.ERROR;
      const isNagWarning = message.level === cxapi.SynthesisMessageLevel.WARNING && text.includes('AwsSolutions-');
      if (isError || isNagWarning) findings.push({ level: message.level, where: message.id, message: text.split('\n')[0] });
    }
  }
  return findings;
}

export interface CfnLintMatch {
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Filename: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Start: { readonly LineNumber: number } };
}

/** Runs `cfn-lint` on the files; throws (never skips) when cfn-lint is not installed. */
export function runCfnLint(files: readonly string[], command = 'cfn-lint'): CfnLintMatch[] {
  const result = spawnSync(command, ['--format', 'json', '--', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
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
