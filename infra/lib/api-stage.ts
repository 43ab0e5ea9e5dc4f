/**
 * A deployable copy of the API (production or staging) as a CDK Pipelines stage: one stack,
 * `${APPLICATION}-Api` for production and `${APPLICATION}-Staging-Api` for staging.
 *
 * @example
 *   const production = new ApiStage(pipelineStack, config.application, { ...inputs, deploymentName: 'prod' });
 *   pipeline.addStage(production, { post: [smokeTest(production.apiStack)] });
 */
import { Stage, StageProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

import { ApiStack } from './api-stack';
import { AppConfig } from './config';
import { enableNagChecks, suppressApiStackFindings } from './nag-suppressions';
import { RouteTable } from './route-table';
import { addCostAllocationTags } from './tags';

export interface ApiStageProps extends StageProps {
  readonly config: AppConfig;
  readonly routeTable: RouteTable;
  readonly functionZip: string;
  readonly deploymentName: 'prod' | 'staging';
}

export class ApiStage extends Stage {
  readonly apiStack: ApiStack;

  constructor(scope: Construct, id: string, props: ApiStageProps) {
    super(scope, id, props);
    const { config } = props;
    this.apiStack = new ApiStack(this, 'Api', {
      stackName: apiStackName(config.application, props.deploymentName),
      description: `${config.application} REST API, ${props.deploymentName}`,
      config,
      routeTable: props.routeTable,
      functionZip: props.functionZip,
      deploymentName: props.deploymentName,
      // Deleting production takes a deliberate step first (docs/operations.md, "Tearing down").
      terminationProtection: props.deploymentName === 'prod',
    });
    // Before the pipeline synthesizes the stage: aspects added to the app later do not reach it.
    addCostAllocationTags(this, config.application, props.deploymentName);
    // Before the pipeline adds (and so synthesizes) this stage.
    enableNagChecks(this);
    suppressApiStackFindings(this.apiStack.findingScopes());
  }
}

/** `${APPLICATION}-Api` for production, `${APPLICATION}-Staging-Api`, `${APPLICATION}-Dev-Api`. */
export function apiStackName(application: string, deploymentName: string): string {
  return deploymentName === 'prod'
    ? `${application}-Api`
    : `${application}-${deploymentName[0].toUpperCase()}${deploymentName.slice(1)}-Api`;
}
