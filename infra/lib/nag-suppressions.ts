/**
 * Every acknowledged cdk-nag AwsSolutions finding of the app, each with its reason, in this one
 * file. A finding not listed here fails `cdk synth` and the tests. Wildcard acknowledgements are
 * narrowed with `appliesTo` patterns, so a new, unexpected wildcard is still reported.
 *
 * @example
 *   enableNagChecks(app);
 *   suppressApiStackFindings(apiStack);
 *   suppressPipelineStackFindings(pipelineStack);
 */
import { Aspects, Stage } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagPackSuppression, NagSuppressions } from 'cdk-nag';
import { IConstruct } from 'constructs';

import type { ApiStack } from './api-stack';
import type { PipelineStack } from './pipeline-stack';

/**
 * Runs the AwsSolutions checks on a stage. Aspects do not cross into nested stages, and CDK
 * Pipelines synthesizes an application stage as soon as it is added to the pipeline, so each
 * stage enables the checks itself, in its constructor.
 */
export function enableNagChecks(stage: Stage): void {
  Aspects.of(stage).add(new AwsSolutionsChecks({ verbose: true }));
}

/** Matches a finding such as `Resource::arn:<AWS::Partition>:logs:...`; the pattern is anchored. */
function finding(pattern: string): { regex: string } {
  return { regex: `/^${pattern}$/` };
}

const ARN_PREFIX = String.raw`arn:(<AWS::Partition>|aws[a-z-]*):`;
const REGION = String.raw`(<AWS::Region>|[a-z]{2}(-[a-z]+)+-\d)`;
const ACCOUNT = String.raw`(<AWS::AccountId>|\d{12})`;

const API_STACK_SUPPRESSIONS = {
  authorization: [
    {
      id: 'AwsSolutions-APIG4',
      reason:
        'Authentication is chosen per route in routes.json: routes with auth "none" (health, metadata, root) are public by design, ' +
        'routes with auth "apiKey" require an API key of the usage plan. No IAM or Cognito authorizer is used.',
    },
    {
      id: 'AwsSolutions-COG4',
      reason: 'No Cognito user pool exists in this project; access control is per route (public or API key), see AwsSolutions-APIG4.',
    },
  ],
  waf: [
    {
      id: 'AwsSolutions-APIG3',
      reason:
        'Request rates are bounded by stage and per-route throttling and by the usage plan; a WAFv2 web ACL (a fixed monthly cost) ' +
        'can be associated with the stage later without changing the API.',
    },
  ],
  executionLogRole: [
    {
      id: 'AwsSolutions-IAM4',
      reason:
        'AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for the account-level role API Gateway uses to write ' +
        'execution logs; it grants only CloudWatch Logs actions and is maintained by AWS.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
    },
  ],
  tracing: [
    {
      id: 'AwsSolutions-IAM5',
      reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
      appliesTo: ['Resource::*'],
    },
  ],
} satisfies Record<string, NagPackSuppression[]>;

export function suppressApiStackFindings(stack: ApiStack): void {
  NagSuppressions.addResourceSuppressions(stack.api, API_STACK_SUPPRESSIONS.authorization, true);
  NagSuppressions.addResourceSuppressions(stack.api.deploymentStage, API_STACK_SUPPRESSIONS.waf);
  NagSuppressions.addResourceSuppressions(stack.api.node.findChild('CloudWatchRole'), API_STACK_SUPPRESSIONS.executionLogRole);
  NagSuppressions.addResourceSuppressions(stack.handler.role!, API_STACK_SUPPRESSIONS.tracing, true);
}

const PIPELINE_SUPPRESSIONS: NagPackSuppression[] = [
  {
    id: 'AwsSolutions-IAM5',
    reason:
      'CDK Pipelines grants its roles object-level access to the pipeline\'s own artifact bucket (bucket ARN/*) and the ' +
      'S3 action groups that access needs; no other bucket is reachable.',
    appliesTo: [
      finding(String.raw`Action::s3:(Abort|DeleteObject|GetBucket|GetObject|List)\*`),
      finding(String.raw`Resource::<PipelineArtifactsBucket[A-Za-z0-9]+\.Arn>/\*`),
    ],
  },
  {
    id: 'AwsSolutions-IAM5',
    reason: 'kms:GenerateDataKey* and kms:ReEncrypt* on the pipeline\'s own rotating artifact key, needed to read and write encrypted artifacts.',
    appliesTo: [finding(String.raw`Action::kms:(GenerateDataKey|ReEncrypt)\*`)],
  },
  {
    id: 'AwsSolutions-IAM5',
    reason:
      'Each CodeBuild project writes its logs and test reports to log groups and report groups named after the project; ' +
      'the stream and report names are only known at build time.',
    appliesTo: [
      finding(`Resource::${ARN_PREFIX}codebuild:${REGION}:${ACCOUNT}:report-group/(<[A-Za-z0-9]+>-)?\\*`),
      finding(`Resource::${ARN_PREFIX}logs:${REGION}:${ACCOUNT}:log-group:/aws/codebuild/(<[A-Za-z0-9]+>:)?\\*`),
    ],
  },
  {
    id: 'AwsSolutions-IAM5',
    reason:
      'Self-mutation assumes the CDK bootstrap roles (file-publishing, image-publishing, deploy) of this account; the ' +
      'statement is restricted by the condition iam:ResourceTag/aws-cdk:bootstrap-role.',
    appliesTo: [finding(`Resource::arn:\\*:iam::${ACCOUNT}:role/\\*`)],
  },
  {
    id: 'AwsSolutions-S1',
    reason:
      'The artifact bucket is private, encrypted with the pipeline\'s KMS key and written only by the pipeline\'s roles; ' +
      'CloudTrail records its use. Access logs would need a further bucket of their own.',
  },
  {
    id: 'AwsSolutions-CB5',
    reason:
      'The synth step runs on Debian bookworm so that the build installs exactly the Debian packages of scripts/install-deps.sh, ' +
      'as developer machines and CI do, on x86_64 or ARM; CodeBuild\'s images are Ubuntu or Amazon Linux.',
  },
];

/** Only on the two roles CDK Pipelines gives statements on `*`. */
const PIPELINE_ROLE_SUPPRESSIONS: Record<string, NagPackSuppression[]> = {
  'UpdatePipeline/SelfMutation/Role': [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'Self-mutation reads the state of the stacks it deploys (cloudformation:DescribeStacks) and lists the bootstrap ' +
        'bucket (s3:ListBucket); CDK Pipelines grants both on * because the stacks are named at deploy time.',
      appliesTo: ['Resource::*'],
    },
  ],
  'Assets/FileRole': [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'The asset publishing role starts and watches its CodeBuild builds (codebuild:StartBuild, BatchGetBuilds, StopBuild), ' +
        'granted on * by CDK Pipelines because one role serves every asset project.',
      appliesTo: ['Resource::*'],
    },
  ],
};

export function suppressPipelineStackFindings(stack: PipelineStack): void {
  NagSuppressions.addResourceSuppressions(stack.pipeline, PIPELINE_SUPPRESSIONS, true);
  for (const [rolePath, suppressions] of Object.entries(PIPELINE_ROLE_SUPPRESSIONS)) {
    const role = rolePath.split('/').reduce<IConstruct>((scope, id) => scope.node.findChild(id), stack.pipeline);
    NagSuppressions.addResourceSuppressions(role, suppressions, true);
  }
}
