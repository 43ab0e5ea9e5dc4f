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

import { CfnOutput, SecretValue, Stack, StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as codepipelineActions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';

import { ApiStack, smokeTestRoutes } from './api-stack';
import { ApiStage } from './api-stage';
import { AppConfig, FunctionArchitecture } from './config';
import { NotificationTopic } from './monitoring';
import { addProductionStages, stagingEnvironment } from './regions';
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
export function smokeTestCommand(paths: readonly string[]): string {
  return [
    'failed=0',
    `for path in ${paths.map((p) => `'${p}'`).join(' ')}; do` +
      ' url="${API_URL%/}$path";' +
      ' status=$(curl --silent --show-error --retry 5 --retry-delay 5 --max-time 10 --output smoke-test-body.txt --write-out "%{http_code}" "$url");' +
      ' echo "GET $url -> HTTP $status"; head -c 300 smoke-test-body.txt; echo;' +
      ' case "$status" in 2??) ;; *) failed=1 ;; esac;' +
      ' done',
    'test "$failed" = 0',
  ].join('; ');
}
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
      },
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
    if (config.stagingEnabled) {
      this.staging = new ApiStage(this, `${config.application}-Staging`, { ...stageInputs, env: stagingEnvironment(config, props.env), deploymentName: 'staging' });
      this.pipeline.addStage(this.staging, { post: [smokeTest('SmokeTestStaging', this.staging.apiStack, props.routeTable)] });
    }
    this.productionStages = addProductionStages(this, this.pipeline, {
      ...stageInputs,
      pre:
        this.staging && config.manualApproval
          ? [new pipelines.ManualApprovalStep('PromoteToProduction', { comment: 'Staging passed its smoke test. Deploy to production?' })]
          : [],
      smokeTest: (id, apiStack) => smokeTest(id, apiStack, props.routeTable),
    });
    this.production = this.productionStages[0];

    // Built here rather than at synthesis so its constructs can be addressed (nag suppressions).
    this.pipeline.buildPipeline();
    useSubForActionRoleArns(this.pipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline);
    if (config.codeStarConnectionArn) this.grantConnectionUse(config.codeStarConnectionArn);
    this.notifyOnFailure();
    new CfnOutput(this, 'NotificationTopicArn', { value: this.notifications.topic.topicArn });
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

function smokeTest(id: string, apiStack: ApiStack, routeTable: RouteTable): pipelines.ShellStep {
  const paths = smokeTestRoutes(routeTable.routes)
    .filter((route) => route.auth === 'none')
    .map((route) => route.path);
  return new pipelines.ShellStep(id, {
    envFromCfnOutputs: { API_URL: apiStack.apiUrlOutput },
    commands: [smokeTestCommand(paths)],
  });
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
