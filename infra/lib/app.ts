/**
 * Builds the whole CDK app from a configuration and a dist directory: the pipeline stack
 * (which deploys the API stages) and a standalone `${APPLICATION}-Dev-Api` stack for direct
 * deployment and inspection, with cdk-nag's AwsSolutions checks on everything.
 *
 * @example
 *   const { app } = buildApp({ config: loadConfig(), distDir: resolveDistDir() });
 *   app.synth();
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { Annotations, App, Stack } from 'aws-cdk-lib';

import { ApiStack } from './api-stack';
import { apiStackName } from './api-stage';
import { AppConfig, LAMBDA_DEFAULT_CONCURRENCY_QUOTA, LAMBDA_UNRESERVED_MINIMUM, stackEnvironment } from './config';
import { checkFunctionPackage } from './function-package';
import { enableNagChecks, suppressApiStackFindings, suppressBuildCacheFindings, suppressPipelineStackFindings } from './nag-suppressions';
import { PipelineStack } from './pipeline-stack';
import { checkRegionsAgainstRoutes } from './regions';
import { functionZipPath, loadRouteTable, ROUTES_FILE } from './route-table';
import { addCostAllocationTags } from './tags';

export interface BuildAppOptions {
  readonly config: AppConfig;
  readonly distDir: string;
  /** Where to write the cloud assembly; default: the CLI's choice (cdk.out). */
  readonly outdir?: string;
}

export interface BuiltApp {
  readonly app: App;
  readonly pipelineStack: PipelineStack;
  readonly devStack: ApiStack;
}

export function pipelineStackName(application: string): string {
  return `${application}-CodePipelineStack`;
}

export function buildApp(options: BuildAppOptions): BuiltApp {
  const { config } = options;
  const routeTable = loadRouteTable(path.join(options.distDir, ROUTES_FILE));
  checkRegionsAgainstRoutes(config, routeTable);
  const functionZip = functionZipPath(options.distDir);
  // Lambda accepts a binary for the wrong CPU and only fails on the first invocation.
  checkFunctionPackage(functionZip, config.functionArchitecture);
  // cdk.json's context (feature flags) also when the app is built outside the CLI, as in tests.
  const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8'));
  const app = new App({ outdir: options.outdir, analyticsReporting: false, context: cdkJson.context });
  const env = stackEnvironment(config);

  const pipelineStack = new PipelineStack(app, pipelineStackName(config.application), {
    env,
    description: `${config.application}: pipeline from GitHub ${config.github.owner}/${config.github.repo}@${config.github.branch}`,
    config,
    routeTable,
    functionZip,
  });
  const devStack = new ApiStack(app, apiStackName(config.application, 'dev'), {
    env,
    description: `${config.application} REST API, deployed directly (outside the pipeline)`,
    config,
    routeTable,
    functionZip,
    deploymentName: 'dev',
  });

  // Cost allocation: every taggable resource of every stack names its application and stage.
  addCostAllocationTags(pipelineStack, config.application, 'pipeline');
  addCostAllocationTags(devStack, config.application, 'dev');
  // CodePipeline's support stacks of other regions (a replication bucket and its key).
  for (const stack of app.node.children.filter((child): child is Stack => Stack.isStack(child) && child !== pipelineStack && child !== devStack)) {
    addCostAllocationTags(stack, config.application, 'pipeline');
  }

  // The pipeline's API stages enable the checks themselves (see ApiStage).
  enableNagChecks(app);
  suppressPipelineStackFindings(pipelineStack.pipeline);
  suppressBuildCacheFindings(pipelineStack.buildCache, pipelineStack.pipeline);
  suppressApiStackFindings(devStack.findingScopes());
  warnAboutDeploymentLimits(config, pipelineStack, [...pipelineApiStacks(pipelineStack), devStack]);
  return { app, pipelineStack, devStack };
}

/** The API stacks the pipeline deploys: staging and production in each region. */
export function pipelineApiStacks(pipelineStack: PipelineStack): ApiStack[] {
  return [...(pipelineStack.staging ? [pipelineStack.staging] : []), ...pipelineStack.productionStages].map((stage) => stage.apiStack);
}

/** `cdk synth` warnings for configurations that deploy but would not work as people expect. */
function warnAboutDeploymentLimits(config: AppConfig, pipelineStack: PipelineStack, apiStacks: readonly ApiStack[]): void {
  if (config.alarmEmail === undefined) {
    Annotations.of(pipelineStack).addWarningV2(
      'cppstack:no-notification-target',
      'ALARM_EMAIL is empty: alarms, failed pipeline runs and approval requests are published to SNS topics nobody is subscribed to. Set ALARM_EMAIL or subscribe to the topics (NotificationTopicArn, AlarmTopicArn outputs).',
    );
  }
  if (config.reservedConcurrency === undefined) return;
  const limit = LAMBDA_DEFAULT_CONCURRENCY_QUOTA - LAMBDA_UNRESERVED_MINIMUM;
  const byEnvironment = new Map<string, ApiStack[]>();
  for (const stack of apiStacks) {
    const key = `${stack.account}/${stack.region}`;
    byEnvironment.set(key, [...(byEnvironment.get(key) ?? []), stack]);
  }
  for (const stacks of byEnvironment.values()) {
    const total = config.reservedConcurrency * stacks.length;
    if (total <= limit) continue;
    // On the pipeline stack: the stages were synthesized when the pipeline added them.
    Annotations.of(pipelineStack).addWarningV2(
      'cppstack:reserved-concurrency',
      `FUNCTION_RESERVED_CONCURRENCY=${config.reservedConcurrency} reserves ${total} executions for ${stacks.map((stack) => stack.stackName).join(', ')} in one account and region; ` +
        `Lambda keeps ${LAMBDA_UNRESERVED_MINIMUM} unreserved, so with the default quota of ${LAMBDA_DEFAULT_CONCURRENCY_QUOTA} at most ${limit} can be reserved there: the deployment fails unless the account's quota was raised.`,
    );
  }
}
