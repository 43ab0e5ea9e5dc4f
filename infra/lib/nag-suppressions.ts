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
import { Aspects, Stack, Stage } from 'aws-cdk-lib';
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
  /** Whether a web ACL protects the stage (WAF_ENABLED). */
  readonly hasWaf: boolean;
  /** The user pool the stack created for cognito routes, if any. */
  readonly createdUserPool?: IConstruct;
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
        'Authentication is chosen per route in routes.json (none, apiKey, cognito, iam): routes with auth "none" (health, metadata, ' +
        'root) are public by design, and the CORS preflights (OPTIONS) must answer browsers without credentials, as the CORS ' +
        'specification requires. Every other route has its API key, Cognito authorizer or IAM authorization.',
    },
    {
      id: 'AwsSolutions-COG4',
      reason:
        'Only routes with auth "cognito" use the Cognito user-pool authorizer; the public routes and CORS preflights have no ' +
        'authorizer by design, API-key routes use the usage plan and iam routes SigV4 (see AwsSolutions-APIG4).',
    },
  ],
  noWaf: [
    {
      id: 'AwsSolutions-APIG3',
      reason:
        'WAF_ENABLED is false in this configuration: request rates are bounded by stage and per-route throttling and the usage ' +
        'plan. Setting WAF_ENABLED=true associates a WAFv2 web ACL (rate limit, AWS managed rules) with the stage.',
    },
  ],
  userPool: [
    {
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional for each user (authenticator app, no SMS), so administrators can create users who enrol on first ' +
        'sign-in; an application that needs it for all users sets the pool to required or brings its own pool (COGNITO_USER_POOL_ID).',
    },
    {
      id: 'AwsSolutions-COG8',
      reason:
        'Threat protection (advanced security) needs the Cognito Plus feature plan, billed per monthly active user; the created ' +
        'pool uses Essentials. A pool on Plus with threat protection can be given with COGNITO_USER_POOL_ID.',
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
  if (!scopes.hasWaf) NagSuppressions.addResourceSuppressions(scopes.api.deploymentStage, API_STACK_SUPPRESSIONS.noWaf);
  if (scopes.createdUserPool) {
    NagSuppressions.addResourceSuppressions(scopes.createdUserPool, API_STACK_SUPPRESSIONS.userPool);
  }
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

/** Cross-region deployment (DEPLOY_REGIONS): CodePipeline's support stack in each other region. */
const CROSS_REGION_SUPPRESSIONS = {
  replicationBucket: [
    {
      id: 'AwsSolutions-S1',
      reason:
        "The replication bucket only carries the pipeline's artifacts to another region's deploy actions; it is private, " +
        'encrypted with its own KMS key and written only by the pipeline role. Access logs would need a further bucket per region.',
    },
  ],
  pipelineRole: (replicationBucketNames: string[]): NagPackSuppression[] => [
    {
      id: 'AwsSolutions-IAM5',
      reason:
        "The pipeline role writes artifacts to the other regions' replication buckets (bucket ARN/*), created by CodePipeline " +
        'for the cross-region deploy actions, and nothing else.',
      appliesTo: replicationBucketNames.map((name) => finding(`Resource::${ARN_PREFIX}s3:::${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\*`)),
    },
    {
      id: 'AwsSolutions-IAM5',
      reason:
        "KMS data-key actions for the replication buckets' keys, which live in the support stacks of the other regions: CodePipeline " +
        'refers to them by alias and grants the pipeline role these actions on * for that reason.',
      appliesTo: ['Resource::*'],
    },
  ],
};

export function suppressPipelineStackFindings(pipeline: pipelines.CodePipeline): void {
  NagSuppressions.addResourceSuppressions(pipeline, PIPELINE_SUPPRESSIONS, true);
  const crossRegion = Object.values(pipeline.pipeline.crossRegionSupport);
  if (crossRegion.length > 0) {
    const bucketNames = crossRegion.map((support) => String(Stack.of(pipeline).resolve(support.replicationBucket.bucketName)));
    for (const support of crossRegion) NagSuppressions.addResourceSuppressions(support.replicationBucket, CROSS_REGION_SUPPRESSIONS.replicationBucket);
    NagSuppressions.addResourceSuppressions(pipeline.pipeline.role, CROSS_REGION_SUPPRESSIONS.pipelineRole(bucketNames), true);
  }
  for (const [rolePath, suppressions] of Object.entries(PIPELINE_ROLE_SUPPRESSIONS)) {
    const role = rolePath.split('/').reduce<IConstruct>((scope, id) => scope.node.findChild(id), pipeline);
    NagSuppressions.addResourceSuppressions(role, suppressions, true);
  }
}
