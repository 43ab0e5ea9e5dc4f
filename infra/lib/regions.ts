/**
 * Where the pipeline deploys: production to each region of DEPLOY_REGIONS (a CDK Pipelines wave,
 * one ApiStage per region, each smoke-tested) or to the pipeline's own region, and staging to
 * STAGING_ACCOUNT_ID or the pipeline's account.
 *
 * @example
 *   const stages = addProductionStages(this, pipeline, { ...stageInputs, pre: approval, smokeTest });
 *   const staging = new ApiStage(this, id, { ...stageInputs, env: stagingEnvironment(config, env) });
 */
import { Environment } from 'aws-cdk-lib';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';

import type { ApiStack } from './api-stack';
import { ApiStage, ApiStageProps } from './api-stage';
import { AppConfig, ConfigError } from './config';
import { RouteTable } from './route-table';

export interface ProductionStagesProps extends Omit<ApiStageProps, 'deploymentName'> {
  /** Steps before production (the manual approval). */
  readonly pre: pipelines.Step[];
  /** The smoke test of one deployed stage; ids must be unique in the pipeline. */
  readonly smokeTest: (id: string, apiStack: ApiStack) => pipelines.Step;
  /** The step before a stage that clears a stack left by a failed creation. */
  readonly recover: (id: string, apiStack: ApiStack) => pipelines.Step;
  /** The step after a stage that turns on the stack's termination protection. */
  readonly protect: (id: string, apiStack: ApiStack) => pipelines.Step;
}

/**
 * Adds production to the pipeline. Without DEPLOY_REGIONS: one stage named after the application,
 * in the pipeline's environment. With it: the wave `${APPLICATION}-Production` whose stages
 * (`${APPLICATION}-eu-west-1`, ...) deploy in parallel; each stack keeps the name
 * `${APPLICATION}-Api` in its region. Returns the stages, the pipeline's own region first if listed.
 */
export function addProductionStages(scope: Construct, pipeline: pipelines.CodePipeline, props: ProductionStagesProps): ApiStage[] {
  const { config, pre, smokeTest, recover, protect, ...stageInputs } = props;
  if (config.deployRegions.length === 0) {
    const production = new ApiStage(scope, config.application, { ...stageInputs, config, deploymentName: 'prod' });
    // After the approval: nothing changes in production before someone approves.
    const recoverStep = recover('Recover', production.apiStack);
    for (const step of pre) recoverStep.addStepDependency(step);
    pipeline.addStage(production, {
      pre: [...pre, recoverStep],
      post: [smokeTest('SmokeTest', production.apiStack), protect('Protect', production.apiStack)],
    });
    return [production];
  }
  const wave = pipeline.addWave(`${config.application}-Production`, { pre });
  return orderedRegions(config).map((region) => {
    const stage = new ApiStage(scope, `${config.application}-${region}`, {
      ...stageInputs,
      config,
      env: { account: config.account, region },
      deploymentName: 'prod',
    });
    wave.addStage(stage, {
      pre: [recover(`Recover-${region}`, stage.apiStack)],
      post: [smokeTest(`SmokeTest-${region}`, stage.apiStack), protect(`Protect-${region}`, stage.apiStack)],
    });
    return stage;
  });
}

/** DEPLOY_REGIONS with the pipeline's region first when it is listed (it is `production` then). */
export function orderedRegions(config: AppConfig): string[] {
  const regions = [...config.deployRegions];
  return regions.includes(config.region ?? '') ? [config.region!, ...regions.filter((region) => region !== config.region)] : regions;
}

/** Staging's environment: STAGING_ACCOUNT_ID, or the pipeline's own. */
export function stagingEnvironment(config: AppConfig, pipelineEnvironment: Environment | undefined): Environment | undefined {
  return config.stagingAccount === undefined ? pipelineEnvironment : { account: config.stagingAccount, region: config.region };
}

/**
 * A pool created by the stack exists once per region, with its own users: several production
 * regions would each have a different set of users. They must share one pool instead.
 */
export function checkRegionsAgainstRoutes(config: AppConfig, routeTable: RouteTable): void {
  const usesCognito = routeTable.routes.some((route) => route.auth === 'cognito');
  if (usesCognito && config.auth.cognitoUserPoolId === undefined && config.deployRegions.length > 1) {
    throw new ConfigError(
      'COGNITO_USER_POOL_ID',
      'must be set when DEPLOY_REGIONS lists several regions and a route has auth cognito: a pool created by each regional stack would hold different users',
    );
  }
}
