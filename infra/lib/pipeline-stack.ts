/**
 * `${APPLICATION}-CodePipelineStack`: the CDK Pipeline that builds, tests and deploys every
 * push to the configured GitHub branch. The synth step runs the project's own scripts on
 * Debian bookworm, on the CPU of FUNCTION_ARCHITECTURE (x86_64 or ARM), then the API is
 * deployed (to staging first when enabled) and smoke-tested.
 *
 * @example
 *   new PipelineStack(app, `${config.application}-CodePipelineStack`, { config, routeTable, functionZip });
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { CfnOutput, DefaultStackSynthesizer, Duration, RemovalPolicy, SecretValue, Stack, StackProps, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as codepipelineActions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import { ApiStack, smokeTestRoutes } from './api-stack';
import { ApiStage } from './api-stage';
import { AppConfig, FunctionArchitecture } from './config';
import { NotificationTopic } from './monitoring';
import { addProductionStages, stagingEnvironment } from './regions';
import { loadOpenApiDocument, OPENAPI_FILE, OpenApiDocument } from './request-validation';
import { RouteTable } from './route-table';

/** Secrets Manager secret holding the GitHub personal access token (without a connection). */
export const GITHUB_TOKEN_SECRET = 'github-token';

/**
 * Debian bookworm, the distribution the project's dependency list targets. CodeBuild pulls it
 * from the ECR Public mirror of Docker Hub's official images, which has no anonymous pull limit.
 */
export const BUILD_IMAGE = 'public.ecr.aws/docker/library/debian:bookworm';

/**
 * The build's own scripts install everything, cfn-lint included (pinned, in a virtual
 * environment). Called through bash: CodePipeline's GitHub source zip keeps no executable bits.
 */
export const SYNTH_INSTALL_COMMANDS = ['bash scripts/install-deps.sh'];

/**
 * The source zip has no .git: the build time of build_info is the commit's author date from the
 * source action (SOURCE_AUTHOR_DATE), and the commit comes from CODEBUILD_RESOLVED_SOURCE_VERSION,
 * so an unchanged commit rebuilds the same function.zip and deploys no new function version.
 */
export const SOURCE_DATE_EPOCH_COMMAND = 'export SOURCE_DATE_EPOCH="$(date -u -d "$SOURCE_AUTHOR_DATE" +%s)"';

export const SYNTH_COMMANDS = [SOURCE_DATE_EPOCH_COMMAND, 'make test', 'make package', 'cd infra && npx cdk synth'];

/**
 * cdk-assets publishes the function package and templates in the Assets stage; CDK Pipelines
 * installs `cdk-assets@latest` unless told otherwise, so a release could change a deployment.
 */
export const CDK_ASSETS_VERSION = '4.7.3';

/**
 * Requests $API_URL + each path (retrying transient errors) and fails unless every answer is
 * 2XX: the pipeline's check from outside AWS's network, after CodeDeploy's own smoke test.
 */
export function smokeTestCommand(paths: readonly string[], options: { sourceIpAllowlist?: boolean } = {}): string {
  // With API_ALLOWED_SOURCE_IPS the build's address is normally outside the list: the resource
  // policy's 403 "... with an explicit deny" then shows the stage is up and enforces the list
  // (the function itself was checked by CodeDeploy's hook, which the policy does not apply to).
  const refused = options.sourceIpAllowlist
    ? ' 403) if grep -q "with an explicit deny" smoke-test-body.txt; then echo "refused by the resource policy: the address of this build is not in API_ALLOWED_SOURCE_IPS"; else failed=1; fi ;;'
    : '';
  return [
    'failed=0',
    `for path in ${paths.map((p) => `'${p}'`).join(' ')}; do` +
      ' url="${API_URL%/}$path";' +
      ' status=$(curl --silent --show-error --retry 5 --retry-delay 5 --max-time 10 --output smoke-test-body.txt --write-out "%{http_code}" "$url");' +
      ' echo "GET $url -> HTTP $status"; head -c 300 smoke-test-body.txt; echo;' +
      ` case "$status" in 2??) ;;${refused} *) failed=1 ;; esac;` +
      ' done',
    'test "$failed" = 0',
  ].join('; ');
}

/**
 * A stack whose creation failed stays in ROLLBACK_COMPLETE, which CloudFormation can neither
 * update nor replace: every later deployment fails on it. It never served and holds no
 * resources, so it is deleted before the deployment, with the target's CDK deploy role (the role
 * the deployment itself uses, so also in another account). Any other state is left alone.
 */
export function recoverStackCommands(stackName: string, region: string): string[] {
  return [
    ...assumeDeployRoleCommands('recover'),
    `status=$(aws cloudformation describe-stacks --region "${region}" --stack-name "${stackName}" --query "Stacks[0].StackStatus" --output text 2>describe-error.txt) || { grep -q "does not exist" describe-error.txt || { cat describe-error.txt >&2; exit 1; }; status=NONE; }`,
    `echo "${stackName} in ${region}: $status"`,
    `if [ "$status" = ROLLBACK_COMPLETE ]; then echo "deleting ${stackName}: its creation failed and was rolled back, so CloudFormation cannot update it"; aws cloudformation delete-stack --region "${region}" --stack-name "${stackName}" && aws cloudformation wait stack-delete-complete --region "${region}" --stack-name "${stackName}"; fi`,
  ];
}

/** Turns on the termination protection of a deployed stack, which CDK Pipelines' deploy actions do not (aws-cdk#17871), and checks it. */
export function protectStackCommands(stackName: string, region: string): string[] {
  return [
    ...assumeDeployRoleCommands('protect'),
    `aws cloudformation update-termination-protection --region "${region}" --stack-name "${stackName}" --enable-termination-protection`,
    `test "$(aws cloudformation describe-stacks --region "${region}" --stack-name "${stackName}" --query "Stacks[0].EnableTerminationProtection" --output text)" = True`,
  ];
}

/** Credentials of $DEPLOY_ROLE_ARN (the target's CDK deploy role) for the commands that follow. */
function assumeDeployRoleCommands(session: string): string[] {
  return [
    `credentials=$(aws sts assume-role --role-arn "$DEPLOY_ROLE_ARN" --role-session-name ${session} --query "Credentials.[AccessKeyId,SecretAccessKey,SessionToken]" --output text)`,
    'export AWS_ACCESS_KEY_ID=$(echo "$credentials" | cut -f1) AWS_SECRET_ACCESS_KEY=$(echo "$credentials" | cut -f2) AWS_SESSION_TOKEN=$(echo "$credentials" | cut -f3)',
  ];
}

/** Paths of the Build step's cache: npm's, pip's and ccache's (the compiler cache, see BUILD_CACHE_ENVIRONMENT). */
export const BUILD_CACHE_PATHS = ['/root/.npm/**/*', '/root/.cache/pip/**/*', '/root/.cache/ccache/**/*'];

/**
 * The compiler runs through ccache (scripts/install-deps.sh installs it) with its directory in
 * the cache; the source directory changes from build to build, so paths are relative to it.
 */
export const BUILD_CACHE_ENVIRONMENT: Readonly<Record<string, string>> = {
  CCACHE_DIR: '/root/.cache/ccache',
  CCACHE_BASEDIR: '/codebuild/output',
  CCACHE_COMPILERCHECK: 'content',
  CCACHE_MAXSIZE: '2G',
  CMAKE_C_COMPILER_LAUNCHER: 'ccache',
  CMAKE_CXX_COMPILER_LAUNCHER: 'ccache',
};
export interface PipelineStackProps extends StackProps {
  readonly config: AppConfig;
  readonly routeTable: RouteTable;
  readonly functionZip: string;
}

export class PipelineStack extends Stack {
  readonly pipeline: pipelines.CodePipeline;
  /** Production in the pipeline's region, or in the first of DEPLOY_REGIONS. */
  readonly production: ApiStage;
  /** Production in every region it is deployed to. */
  readonly productionStages: ApiStage[];
  readonly staging?: ApiStage;
  /** The Build step's cache (npm, pip and compiler caches). */
  readonly buildCache: s3.Bucket;
  /** Failed pipeline runs are published here (and mailed to ALARM_EMAIL). */
  readonly notifications: NotificationTopic;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const repository = `${config.github.owner}/${config.github.repo}`;

    const source = config.codeStarConnectionArn
      ? pipelines.CodePipelineSource.connection(repository, config.github.branch, {
          connectionArn: config.codeStarConnectionArn,
          triggerOnPush: true,
        })
      : pipelines.CodePipelineSource.gitHub(repository, config.github.branch, {
          authentication: SecretValue.secretsManager(
            GITHUB_TOKEN_SECRET,
            config.githubTokenVersionId ? { versionId: config.githubTokenVersionId } : {},
          ),
          trigger: codepipelineActions.GitHubTrigger.WEBHOOK,
        });

    this.notifications = new NotificationTopic(this, 'PipelineNotifications', {
      displayName: `${config.application} pipeline`,
      email: config.alarmEmail,
    });

    // What the build downloads or compiles again otherwise; S3, so every build finds it.
    const buildCache = (this.buildCache = new s3.Bucket(this, 'BuildCache', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.DESTROY,
    }));
    const synth = new pipelines.CodeBuildStep('Synth', {
      input: source,
      buildEnvironment: {
        buildImage: synthBuildImage(config.functionArchitecture),
        computeType: codebuild.ComputeType.LARGE,
      },
      // The build has no .env (it is not committed): it gets the configuration this stack was
      // synthesized with, so the pipeline reproduces itself when it self-mutates.
      env: {
        ...synthEnvironment(config),
        CDK_DISABLE_CLI_TELEMETRY: 'true',
        DEBIAN_FRONTEND: 'noninteractive',
        SOURCE_AUTHOR_DATE: source.sourceAttribute('AuthorDate'),
        ...BUILD_CACHE_ENVIRONMENT,
      },
      cache: codebuild.Cache.bucket(buildCache, { prefix: 'synth' }),
      partialBuildSpec: codebuild.BuildSpec.fromObject({ cache: { paths: BUILD_CACHE_PATHS } }),
      installCommands: SYNTH_INSTALL_COMMANDS,
      commands: SYNTH_COMMANDS,
      primaryOutputDirectory: 'infra/cdk.out',
    });

    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: `${config.application}-Pipeline`,
      pipelineType: codepipeline.PipelineType.V2,
      synth,
      // A customer managed, rotating KMS key encrypts the artifact bucket.
      crossAccountKeys: true,
      enableKeyRotation: true,
      dockerEnabledForSynth: false,
      dockerEnabledForSelfMutation: false,
      cliVersion: pinnedCdkCliVersion(),
      cdkAssetsCliVersion: CDK_ASSETS_VERSION,
    });

    // Production goes to the pipeline's region or to each of DEPLOY_REGIONS (see regions.ts);
    // staging to the pipeline's account or STAGING_ACCOUNT_ID.
    const stageInputs = { env: props.env, config, routeTable: props.routeTable, functionZip: props.functionZip };
    const openApi = loadOpenApiDocument(path.join(path.dirname(props.functionZip), OPENAPI_FILE));
    const checkStage = (id: string, apiStack: ApiStack) => smokeTest(id, apiStack, props.routeTable, openApi, config.auth.allowedSourceIps.length > 0);
    if (config.stagingEnabled) {
      this.staging = new ApiStage(this, `${config.application}-Staging`, { ...stageInputs, env: stagingEnvironment(config, props.env), deploymentName: 'staging' });
      this.pipeline.addStage(this.staging, {
        pre: [this.recoverStep('RecoverStaging', this.staging.apiStack)],
        post: [checkStage('SmokeTestStaging', this.staging.apiStack)],
      });
    }
    this.productionStages = addProductionStages(this, this.pipeline, {
      ...stageInputs,
      pre:
        this.staging && config.manualApproval
          ? [
              new pipelines.ManualApprovalStep('PromoteToProduction', {
                comment: 'Staging passed its smoke test. Deploy to production?',
                notificationTopic: this.notifications.topic,
              }),
            ]
          : [],
      recover: (id, apiStack) => this.recoverStep(id, apiStack),
      smokeTest: checkStage,
      protect: (id, apiStack) => this.protectStep(id, apiStack),
    });
    this.production = this.productionStages[0];

    // Built here rather than at synthesis so its constructs can be addressed (nag suppressions).
    this.pipeline.buildPipeline();
    useSubForActionRoleArns(this.pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline);
    publishAssetsWithoutHashes(this.pipeline);
    // Approval requests are published by the pipeline's role, which needs the topic's key.
    if (this.staging && config.manualApproval) this.notifications.key.grantEncryptDecrypt(this.pipeline.pipeline.role);
    if (config.codeStarConnectionArn) this.grantConnectionUse(config.codeStarConnectionArn);
    this.notifyOnFailure();
    new CfnOutput(this, 'NotificationTopicArn', { value: this.notifications.topic.topicArn });
  }

  /** The target's CDK deploy role, which the deployment of the stack itself assumes. */
  private deployRoleArn(apiStack: ApiStack): string {
    const account = Token.isUnresolved(apiStack.account) ? this.account : apiStack.account;
    const region = Token.isUnresolved(apiStack.region) ? this.region : apiStack.region;
    return `arn:${this.partition}:iam::${account}:role/cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-deploy-role-${account}-${region}`;
  }

  private deployRoleStep(id: string, apiStack: ApiStack, commands: (stackName: string, region: string) => string[]): pipelines.CodeBuildStep {
    const region = Token.isUnresolved(apiStack.region) ? this.region : apiStack.region;
    const roleArn = this.deployRoleArn(apiStack);
    return new pipelines.CodeBuildStep(id, {
      env: { DEPLOY_ROLE_ARN: roleArn },
      commands: commands(apiStack.stackName, region),
      rolePolicyStatements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [roleArn] })],
    });
  }

  /** Before a stage: deletes its stack when a failed creation left it in ROLLBACK_COMPLETE. */
  private recoverStep(id: string, apiStack: ApiStack): pipelines.Step {
    return this.deployRoleStep(id, apiStack, recoverStackCommands);
  }

  /** After a production stage: its stack gets termination protection. */
  private protectStep(id: string, apiStack: ApiStack): pipelines.Step {
    return this.deployRoleStep(id, apiStack, protectStackCommands);
  }

  /**
   * The service was renamed from CodeStar Connections to CodeConnections; a connection with a
   * `codeconnections:` ARN is authorized by the new action name, CDK grants only the old one.
   */
  private grantConnectionUse(connectionArn: string): void {
    const sourceRoles = this.pipeline.pipeline.node
      .findChild('Source')
      .node.findAll()
      .filter((construct): construct is iam.Role => construct instanceof iam.Role);
    if (sourceRoles.length === 0) throw new Error('the pipeline\'s Source stage has no action role to grant the connection to');
    for (const role of sourceRoles) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['codestar-connections:UseConnection', 'codeconnections:UseConnection'],
          resources: [connectionArn],
        }),
      );
    }
  }

  /** A failed run of the pipeline is published to the notification topic. */
  private notifyOnFailure(): void {
    const rule = new events.Rule(this, 'PipelineFailed', {
      description: `Notifies ${this.notifications.topic.node.path} when the pipeline fails`,
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: ['CodePipeline Pipeline Execution State Change'],
        resources: [this.pipeline.pipeline.pipelineArn],
        detail: { state: ['FAILED'] },
      },
    });
    // Not events-targets' SnsTopic: it would add a topic policy statement for every rule of any
    // account; allowPublishFrom names this rule only.
    const topic = this.notifications.topic;
    const message = events.RuleTargetInput.fromText(
      `Pipeline ${events.EventField.fromPath('$.detail.pipeline')} execution ${events.EventField.fromPath('$.detail.execution-id')} ${events.EventField.fromPath('$.detail.state')}.`,
    );
    rule.addTarget({ bind: () => ({ arn: topic.topicArn, input: message }) });
    this.notifications.allowPublishFrom('events.amazonaws.com', [rule.ruleArn], undefined);
  }
}

/**
 * CDK Pipelines writes the deploy actions' role ARNs as Fn::Join with an empty delimiter, which
 * cfn-lint (E3703) rejects in favour of Fn::Sub; rewrite those ARNs as the equivalent Fn::Sub.
 */
function useSubForActionRoleArns(cfnPipeline: codepipeline.CfnPipeline): void {
  const stages = Stack.of(cfnPipeline).resolve(cfnPipeline.stages) as Array<{ actions?: Array<{ configuration?: Record<string, unknown> }> }>;
  stages.forEach((stage, stageIndex) =>
    (stage.actions ?? []).forEach((action, actionIndex) => {
      const sub = joinAsSub(action.configuration?.RoleArn);
      if (sub !== undefined) {
        cfnPipeline.addPropertyOverride(`Stages.${stageIndex}.Actions.${actionIndex}.Configuration.RoleArn`, { 'Fn::Sub': sub });
      }
    }),
  );
}

/** The Fn::Sub string of `{"Fn::Join": ["", [...]]}` made of strings and Refs, else undefined. */
export function joinAsSub(value: unknown): string | undefined {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!join || join[0] !== '') return undefined;
  let sub = '';
  for (const part of join[1]) {
    if (typeof part === 'string') sub += part.replace(/\$\{/g, '${!');
    else if (typeof (part as { Ref?: unknown }).Ref === 'string') sub += `\${${(part as { Ref: string }).Ref}}`;
    else return undefined;
  }
  return sub;
}

/** The routes the pipeline's smoke test requests: public ones a request without parameters satisfies. */
export function pipelineSmokeTestPaths(routeTable: RouteTable, openApi: OpenApiDocument | undefined): string[] {
  return smokeTestRoutes(routeTable.routes, openApi)
    .filter((route) => route.auth === 'none')
    .map((route) => route.path);
}

function smokeTest(id: string, apiStack: ApiStack, routeTable: RouteTable, openApi: OpenApiDocument | undefined, sourceIpAllowlist: boolean): pipelines.ShellStep {
  return new pipelines.ShellStep(id, {
    envFromCfnOutputs: { API_URL: apiStack.apiUrlOutput },
    commands: [smokeTestCommand(pipelineSmokeTestPaths(routeTable, openApi), { sourceIpAllowlist })],
  });
}

/**
 * CDK Pipelines names each asset's hash in its publishing project's buildspec, so a new function
 * package changes the pipeline's own template: the SelfMutate step then updates the pipeline,
 * which restarts and runs the Build step a second time for the same commit. Publishing every
 * asset of the manifest instead (cdk-assets skips those already published) keeps the pipeline's
 * template the same whatever the packages hold.
 */
export function publishAssetsWithoutHashes(pipeline: pipelines.CodePipeline): void {
  const assetsStage = pipeline.pipeline.stages.find((stage) => stage.stageName === 'Assets');
  if (!assetsStage) return;
  for (const construct of pipeline.node.findAll()) {
    if (!(construct instanceof codebuild.CfnProject)) continue;
    const source = Stack.of(construct).resolve(construct.source) as { buildSpec?: unknown };
    if (typeof source.buildSpec !== 'string' || !source.buildSpec.includes('cdk-assets --path')) continue;
    const spec = JSON.parse(source.buildSpec);
    const commands: string[] = spec.phases.build.commands;
    spec.phases.build.commands = [...new Set(commands.map(withoutAssetSelector))];
    construct.addPropertyOverride('Source.BuildSpec', JSON.stringify(spec, null, 2));
  }
}

/** `cdk-assets --path "M" --verbose publish "HASH:DEST"` becomes `cdk-assets --path "M" --verbose publish`. */
export function withoutAssetSelector(command: string): string {
  const match = /^(cdk-assets --path "[^"]+" --verbose publish)( "[^"]+")+$/.exec(command);
  if (!match) throw new Error(`unexpected asset publishing command: ${command}`);
  return match[1];
}

/**
 * The build compiles `bootstrap` natively, so it runs on the CPU the function runs on. The
 * Debian image is multi-platform: the same name gives the aarch64 variant on ARM.
 */
export function synthBuildImage(architecture: FunctionArchitecture): codebuild.IBuildImage {
  return architecture === 'arm64'
    ? codebuild.LinuxArmBuildImage.fromDockerRegistry(BUILD_IMAGE)
    : codebuild.LinuxBuildImage.fromDockerRegistry(BUILD_IMAGE);
}

/** The configuration as build environment variables; empty values are left out (they mean unset). */
function synthEnvironment(config: AppConfig): Record<string, string> {
  return Object.fromEntries(Object.entries(config.variables).filter(([, value]) => value !== ''));
}

/** The CDK CLI version of infra/package.json, so the pipeline's self-mutation uses the same CLI. */
function pinnedCdkCliVersion(): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
  return manifest.devDependencies['aws-cdk'];
}
