/**
 * Synthesizes the real app (lib/app.ts) into a temporary cloud assembly, once per configuration
 * per test file, and gives the tests what `cdk synth` would write: templates, messages, files.
 * The configuration is .env.example's defaults plus the given overrides; the developer's own
 * .env and shell variables are ignored so results do not depend on the machine.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';

import { buildApp, BuiltApp } from '../../lib/app';
import { loadConfig } from '../../lib/config';
import { resolveDistDir } from '../../lib/route-table';

export interface SynthesizedApp {
  readonly built: BuiltApp;
  readonly assembly: cxapi.CloudAssembly;
  readonly outdir: string;
  /** Every stack, including those of the pipeline's nested stages. */
  readonly stacks: cxapi.CloudFormationStackArtifact[];
  template(stackName: string): Template;
  templateJson(stackName: string): any;
  /** Paths of every synthesized template file (top-level and nested assemblies). */
  templateFiles(): string[];
  dispose(): void;
}

export interface SynthOptions {
  readonly overrides?: Record<string, string>;
  /** Default: the real dist directory ($CPPSTACK_DIST_DIR or <repo>/dist). */
  readonly distDir?: string;
}

const cache = new Map<string, SynthesizedApp>();

export function synthesize(options: SynthOptions = {}): SynthesizedApp {
  const key = JSON.stringify(options);
  const cached = cache.get(key);
  if (cached) return cached;

  const config = loadConfig({ envFile: path.join(os.tmpdir(), 'no-such-dir', '.env'), environment: {}, overrides: options.overrides });
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-cdk-'));
  const built = buildApp({ config, distDir: options.distDir ?? resolveDistDir(), outdir });
  const assembly = built.app.synth();
  const stacks = assembly.stacksRecursively;
  const byName = (stackName: string): cxapi.CloudFormationStackArtifact => {
    const stack = stacks.find((candidate) => candidate.stackName === stackName);
    if (!stack) throw new Error(`no stack ${stackName}; stacks: ${stacks.map((s) => s.stackName).join(', ')}`);
    return stack;
  };
  const synthesized: SynthesizedApp = {
    built,
    assembly,
    outdir,
    stacks,
    template: (stackName) => Template.fromJSON(byName(stackName).template),
    templateJson: (stackName) => byName(stackName).template,
    templateFiles: () => stacks.map((stack) => path.join(stack.assembly.directory, stack.templateFile)),
    dispose: () => {
      fs.rmSync(outdir, { recursive: true, force: true });
      cache.delete(key);
    },
  };
  cache.set(key, synthesized);
  return synthesized;
}

/** A copy of the real dist directory whose routes.json has the given routes appended. */
export function distWithExtraRoutes(extraRoutes: object[]): string {
  const source = resolveDistDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-dist-'));
  for (const file of fs.readdirSync(source)) {
    if (fs.statSync(path.join(source, file)).isFile()) fs.copyFileSync(path.join(source, file), path.join(dir, file));
  }
  const table = JSON.parse(fs.readFileSync(path.join(dir, 'routes.json'), 'utf8'));
  table.routes.push(...extraRoutes);
  fs.writeFileSync(path.join(dir, 'routes.json'), JSON.stringify(table, null, 2));
  return dir;
}
