/**
 * Every acknowledged cdk-nag AwsSolutions finding of the app, each with its reason, in this one
 * file. A finding not listed here fails `cdk synth` and the tests. cdk-nag 3 acknowledges a
 * finding by its exact id: a wildcard finding is `AwsSolutions-IAM5[Resource::<the resource>]`,
 * built here from the very construct that grants it, so a new, unexpected wildcard is reported.
 *
 * @example
 *   enableNagChecks(app);
 *   suppressApiStackFindings(apiStack.findingScopes());
 *   suppressPipelineStackFindings(pipelineStack.pipeline);
 */
import { App, ArnFormat, Aspects, CfnResource, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as pipelines from 'aws-cdk-lib/pipelines';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, WriteNagSuppressionsToCloudFormationAspect } from 'cdk-nag';
// cdk-nag's own rendering of a CloudFormation reference in a finding id (`<Logical.Arn>`).
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';

import type { DataResources } from './data-resources';

/** The constructs of an API stack that carry acknowledged findings. */
export interface ApiStackFindingScopes {
  readonly api: apigateway.RestApi;
  /** The function's role (X-Ray permissions). */
  readonly functionRole: iam.IRole;
  /** CodeDeploy's deployment group of the live alias (its service role). */
  readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  /** The post-traffic hook CodeDeploy invokes. */
  readonly smokeTestHook: lambda.IFunction;
  /** Whether a web ACL protects the stage (WAF_ENABLED). */
  readonly hasWaf: boolean;
  /** The user pool the stack created for cognito routes, if any. */
  readonly createdUserPool?: IConstruct;
  /** The declared tables and buckets, granted to the function's role. */
  readonly data?: DataResources;
  /** The roles of the Lambda authorizers' functions (X-Ray permissions). */
  readonly authorizerRoles?: readonly iam.IRole[];
}

/** One acknowledged finding: its exact cdk-nag id and why it is accepted. */
export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

/**
 * On the app: runs the AwsSolutions checks as a validation plugin, which walks the whole
 * construct tree at `app.synth()`, nested stages included, and fails the synthesis on any
 * finding not acknowledged. On the app and on each nested stage: writes the acknowledgements
 * into the templates' Metadata (`cdk_nag.rules_to_suppress`) for whoever reviews a template.
 * Aspects do not cross into nested stages, and CDK Pipelines synthesizes a stage as soon as it is
 * added, so an application stage calls this in its constructor.
 */
export function enableNagChecks(stage: Stage): void {
  if (App.isApp(stage)) Validations.of(stage).addPlugins(new AwsSolutionsChecks(undefined, { verbose: true }));
  Aspects.of(stage).add(new WriteNagSuppressionsToCloudFormationAspect());
}

/** Acknowledges the findings on the scope and everything under it. */
function acknowledge(scope: IConstruct, acknowledgements: readonly Acknowledgement[]): void {
  for (const acknowledgement of acknowledgements) Validations.of(scope).acknowledge(acknowledgement);
}

/** The CloudFormation resource of an L2 construct: an acknowledgement on it covers nothing else. */
function resourceOf(scope: IConstruct): CfnResource {
  const resource = scope.node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) throw new Error(`${scope.node.path} has no CloudFormation resource of its own`);
  return resource;
}

/** `AwsSolutions-IAM5[Action::s3:GetObject*]`: a wildcard action of a policy. */
export function wildcardAction(action: string): string {
  return `AwsSolutions-IAM5[Action::${action}]`;
}

/**
 * `AwsSolutions-IAM5[Resource::<Bucket1234.Arn>/*]`: a wildcard resource of a policy, given as
 * the same value (tokens included) the construct put in the policy, rendered as cdk-nag does.
 */
export function wildcardResource(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;
}

/** `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/...]`: an AWS managed policy. */
function managedPolicy(name: string): string {
  return `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
}

export function suppressApiStackFindings(scopes: ApiStackFindingScopes): void {
  acknowledge(scopes.api, [
    {
      id: 'AwsSolutions-APIG4',
      reason:
        'Authentication is chosen per route in routes.json (none, apiKey, cognito, iam, custom): routes with auth "none" (health, metadata, ' +
        'root) are public by design, and the CORS preflights (OPTIONS) must answer browsers without credentials, as the CORS ' +
        'specification requires. Every other route has its API key, Cognito authorizer or IAM authorization.',
    },
    {
      id: 'AwsSolutions-COG4',
      reason:
        'Only routes with auth "cognito" use the Cognito user-pool authorizer; the public routes and CORS preflights have no ' +
        'authorizer by design, API-key routes use the usage plan, iam routes SigV4 and custom routes their Lambda authorizer ' +
        '(see AwsSolutions-APIG4).',
    },
  ]);
  if (!scopes.hasWaf) {
    acknowledge(resourceOf(scopes.api.deploymentStage), [
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'WAF_ENABLED is false in this configuration: request rates are bounded by stage and per-route throttling and the usage ' +
          'plan. Setting WAF_ENABLED=true associates a WAFv2 web ACL (rate limit, AWS managed rules) with the stage.',
      },
    ]);
  }
  if (scopes.createdUserPool) {
    acknowledge(resourceOf(scopes.createdUserPool), [
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
    ]);
  }
  acknowledge(resourceOf(scopes.api.node.findChild('CloudWatchRole')), [
    {
      id: managedPolicy('service-role/AmazonAPIGatewayPushToCloudWatchLogs'),
      reason:
        'AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for the account-level role API Gateway uses to write ' +
        'execution logs; it grants only CloudWatch Logs actions and is maintained by AWS.',
    },
  ]);
  acknowledge(scopes.functionRole, [
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
    },
  ]);
  for (const authorizerRole of scopes.authorizerRoles ?? []) {
    acknowledge(authorizerRole, [
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
      },
    ]);
  }
  if (scopes.data) suppressDataResourceFindings(scopes.data, scopes.functionRole);
  acknowledge(scopes.deploymentGroup, [
    {
      id: managedPolicy('service-role/AWSCodeDeployRoleForLambdaLimited'),
      reason:
        'AWSCodeDeployRoleForLambdaLimited is the policy AWS documents for CodeDeploy\'s service role of Lambda deployments: ' +
        'it reads and updates aliases and invokes only functions named CodeDeployHook_* or granted explicitly; it is maintained by AWS.',
    },
    {
      id: wildcardResource(scopes.deploymentGroup, `${scopes.smokeTestHook.functionArn}:*`),
      reason:
        'CodeDeploy invokes the post-traffic smoke test function; the grant covers that one function and its versions (ARN:*), nothing else.',
    },
  ]);
}

/** The declared buckets: no access-log bucket, and the function's grant on each bucket's objects. */
function suppressDataResourceFindings(data: DataResources, functionRole: iam.IRole): void {
  for (const bucket of data.buckets.values()) {
    acknowledge(resourceOf(bucket), [
      {
        id: 'AwsSolutions-S1',
        reason:
          'Only the function\'s role is granted access to this bucket, and public access is blocked; its requests are traced ' +
          'in the function\'s logs. Object-level auditing, when required, is CloudTrail data events on this bucket rather than a ' +
          'second bucket of server access logs per data bucket.',
      },
    ]);
    acknowledge(functionRole, [
      {
        id: wildcardResource(functionRole, bucket.arnForObjects('*')),
        reason:
          'The objects of a bucket the function declares in its route table (bucket ARN/*): object keys are chosen at run time ' +
          '(one per note, upload, ...); the actions are only GetObject, PutObject and DeleteObject, on this one bucket.',
      },
    ]);
  }
}

/**
 * The CodeBuild projects of the pipeline with a role of their own (synth, self-mutation, shell
 * steps); the asset publishing projects share one role, acknowledged on its own.
 */
function projectsWithOwnRole(pipeline: pipelines.CodePipeline): codebuild.Project[] {
  return pipeline.node
    .findAll()
    .filter((construct): construct is codebuild.Project => construct instanceof codebuild.Project)
    .filter((project) => project.role !== undefined && project.role.node.path.startsWith(`${project.node.path}/`));
}

/**
 * The wildcards CodeBuild grants a project's role: the streams of its log group and its report
 * groups, named `<project>-*`; for the role every asset project shares, `*` stands for the project.
 */
function logAndReportFindings(scope: IConstruct, projectName: string): string[] {
  const stack = Stack.of(scope);
  const logGroup = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws/codebuild/${projectName}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  const reportGroups = stack.formatArn({ service: 'codebuild', resource: 'report-group', resourceName: `${projectName}-*` });
  return projectName === '*'
    ? [wildcardResource(scope, logGroup), wildcardResource(scope, reportGroups.replace(/\/\*-\*$/, '/*'))]
    : [wildcardResource(scope, `${logGroup}:*`), wildcardResource(scope, reportGroups)];
}

/** The Build step's S3 cache (npm, pip, ccache): written and read by the synth project only. */
export function suppressBuildCacheFindings(buildCache: s3.IBucket, pipeline: pipelines.CodePipeline): void {
  acknowledge(resourceOf(buildCache), [
    {
      id: 'AwsSolutions-S1',
      reason:
        'A private, encrypted cache of downloads and compiler output that only the Build step reads and writes, and that ' +
        'expires after 30 days; it holds nothing to audit. Access logs would need a further bucket of their own.',
    },
  ]);
  acknowledge(pipeline.synthProject, [
    {
      id: wildcardResource(pipeline, `${buildCache.bucketArn}/*`),
      reason: 'The objects of the Build step\'s own cache bucket (bucket ARN/*), which CodeBuild reads and writes as one archive; no other bucket.',
    },
  ]);
}

export function suppressPipelineStackFindings(pipeline: pipelines.CodePipeline): void {
  const artifactBucket = pipeline.pipeline.artifactBucket;
  acknowledge(pipeline, [
    ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map((action) => ({
      id: wildcardAction(action),
      reason:
        'CDK Pipelines grants its roles object-level access to the pipeline\'s own artifact bucket with the S3 action groups ' +
        'that access needs (read, write, delete of artifacts); no other bucket is reachable.',
    })),
    {
      id: wildcardResource(pipeline, `${artifactBucket.bucketArn}/*`),
      reason: 'The objects of the pipeline\'s own artifact bucket (bucket ARN/*), which every stage reads or writes; no other bucket.',
    },
    ...['kms:GenerateDataKey*', 'kms:ReEncrypt*'].map((action) => ({
      id: wildcardAction(action),
      reason: 'kms:GenerateDataKey* and kms:ReEncrypt* on the pipeline\'s own rotating artifact key, needed to read and write encrypted artifacts.',
    })),
  ]);
  acknowledge(resourceOf(artifactBucket), [
    {
      id: 'AwsSolutions-S1',
      reason:
        'The artifact bucket is private, encrypted with the pipeline\'s KMS key and written only by the pipeline\'s roles; ' +
        'CloudTrail records its use. Access logs would need a further bucket of their own.',
    },
  ]);
  acknowledge(resourceOf(pipeline.synthProject), [
    {
      id: 'AwsSolutions-CB5',
      reason:
        'The synth step runs on Debian bookworm so that the build installs exactly the Debian packages of scripts/install-deps.sh, ' +
        'as developer machines and CI do, on x86_64 or ARM; CodeBuild\'s images are Ubuntu or Amazon Linux.',
    },
  ]);
  for (const project of projectsWithOwnRole(pipeline)) {
    acknowledge(
      project,
      logAndReportFindings(project, project.projectName).map((id) => ({
        id,
        reason:
          'The CodeBuild project writes its logs and test reports to the log group and report groups named after the project; ' +
          'the stream and report names are only known at build time.',
      })),
    );
  }
  acknowledge(pipeline.node.findChild('UpdatePipeline').node.findChild('SelfMutation'), [
    {
      id: wildcardResource(pipeline, `arn:*:iam::${Stack.of(pipeline).account}:role/*`),
      reason:
        'Self-mutation assumes the CDK bootstrap roles (file-publishing, image-publishing, deploy) of this account; the ' +
        'statement is restricted by the condition iam:ResourceTag/aws-cdk:bootstrap-role.',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Self-mutation reads the state of the stacks it deploys (cloudformation:DescribeStacks) and lists the bootstrap ' +
        'bucket (s3:ListBucket); CDK Pipelines grants both on * because the stacks are named at deploy time.',
    },
  ]);
  const assetRole = pipeline.node.findChild('Assets').node.findChild('FileRole');
  acknowledge(assetRole, [
    ...logAndReportFindings(assetRole, '*').map((id) => ({
      id,
      reason:
        'One role serves every asset publishing project, which CDK Pipelines creates per asset: it writes to the log groups ' +
        '/aws/codebuild/* and report groups of those projects, whose names are only known when the assets are.',
    })),
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The asset publishing role starts and watches its CodeBuild builds (codebuild:StartBuild, BatchGetBuilds, StopBuild), ' +
        'granted on * by CDK Pipelines because one role serves every asset project.',
    },
  ]);
  suppressCrossRegionFindings(pipeline);
}

/** Cross-region deployment (DEPLOY_REGIONS): CodePipeline's support stack in each other region. */
function suppressCrossRegionFindings(pipeline: pipelines.CodePipeline): void {
  const crossRegion = Object.values(pipeline.pipeline.crossRegionSupport);
  if (crossRegion.length === 0) return;
  for (const support of crossRegion) {
    acknowledge(resourceOf(support.replicationBucket), [
      {
        id: 'AwsSolutions-S1',
        reason:
          "The replication bucket only carries the pipeline's artifacts to another region's deploy actions; it is private, " +
          'encrypted with its own KMS key and written only by the pipeline role. Access logs would need a further bucket per region.',
      },
    ]);
  }
  acknowledge(pipeline.pipeline.role, [
    ...crossRegion.map((support) => ({
      id: wildcardResource(pipeline, `${support.replicationBucket.bucketArn}/*`),
      reason:
        `The pipeline role writes artifacts to the replication bucket of ${support.stack.region} (bucket ARN/*), created by ` +
        'CodePipeline for the cross-region deploy actions, and nothing else.',
    })),
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "KMS data-key actions for the replication buckets' keys, which live in the support stacks of the other regions: CodePipeline " +
        'refers to them by alias and grants the pipeline role these actions on * for that reason.',
    },
  ]);
}
