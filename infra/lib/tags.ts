/**
 * Cost allocation tags: every taggable resource names its application and stage.
 *
 * @example
 *   addCostAllocationTags(stage, config.application, 'prod');
 */
import { Tags } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Types that aws-cdk-lib tags but whose CloudFormation schema (as cfn-lint knows it) has no
 * Tags property; a deployment would fail on them.
 */
const UNTAGGABLE_TYPES = ['AWS::CloudWatch::Dashboard', 'AWS::CodePipeline::Webhook'];

/** Tags `Application` and `Stage` on every resource under the scope (added before it is synthesized). */
export function addCostAllocationTags(scope: IConstruct, application: string, stage: string): void {
  Tags.of(scope).add('Application', application, { excludeResourceTypes: UNTAGGABLE_TYPES });
  Tags.of(scope).add('Stage', stage, { excludeResourceTypes: UNTAGGABLE_TYPES });
}
