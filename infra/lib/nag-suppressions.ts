/**
 * Every acknowledged cdk-nag AwsSolutions finding of the app, each with its reason, in this one
 * file. A finding not listed here fails `cdk synth` and the tests. Wildcard acknowledgements are
 * narrowed with `appliesTo` patterns, so a new, unexpected wildcard is still reported.
 *
 * @example
 *   enableNagChecks(app);
 *   suppressApiStackFindings(apiStack);
 *   suppressPipelineStackFindings(pipelineStack.pipeline);
 */
import { Aspects, Stage } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { AwsSolutionsChecks, NagPackSuppression, NagSuppressions } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** The constructs of an API stack that carry acknowledged findings. */
export interface ApiStackFindingScopes {
  readonly api: apigateway.RestApi;
  /** The function's role (X-Ray permissions). */
  readonly functionRole: iam.IRole;
  /** CodeDeploy's deployment group of the live alias (its service role). */
  readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
}

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
  deployment: [
    {
      id: 'AwsSolutions-IAM4',
      reason:
        'AWSCodeDeployRoleForLambdaLimited is the policy AWS documents for CodeDeploy\'s service role of Lambda deployments: ' +
        'it reads and updates aliases and invokes only functions named CodeDeployHook_* or granted explicitly; it is maintained by AWS.',
      appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited'],
    },
    {
      id: 'AwsSolutions-IAM5',
      reason:
        'CodeDeploy invokes the post-traffic smoke test function; the grant covers that one function and its versions (ARN:*), nothing else.',
      appliesTo: [finding(String.raw`Resource::<SmokeTest[A-Za-z0-9]+\.Arn>:\*`)],
    },
  ],
} satisfies Record<string, NagPackSuppression[]>;

export function suppressApiStackFindings(scopes: ApiStackFindingScopes): void {
  NagSuppressions.addResourceSuppressions(scopes.api, API_STACK_SUPPRESSIONS.authorization, true);
  NagSuppressions.addResourceSuppressions(scopes.api.deploymentStage, API_STACK_SUPPRESSIONS.waf);
  NagSuppressions.addResourceSuppressions(scopes.api.node.findChild('CloudWatchRole'), API_STACK_SUPPRESSIONS.executionLogRole);
  NagSuppressions.addResourceSuppressions(scopes.functionRole, API_STACK_SUPPRESSIONS.tracing, true);
  NagSuppressions.addResourceSuppressions(scopes.deploymentGroup, API_STACK_SUPPRESSIONS.deployment, true);
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

export function suppressPipelineStackFindings(pipeline: pipelines.CodePipeline): void {
  NagSuppressions.addResourceSuppressions(pipeline, PIPELINE_SUPPRESSIONS, true);
  for (const [rolePath, suppressions] of Object.entries(PIPELINE_ROLE_SUPPRESSIONS)) {
    const role = rolePath.split('/').reduce<IConstruct>((scope, id) => scope.node.findChild(id), pipeline);
    NagSuppressions.addResourceSuppressions(role, suppressions, true);
  }
}
