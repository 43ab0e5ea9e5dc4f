/**
 * Cost allocation tags: every taggable resource names its application and stage.
 *
 * @example
 *   addCostAllocationTags(stage, config.application, 'prod');
 */
import { Tags } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The only resources left without the tags: aws-cdk-lib 2.276 offers Tags on both types, and
 * AWS's CloudFormation template reference now documents them, but the CloudFormation resource
 * schemas that the pinned cfn-lint ships (1.51.0) have no Tags on AWS::CodePipeline::Webhook in
 * any region, and none on AWS::CloudWatch::Dashboard in us-east-1, me-central-1, me-south-1,
 * cn-northwest-1 and the isolated regions. A Tags property that a region's CloudFormation does
 * not know fails the deployment, so neither is tagged until every region has it; the tests
 * (deployment-safety.test.ts) check these are the only untagged resources of a taggable type.
 */
export const UNTAGGABLE_TYPES: readonly string[] = ['AWS::CloudWatch::Dashboard', 'AWS::CodePipeline::Webhook'];

/** Tags `Application` and `Stage` on every resource under the scope (added before it is synthesized). */
export function addCostAllocationTags(scope: IConstruct, application: string, stage: string): void {
  Tags.of(scope).add('Application', application, { excludeResourceTypes: [...UNTAGGABLE_TYPES] });
  Tags.of(scope).add('Stage', stage, { excludeResourceTypes: [...UNTAGGABLE_TYPES] });
}
