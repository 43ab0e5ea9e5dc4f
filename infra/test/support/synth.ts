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
import { FunctionArchitecture, loadConfig } from '../../lib/config';
import { inspectFunctionPackage } from '../../lib/function-package';
import { OPENAPI_FILE } from '../../lib/request-validation';
import { FUNCTION_ZIP_FILE, functionZipPath, resolveDistDir, ROUTES_FILE } from '../../lib/route-table';
import { functionZipFor } from './function-zip';

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

export interface DistCopyOptions {
  /** Routes appended to routes.json. */
  readonly extraRoutes?: object[];
  /** Replaces function.zip. */
  readonly functionZip?: Buffer;
  /** Operations merged into openapi.json's paths (path, then method key). */
  readonly openApiPaths?: Record<string, Record<string, object>>;
  /** Set as routes.json's `tables` and `buckets` (the declared data resources). */
  readonly tables?: object[];
  readonly buckets?: object[];
}

/** A temporary copy of the real dist directory, edited only as the options say. */
export function copyOfDist(options: DistCopyOptions = {}): string {
  const source = resolveDistDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-dist-'));
  for (const file of fs.readdirSync(source)) {
    if (fs.statSync(path.join(source, file)).isFile()) fs.copyFileSync(path.join(source, file), path.join(dir, file));
  }
  if (options.extraRoutes) {
    const table = JSON.parse(fs.readFileSync(path.join(dir, ROUTES_FILE), 'utf8'));
    table.routes.push(...options.extraRoutes);
    fs.writeFileSync(path.join(dir, ROUTES_FILE), JSON.stringify(table, null, 2));
  }
  if (options.tables || options.buckets) {
    const table = JSON.parse(fs.readFileSync(path.join(dir, ROUTES_FILE), 'utf8'));
    if (options.tables) table.tables = options.tables;
    if (options.buckets) table.buckets = options.buckets;
    fs.writeFileSync(path.join(dir, ROUTES_FILE), JSON.stringify(table, null, 2));
  }
  if (options.functionZip) fs.writeFileSync(path.join(dir, FUNCTION_ZIP_FILE), options.functionZip);
  if (options.openApiPaths) {
    const file = path.join(dir, OPENAPI_FILE);
    const document = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const [routePath, operations] of Object.entries(options.openApiPaths)) document.paths[routePath] = { ...document.paths[routePath], ...operations };
    fs.writeFileSync(file, JSON.stringify(document, null, 2));
  }
  return dir;
}

export interface DistForArchitecture {
  readonly dir: string;
  dispose(): void;
}

/**
 * The real dist directory when its bootstrap runs on the architecture; otherwise (a build on the
 * other CPU, such as the pipeline's ARM build) a copy whose function.zip is a test package for it.
 */
export function distFor(architecture: FunctionArchitecture): DistForArchitecture {
  const real = resolveDistDir();
  if (inspectFunctionPackage(functionZipPath(real)).architecture === architecture) {
    return { dir: real, dispose: () => undefined };
  }
  const dir = copyOfDist({ functionZip: functionZipFor(architecture) });
  return { dir, dispose: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
