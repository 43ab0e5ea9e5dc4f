/**
 * The part of `make rehearse` that needs no root: scripts/rehearse/buildspec.mjs reads the Synth
 * step out of the synthesized pipeline template (not a copy), resolves the source action's
 * variables, and writes a script that runs the commands in one shell, in order, stopping at
 * the first failing one. (`make rehearse` in CI runs that script in a fresh Debian root.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { REPOSITORY_ROOT } from '../lib/config';
import { SYNTH_COMMANDS, SYNTH_INSTALL_COMMANDS } from '../lib/pipeline-stack';
import { distFor, synthesize } from './support/synth';

const EXTRACT = path.join(REPOSITORY_ROOT, 'scripts', 'rehearse', 'buildspec.mjs');
const dist = distFor('x86_64');
const app = synthesize({ distDir: dist.dir });
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-rehearsal-'));
after(() => {
  app.dispose();
  dist.dispose();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const SOURCE_VARIABLES = JSON.stringify({ CommitId: 'a'.repeat(40), AuthorDate: '2026-01-02T03:04:05Z' });

function extract(outdir: string, mode?: string, variables = SOURCE_VARIABLES) {
  return spawnSync('node', [EXTRACT, outdir, ...(mode ? [mode] : [])], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, REHEARSE_SOURCE_VARIABLES: variables },
  });
}

/** A cloud assembly holding only a copy of the pipeline template, its Synth commands replaced. */
function assemblyWithCommands(install: string[], build: string[]): string {
  const template = structuredClone(app.templateJson('aws-cpp-stack-CodePipelineStack'));
  const project = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::CodeBuild::Project' && String(r.Properties.Source.BuildSpec).includes('install-deps'));
  const spec = JSON.parse(project.Properties.Source.BuildSpec);
  spec.phases.install.commands = install;
  spec.phases.build.commands = build;
  project.Properties.Source.BuildSpec = JSON.stringify(spec);
  const dir = fs.mkdtempSync(path.join(scratch, 'assembly-'));
  fs.writeFileSync(path.join(dir, 'pipeline.template.json'), JSON.stringify(template));
  return dir;
}

describe('buildspec.mjs', () => {
  it('reads the Synth step of the synthesized pipeline: image, phases and environment', () => {
    const result = extract(app.outdir);
    assert.equal(result.status, 0, result.stderr);
    const spec = JSON.parse(result.stdout);
    assert.equal(spec.image, 'public.ecr.aws/docker/library/debian:bookworm');
    assert.deepEqual(
      spec.phases.map((phase: any) => [phase.name, phase.commands]),
      [
        ['install', SYNTH_INSTALL_COMMANDS],
        ['build', SYNTH_COMMANDS],
      ],
    );
    assert.equal(spec.env.APPLICATION, 'aws-cpp-stack');
    assert.equal(spec.env.SOURCE_AUTHOR_DATE, '2026-01-02T03:04:05Z', 'the source action variable, resolved');
    assert.equal(spec.artifacts['base-directory'], 'infra/cdk.out');
  });

  it('refuses a pipeline variable it cannot resolve instead of passing #{...} on', () => {
    const result = extract(app.outdir, undefined, '{}');
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /SOURCE_AUTHOR_DATE refers to the pipeline variable #\{[^}]+\.AuthorDate\}/);
  });

  it('writes a script that keeps one shell across commands and stops at the first failure, naming it', () => {
    const outdir = assemblyWithCommands(['cd sub', 'export GREETING="hello world"'], ['echo "$GREETING from $(basename "$PWD")"', 'false', 'echo not reached']);
    const script = extract(outdir, '--script');
    assert.equal(script.status, 0, script.stderr);
    const source = fs.mkdtempSync(path.join(scratch, 'src-'));
    fs.mkdirSync(path.join(source, 'sub'));
    const run = spawnSync('sh', ['-c', script.stdout], { encoding: 'utf8', env: { PATH: process.env.PATH, CODEBUILD_SRC_DIR: source } });
    assert.equal(run.status, 1);
    assert.match(run.stdout, /hello world from sub/, 'cd and export of one command apply to the next, as in buildspec 0.2');
    assert.match(run.stderr, /FAILED: phase BUILD, exit status 1, command: false/);
    assert.doesNotMatch(run.stdout, /not reached/);
  });

  it('writes the environment as NUL-separated NAME=value records', () => {
    const result = extract(app.outdir, '--env');
    assert.equal(result.status, 0, result.stderr);
    const records = result.stdout.split('\0').filter(Boolean);
    assert.ok(records.includes('CDK_DISABLE_CLI_TELEMETRY=true'));
    assert.ok(records.includes('SOURCE_AUTHOR_DATE=2026-01-02T03:04:05Z'));
  });
});

describe('the build environments CI rehearses', () => {
  it('make rehearse runs the Build step with the region set as CodeBuild sets it, outside us-east-1', () => {
    const script = fs.readFileSync(path.join(REPOSITORY_ROOT, 'scripts', 'rehearse.sh'), 'utf8');
    const defaultRegion = /rehearse_region="\$\{REHEARSE_REGION:-([a-z0-9-]+)\}"/.exec(script);
    assert.ok(defaultRegion, 'REHEARSE_REGION has a default');
    assert.notEqual(defaultRegion[1], 'us-east-1');
    const buildEnvironment = /build_env=\(([^)]*)\)/.exec(script)![1];
    assert.match(buildEnvironment, /^\s*AWS_REGION="\$rehearse_region"$/m);
    assert.match(buildEnvironment, /^\s*AWS_DEFAULT_REGION="\$rehearse_region"$/m);
  });

  it('make test-arm64 installs the npm packages its synth needs', () => {
    const makefile = fs.readFileSync(path.join(REPOSITORY_ROOT, 'Makefile'), 'utf8');
    const prerequisites = /^test-arm64:(.*)$/m.exec(makefile)![1].trim().split(/\s+/);
    assert.ok(prerequisites.includes('infra/node_modules/.package-lock.json'), prerequisites.join(' '));
    assert.match(makefile, /^infra\/node_modules\/\.package-lock\.json: infra\/package-lock\.json\n\tcd infra && npm ci/m);
  });
});
