/**
 * Every documented configuration, deployed as a whole: each named configuration of
 * support/matrix.ts is synthesized once (cdk-nag runs in the synthesis and fails it on a finding),
 * linted by cfn-lint in every region it deploys to, and checked across resources the way AWS
 * would evaluate them at deploy and run time (support/deployment-checks.ts). Together the
 * configurations set every variable of .env.example.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import * as cxapi from 'aws-cdk-lib/cx-api';

import { pipelineApiStacks } from '../lib/app';
import { REPOSITORY_ROOT } from '../lib/config';
import { BUILD_CACHE_PATHS } from '../lib/pipeline-stack';
import { FUNCTION_ZIP_FILE, loadRouteTable, Route, ROUTES_FILE } from '../lib/route-table';
import { CfnLintMatch, describeCfnLintMatch, PROJECT_CFN_LINT_RULES, runCfnLint, unacknowledgedFindings } from './support/checks';
import {
  approvalProblems,
  canaryBlindSpots,
  deployedStacks,
  DeployedStack,
  deployRoleStepProblems,
  duplicateNames,
  hookProblems,
  isApiStack,
  pipelineSmokeTestProblems,
  pipelineStages,
  retainedFixedNames,
  sharedMetricNamespaces,
  alarmsOnMissingSeries,
} from './support/deployment-checks';
import { MATRIX, MatrixConfiguration } from './support/matrix';
import { copyOfDist, distFor, SynthesizedApp, synthesize } from './support/synth';

interface Synthesized {
  readonly app: SynthesizedApp;
  readonly stacks: DeployedStack[];
  readonly routes: readonly Route[];
  readonly regions: string[];
  dispose(): void;
}

/** Each configuration synthesized once per run of this file, shared by its tests. */
const synthesized = new Map<string, Synthesized>();

function synthesizeConfiguration(configuration: MatrixConfiguration): Synthesized {
  const dist = distFor(configuration.architecture);
  const needsCopy = configuration.extraRoutes !== undefined || configuration.openApiPaths !== undefined;
  const distDir = needsCopy
    ? copyOfDist({ extraRoutes: configuration.extraRoutes, openApiPaths: configuration.openApiPaths, functionZip: fs.readFileSync(path.join(dist.dir, FUNCTION_ZIP_FILE)) })
    : dist.dir;
  const app = synthesize({ distDir, overrides: { ...configuration.overrides } });
  const stacks = deployedStacks(app.stacks);
  const regions = [...new Set(stacks.map((stack) => stack.region).filter((region) => region !== 'unknown-region'))];
  return {
    app,
    stacks,
    routes: loadRouteTable(path.join(distDir, ROUTES_FILE)).routes,
    regions: regions.length > 0 ? regions : ['us-east-1'],
    dispose: () => {
      app.dispose();
      dist.dispose();
      if (needsCopy) fs.rmSync(distDir, { recursive: true, force: true });
    },
  };
}

function get(name: string): Synthesized {
  const found = synthesized.get(name);
  if (!found) throw new Error(`${name} did not synthesize (see the first test of its group)`);
  return found;
}

const synthesisErrors = new Map<string, Error>();
/** cfn-lint once over every configuration's templates, in every region any of them deploys to. */
let lintMatches: CfnLintMatch[] = [];
before(() => {
  for (const configuration of MATRIX) {
    try {
      synthesized.set(configuration.name, synthesizeConfiguration(configuration));
    } catch (error) {
      synthesisErrors.set(configuration.name, error as Error);
    }
  }
  const files = [...synthesized.values()].flatMap((entry) => entry.app.templateFiles());
  const regions = [...new Set([...synthesized.values()].flatMap((entry) => entry.regions))];
  lintMatches = runCfnLint(files, 'cfn-lint', ['--regions', ...regions, '--append-rules', PROJECT_CFN_LINT_RULES]);
});
after(() => {
  for (const entry of synthesized.values()) entry.dispose();
});

describe('the configuration matrix', () => {
  it('sets every variable of .env.example in at least one configuration', () => {
    const documented = [...fs.readFileSync(path.join(REPOSITORY_ROOT, '.env.example'), 'utf8').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    const covered = new Set(MATRIX.flatMap((configuration) => Object.keys(configuration.overrides)));
    assert.deepEqual(documented.filter((key) => !covered.has(key)), []);
  });

  it('is the table of docs/operations.md', () => {
    const operations = fs.readFileSync(path.join(REPOSITORY_ROOT, 'docs', 'operations.md'), 'utf8');
    for (const configuration of MATRIX) assert.ok(operations.includes(`| \`${configuration.name}\` |`), `docs/operations.md lists ${configuration.name}`);
  });
});

for (const configuration of MATRIX) {
  describe(`configuration ${configuration.name}: ${configuration.summary}`, () => {
    it('synthesizes, and cdk-nag finds nothing unacknowledged', () => {
      const error = synthesisErrors.get(configuration.name);
      assert.equal(error, undefined, error?.message);
      assert.deepEqual(unacknowledgedFindings(get(configuration.name).app.built.app), []);
    });

    it('cfn-lint finds no error in any template, in every region used', () => {
      const files = new Set(get(configuration.name).app.templateFiles());
      const errors = lintMatches.filter((match) => match.Level === 'Error' && files.has(match.Filename));
      assert.deepEqual(errors.map(describeCfnLintMatch), []);
    });

    it('claims no name twice where AWS needs it unique (stacks, dashboards, roles, log groups, ...)', () => {
      assert.deepEqual(duplicateNames(get(configuration.name).stacks), []);
    });

    it('can create each API stack again after a failed creation is deleted: nothing retained under a fixed name', () => {
      assert.deepEqual(get(configuration.name).stacks.filter(isApiStack).flatMap(retainedFixedNames), []);
    });

    it('alarms only on series the function or the services write, and each stage writes its own', () => {
      const { stacks, routes } = get(configuration.name);
      const apiStacks = stacks.filter(isApiStack);
      assert.ok(apiStacks.length >= 2);
      assert.deepEqual(apiStacks.flatMap((stack) => alarmsOnMissingSeries(stack, routes)), []);
      assert.deepEqual(sharedMetricNamespaces(stacks), []);
    });

    it("lets the deployment's own callers through: the post-traffic hook and the pipeline's smoke test", () => {
      const { stacks } = get(configuration.name);
      const apiStacks = stacks.filter(isApiStack);
      assert.deepEqual(apiStacks.flatMap(hookProblems), []);
      const pipelineStack = stacks.find((stack) => stack.stackName.endsWith('-CodePipelineStack'))!;
      const deployedByPipeline = pipelineApiStacks(get(configuration.name).app.built.pipelineStack).map((stack) => stack.stackName);
      assert.deepEqual(pipelineSmokeTestProblems(pipelineStack, apiStacks.filter((stack) => deployedByPipeline.includes(stack.stackName))), []);
    });

    it('grants each pipeline role what it calls: deploy roles of the targets, the approval topic and its key', () => {
      const pipelineStack = get(configuration.name).stacks.find((stack) => stack.stackName.endsWith('-CodePipelineStack'))!;
      assert.deepEqual([...deployRoleStepProblems(pipelineStack), ...approvalProblems(pipelineStack)], []);
    });

    it('rolls back on what a user calls failure: 5XX answers of the API and of every route', () => {
      const { stacks, routes } = get(configuration.name);
      assert.deepEqual(stacks.filter(isApiStack).flatMap((stack) => canaryBlindSpots(stack, routes)), []);
    });

    it('clears a stack a failed creation left before each deployment, and protects production after it', () => {
      const { stacks } = get(configuration.name);
      const pipelineStack = stacks.find((stack) => stack.stackName.endsWith('-CodePipelineStack'))!;
      const deployStages = pipelineStages(pipelineStack).filter((stage) => stage.actions.some((action) => action.category === 'Deploy' && action.name.endsWith('.Deploy')));
      assert.ok(deployStages.length >= 1);
      for (const stage of deployStages) {
        for (const prepare of stage.actions.filter((action) => action.name.endsWith('.Prepare'))) {
          // In a wave, each region's actions are prefixed with its stage: `app-eu-west-1.`.
          const prefix = prepare.name.split('.').length > 2 ? `${prepare.name.split('.')[0]}.` : '';
          const deploy = stage.actions.find((action) => action.name === prepare.name.replace(/\.Prepare$/, '.Deploy'))!;
          const recover = stage.actions.filter((action) => action.name.startsWith(`${prefix}Recover`) && action.runOrder < prepare.runOrder);
          assert.equal(recover.length, 1, `${stage.name}: a Recover step before ${prepare.name}`);
          const production = !/Staging/.test(stage.name);
          const protect = stage.actions.filter((action) => action.name.startsWith(`${prefix}Protect`) && action.runOrder > deploy.runOrder);
          assert.equal(protect.length, production ? 1 : 0, `${stage.name}: termination protection after ${deploy.name} ${production ? '' : 'only in production'}`);
        }
      }
    });
  });
}

/** The services each AWS managed policy of docs/operations.md's narrowed list grants (by its name). */
const MANAGED_POLICY_SERVICES: Readonly<Record<string, readonly string[]>> = {
  AmazonAPIGatewayAdministrator: ['apigateway'],
  AWSLambda_FullAccess: ['lambda'],
  IAMFullAccess: ['iam'],
  CloudWatchLogsFullAccess: ['logs'],
  AmazonSQSFullAccess: ['sqs'],
  AmazonSNSFullAccess: ['sns'],
  AWSKeyManagementServicePowerUser: ['kms'],
  CloudWatchFullAccessV2: ['cloudwatch'],
  AmazonCognitoPowerUser: ['cognito-idp'],
  AWSWAFFullAccess: ['wafv2'],
  AWSCodeDeployFullAccess: ['codedeploy'],
};

/** The IAM service prefix of a CloudFormation resource type's service. */
const SERVICE_PREFIX: Readonly<Record<string, string>> = {
  ApiGateway: 'apigateway',
  Lambda: 'lambda',
  IAM: 'iam',
  Logs: 'logs',
  SQS: 'sqs',
  SNS: 'sns',
  KMS: 'kms',
  CloudWatch: 'cloudwatch',
  Cognito: 'cognito-idp',
  WAFv2: 'wafv2',
  CodeDeploy: 'codedeploy',
};

describe('what the API stacks need of CloudFormation in a target account', () => {
  it("docs/operations.md's narrowed execution policies cover every service of every API stack, CodeDeploy included", () => {
    const operations = fs.readFileSync(path.join(REPOSITORY_ROOT, 'docs', 'operations.md'), 'utf8');
    const block = /<!-- narrowed execution policies -->\s*```sh\n([^`]*)```/.exec(operations);
    assert.ok(block, 'docs/operations.md has the narrowed list');
    const granted = new Set([...block[1].matchAll(/arn:aws:iam::aws:policy\/([A-Za-z0-9_]+)/g)].flatMap((match) => MANAGED_POLICY_SERVICES[match[1]] ?? []));
    const needed = new Set<string>();
    for (const entry of synthesized.values()) {
      for (const stack of entry.stacks.filter(isApiStack)) {
        for (const resource of Object.values(stack.template.Resources)) {
          const [, service] = resource.Type.split('::');
          if (resource.Type === 'AWS::CDK::Metadata') continue;
          needed.add(SERVICE_PREFIX[service] ?? `unknown service ${service}`);
        }
        // Every stack update shifts the alias with CodeDeploy (the alias's UpdatePolicy).
        if (Object.values(stack.template.Resources).some((resource: any) => resource.UpdatePolicy?.CodeDeployLambdaAliasUpdate)) needed.add('codedeploy');
      }
    }
    assert.ok(needed.has('codedeploy'));
    assert.deepEqual([...needed].filter((service) => !granted.has(service)), []);
  });
});

describe("the pipeline's own template", () => {
  it('names no asset hash, so a new function package does not make the pipeline mutate and build again', () => {
    for (const [name, entry] of synthesized) {
      const pipelineStack = entry.app.stacks.find((stack) => stack.stackName.endsWith('-CodePipelineStack'))!;
      const template = JSON.stringify(pipelineStack.template);
      const hashes = entry.app.stacks.flatMap((stack) =>
        stack.dependencies
          .filter((dependency): dependency is cxapi.AssetManifestArtifact => dependency instanceof cxapi.AssetManifestArtifact)
          .flatMap((manifest) => Object.keys(JSON.parse(fs.readFileSync(manifest.file, 'utf8')).files ?? {})),
      );
      assert.ok(hashes.length > 0, `${name}: assets found`);
      assert.deepEqual(hashes.filter((hash) => template.includes(hash)), [], name);
    }
  });

  it('caches npm, pip and the compiler output of the Build step, with ccache installed by the build itself', () => {
    const pipelineStack = get('default').stacks.find((stack) => stack.stackName.endsWith('-CodePipelineStack'))!;
    const synth = Object.values<any>(pipelineStack.template.Resources).find(
      (resource) => resource.Type === 'AWS::CodeBuild::Project' && String(resource.Properties.Source.BuildSpec).includes('install-deps'),
    );
    assert.equal(synth.Properties.Cache.Type, 'S3');
    assert.deepEqual(JSON.parse(synth.Properties.Source.BuildSpec).cache.paths, BUILD_CACHE_PATHS);
    const environment = Object.fromEntries(synth.Properties.Environment.EnvironmentVariables.map((variable: any) => [variable.Name, variable.Value]));
    assert.equal(environment.CMAKE_CXX_COMPILER_LAUNCHER, 'ccache');
    assert.ok(BUILD_CACHE_PATHS.some((cachePath) => cachePath.startsWith(`${environment.CCACHE_DIR}/`)), 'the ccache directory is cached');
    const installDeps = fs.readFileSync(path.join(REPOSITORY_ROOT, 'scripts', 'install-deps.sh'), 'utf8');
    assert.match(/packages=\(([^)]*)\)/.exec(installDeps)![1], /\bccache\b/);
  });
});

describe('synth warnings', () => {
  const warnings = (name: string) =>
    get(name)
      .app.stacks.flatMap((stack) => stack.messages)
      .filter((message) => message.level === cxapi.SynthesisMessageLevel.WARNING)
      .map((message) => String(message.entry.data));

  it('warns that nobody is notified when ALARM_EMAIL is empty, and not when it is set', () => {
    assert.ok(warnings('default').some((text) => /ALARM_EMAIL is empty/.test(text)), warnings('default').join('\n'));
    assert.ok(!warnings('pipeline-eu-west-1').some((text) => /ALARM_EMAIL is empty/.test(text)));
  });

  it('warns when the reserved concurrency of one account and region would leave fewer than 100 executions unreserved', () => {
    assert.ok(warnings('allowlist-waf').some((text) => /reserves 1050 executions/.test(text)), warnings('allowlist-waf').join('\n'));
    assert.ok(!warnings('arm64').some((text) => /FUNCTION_RESERVED_CONCURRENCY/.test(text)));
  });
});
