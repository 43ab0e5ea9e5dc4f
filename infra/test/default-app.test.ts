/**
 * The app as `make synth` builds it on a fresh clone: .env.example's configuration (x86_64),
 * the real dist/ of the C++ build. Synthesized once; every check below reads that one assembly.
 * Where the build ran on ARM (the pipeline with FUNCTION_ARCHITECTURE=arm64), the real bootstrap
 * cannot serve an x86_64 configuration, so a copy of dist/ with an x86_64 test package stands in.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { Match } from 'aws-cdk-lib/assertions';

import { apiFunction, deployedMethods, onlyResource, resourcesOfType, routeKey, routesOf } from './support/api-template';
import { describeCfnLintMatch, runCfnLint, unacknowledgedFindings, unusedAcknowledgements } from './support/checks';
import { distFor, synthesize } from './support/synth';

const dist = distFor('x86_64');
const distDir = dist.dir;
const app = synthesize({ distDir });
after(() => {
  app.dispose();
  dist.dispose();
});

const routes = routesOf(distDir);
const API_STACKS = ['aws-cpp-stack-Api', 'aws-cpp-stack-Dev-Api'];
const PIPELINE_STACK = 'aws-cpp-stack-CodePipelineStack';

it('synthesizes the pipeline stack, the production API stage and the standalone dev API', () => {
  assert.deepEqual(app.stacks.map((stack) => stack.stackName).sort(), [PIPELINE_STACK, ...API_STACKS].sort());
});

for (const stackName of API_STACKS) {
  describe(`API stack ${stackName}`, () => {
    const template = app.template(stackName);
    const json = app.templateJson(stackName);

    it('runs the bootstrap binary on provided.al2023, x86_64, with active tracing and its own log group', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'provided.al2023',
        Handler: 'bootstrap',
        Architectures: ['x86_64'],
        MemorySize: 256,
        Timeout: 10,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FunctionLogs') } },
        Environment: { Variables: Match.objectLike({ APPLICATION: 'aws-cpp-stack', LOG_LEVEL: 'INFO' }) },
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AsyncInvokeDeadLetterQueue'), 'Arn'] } },
      });
      const fn = apiFunction(json);
      assert.equal(fn.ReservedConcurrentExecutions, undefined, 'no reserved concurrency unless configured');
      const logGroupId = fn.LoggingConfig.LogGroup.Ref;
      assert.equal(json.Resources[logGroupId].Properties.RetentionInDays, 30);
    });

    it('deploys dist/function.zip unchanged as the function code', () => {
      const fn = apiFunction(json);
      const stack = app.stacks.find((candidate) => candidate.stackName === stackName)!;
      const manifestFile = stack.dependencies.find((dependency) => dependency.id === `${stack.id}.assets`)!.manifest.properties as { file: string };
      const assets = JSON.parse(fs.readFileSync(path.join(stack.assembly.directory, manifestFile.file), 'utf8'));
      const entry = Object.values<any>(assets.files).find((file) => Object.values<any>(file.destinations).some((d) => d.objectKey === fn.Code.S3Key));
      assert.equal(entry.source.packaging, 'file', 'uploaded as is');
      const asset = path.join(stack.assembly.directory, entry.source.path);
      assert.ok(fs.readFileSync(asset).equals(fs.readFileSync(path.join(distDir, 'function.zip'))), 'the asset is the zip itself, not a re-packaged copy');
    });

    it('sends failed asynchronous invocations to an encrypted dead-letter queue that only accepts TLS', () => {
      template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
    });

    it('lets the function write only to its own log group (no managed policy)', () => {
      const roles = resourcesOfType(json, 'AWS::IAM::Role').filter(([id]) => id.startsWith('FunctionRole'));
      assert.equal(roles.length, 1);
      assert.equal(roles[0][1].ManagedPolicyArns, undefined);
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FunctionLogs'), 'Arn'] } }),
          ]),
        },
      });
    });

    it('serves exactly the routes of dist/routes.json, each a Lambda proxy integration', () => {
      const methods = deployedMethods(json);
      assert.deepEqual(methods.map((m) => m.key).sort(), routes.map(routeKey).sort());
      for (const method of methods) {
        const route = routes.find((r) => routeKey(r) === method.key)!;
        assert.equal(method.properties.Integration.Type, 'AWS_PROXY', method.key);
        assert.equal(method.properties.Integration.IntegrationHttpMethod, 'POST', method.key);
        assert.equal(method.properties.ApiKeyRequired, route.auth === 'apiKey', method.key);
        assert.match(method.properties.RequestValidatorId.Ref, /^ApiRequestValidator/, method.key);
      }
    });

    it('by default adds no CORS preflight, no gateway response but the validation 400s, no authorizer or pool, no resource policy, quota or WAF', () => {
      assert.ok(deployedMethods(json).every((m) => m.properties.HttpMethod !== 'OPTIONS'));
      // The gateway's own 400s answer in the function's error shape (request-validation.ts), without CORS headers.
      const responses = resourcesOfType(json, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => r);
      assert.deepEqual(responses.map((r) => r.ResponseType).sort(), ['BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS']);
      for (const response of responses) assert.equal(response.ResponseParameters, undefined);
      for (const type of ['AWS::ApiGateway::Authorizer', 'AWS::Cognito::UserPool', 'AWS::WAFv2::WebACL']) {
        assert.deepEqual(resourcesOfType(json, type), [], type);
      }
      assert.equal(onlyResource(json, 'AWS::ApiGateway::RestApi').Policy, undefined);
      for (const [, plan] of resourcesOfType(json, 'AWS::ApiGateway::UsagePlan')) assert.equal(plan.Quota, undefined);
      const variables = apiFunction(json).Environment.Variables;
      assert.equal(variables.METRICS_NAMESPACE, `aws-cpp-stack/${stackName === 'aws-cpp-stack-Api' ? 'prod' : 'dev'}`, "APPLICATION, then the stage");
      assert.deepEqual(Object.keys(variables).filter((name) => name.startsWith('CORS_') || name.startsWith('COGNITO_')), []);
    });

    it('validates request parameters and bodies', () => {
      template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    });

    it('grants API Gateway one invoke permission scoped to this API', () => {
      const permissions = resourcesOfType(json, 'AWS::Lambda::Permission');
      assert.equal(permissions.length, 1);
      assert.equal(permissions[0][1].Principal, 'apigateway.amazonaws.com');
      assert.match(JSON.stringify(permissions[0][1].SourceArn), /"Ref":"Api[0-9A-F]{8}"/);
    });

    it('deploys stage prod with throttling, tracing, JSON access logs and execution logging', () => {
      const stage = onlyResource(json, 'AWS::ApiGateway::Stage');
      assert.equal(stage.StageName, 'prod');
      assert.equal(stage.TracingEnabled, true);
      assert.equal(stage.CacheClusterEnabled, undefined, 'no cache cluster while no route is cached');
      const defaults = stage.MethodSettings.find((s: any) => s.HttpMethod === '*' && s.ResourcePath === '/*');
      assert.equal(defaults.ThrottlingRateLimit, 100);
      assert.equal(defaults.ThrottlingBurstLimit, 200);
      assert.equal(defaults.LoggingLevel, 'ERROR');
      assert.equal(defaults.MetricsEnabled, true);
      assert.equal(defaults.DataTraceEnabled, false);
      // messageString is written already quoted (deployment-safety.test.ts renders whole lines).
      const format = JSON.parse(stage.AccessLogSetting.Format.replace('$context.error.messageString', '"$context.error.messageString"'));
      assert.equal(format.requestId, '$context.requestId');
      assert.equal(format.status, '$context.status');
      assert.equal(format.xrayTraceId, '$context.xrayTraceId');
      assert.match(stage.AccessLogSetting.DestinationArn['Fn::GetAtt'][0], /^ApiAccessLogs/);
    });

    it('sets the account-level CloudWatch role so execution logging works on a first deployment', () => {
      const account = onlyResource(json, 'AWS::ApiGateway::Account');
      assert.match(account.CloudWatchRoleArn['Fn::GetAtt'][0], /^ApiCloudWatchRole/);
    });

    it('needs no usage plan or API key while no route asks for one', () => {
      template.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
      template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
    });

    it('outputs the API URL and the URL of every route', () => {
      const outputs = json.Outputs;
      assert.ok(outputs.ApiUrl);
      for (const route of routes) {
        const output = Object.values<any>(outputs).find((o) => o.Description?.startsWith(`${routeKey(route)}:`));
        assert.ok(output, `an output for ${routeKey(route)}`);
        const parts = output.Value['Fn::Join'][1];
        assert.equal(parts[parts.length - 1], route.path, `the URL of ${routeKey(route)} ends with its path`);
      }
    });

    it('alarms on 5XX, p99 latency, function errors, throttles and dead letters, notifying an encrypted topic', () => {
      const alarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a);
      const builtIn = alarms.filter((a) => a.Namespace?.startsWith('AWS/'));
      const byMetric = (name: string) => builtIn.find((a) => a.MetricName === name);
      assert.equal(byMetric('5XXError')?.Namespace, 'AWS/ApiGateway');
      assert.equal(byMetric('Latency')?.ExtendedStatistic, 'p99');
      assert.equal(byMetric('Latency')?.Threshold, 2000);
      assert.equal(byMetric('Errors')?.Namespace, 'AWS/Lambda');
      assert.equal(byMetric('Throttles')?.Namespace, 'AWS/Lambda');
      assert.equal(byMetric('ApproximateNumberOfMessagesVisible')?.Namespace, 'AWS/SQS');
      assert.equal(builtIn.length, 10, '5 above, 4XX and 5XX rates, integration latency, and the alias errors and duration');
      const perRoute = alarms.filter((a) => a.Namespace === apiFunction(json).Environment.Variables.METRICS_NAMESPACE);
      assert.deepEqual(
        perRoute.map((a) => `${a.MetricName} ${a.Dimensions.find((d: any) => d.Name === 'route').Value}`).sort(),
        routes.map((r) => `Errors ${routeKey(r)}`).sort(),
        "one 5XX alarm per route, on the function's metrics in the stage's namespace",
      );
      const deployment = alarms.filter((a) => a.Metrics !== undefined);
      assert.equal(deployment.length, 1, 'the routes of the table, summed for CodeDeploy');
      assert.equal(alarms.length, builtIn.length + perRoute.length + deployment.length);
      for (const alarm of alarms) {
        assert.equal(alarm.AlarmActions.length, 1);
        assert.match(alarm.AlarmActions[0].Ref, /AlarmsTopic/);
        assert.equal(alarm.TreatMissingData, 'notBreaching');
      }
      const topic = onlyResource(json, 'AWS::SNS::Topic');
      const keyId = topic.KmsMasterKeyId['Fn::GetAtt'][0];
      assert.equal(json.Resources[keyId].Properties.EnableKeyRotation, true);
      template.resourceCountIs('AWS::SNS::Subscription', 0);
    });

    it('has a dashboard of the API and the function', () => {
      const dashboard = onlyResource(json, 'AWS::CloudWatch::Dashboard');
      const body = JSON.stringify(dashboard.DashboardBody);
      for (const metric of ['5XXError', 'Latency', 'Invocations', 'Duration', 'ConcurrentExecutions']) {
        assert.ok(body.includes(metric), `dashboard shows ${metric}`);
      }
    });
  });
}

describe(`pipeline stack ${PIPELINE_STACK} (GitHub token source)`, () => {
  const template = app.template(PIPELINE_STACK);
  const json = app.templateJson(PIPELINE_STACK);
  const pipeline = onlyResource(json, 'AWS::CodePipeline::Pipeline');
  const stage = (name: string) => pipeline.Stages.find((s: any) => s.Name === name);
  const project = (idPrefix: string) => {
    const found = resourcesOfType(json, 'AWS::CodeBuild::Project').filter(([id]) => id.startsWith(idPrefix));
    assert.equal(found.length, 1, `one CodeBuild project ${idPrefix}*`);
    return found[0][1];
  };

  it('pulls GitHub with the github-token secret, triggered by a webhook', () => {
    const [source] = stage('Source').Actions;
    assert.deepEqual(source.ActionTypeId, { Category: 'Source', Owner: 'ThirdParty', Provider: 'GitHub', Version: '1' });
    assert.equal(source.Configuration.Owner, 'your-github-user');
    assert.equal(source.Configuration.Repo, 'aws-cpp-stack');
    assert.equal(source.Configuration.Branch, 'main');
    assert.equal(source.Configuration.OAuthToken, '{{resolve:secretsmanager:github-token:SecretString:::}}');
    assert.equal(source.Configuration.PollForSourceChanges, false);
    template.hasResourceProperties('AWS::CodePipeline::Webhook', {
      Authentication: 'GITHUB_HMAC',
      AuthenticationConfiguration: { SecretToken: '{{resolve:secretsmanager:github-token:SecretString:::}}' },
      RegisterWithThirdParty: true,
      TargetAction: source.Name,
    });
  });

  it('builds on Debian bookworm with the project\'s own scripts and synthesizes into infra/cdk.out', () => {
    const synth = project('PipelineBuildSynth');
    assert.equal(synth.Environment.Image, 'public.ecr.aws/docker/library/debian:bookworm');
    assert.equal(synth.Environment.Type, 'LINUX_CONTAINER', 'x86_64, as the function');
    const spec = JSON.parse(synth.Source.BuildSpec);
    // Through bash: the GitHub source zip keeps no executable bits. install-deps.sh installs
    // cfn-lint itself (make rehearse runs these commands on a clean Debian root).
    assert.deepEqual(spec.phases.install.commands, ['bash scripts/install-deps.sh']);
    assert.deepEqual(spec.phases.build.commands, [
      'export SOURCE_DATE_EPOCH="$(date -u -d "$SOURCE_AUTHOR_DATE" +%s)"',
      'make test',
      'make package',
      'cd infra && npx cdk synth',
    ]);
    assert.equal(spec.artifacts['base-directory'], 'infra/cdk.out');
    const variables = Object.fromEntries(synth.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
    assert.equal(variables.CDK_DISABLE_CLI_TELEMETRY, 'true');
    assert.equal(variables.APPLICATION, 'aws-cpp-stack', 'the build synthesizes with the same configuration');
  });

  it('deploys the application stage, then smoke-tests every parameter-free GET route from the stack output', () => {
    const appStage = stage('aws-cpp-stack');
    assert.ok(appStage, 'a pipeline stage named after APPLICATION');
    const deploy = appStage.Actions.find((a: any) => a.ActionTypeId.Provider === 'CloudFormation' && a.Configuration.ActionMode === 'CHANGE_SET_EXECUTE');
    assert.equal(deploy.Configuration.StackName, 'aws-cpp-stack-Api');
    const smoke = appStage.Actions.find((a: any) => a.Name === 'SmokeTest');
    assert.ok(smoke.RunOrder > deploy.RunOrder, 'the smoke test runs after the deployment');
    const variables = JSON.parse(smoke.Configuration.EnvironmentVariables);
    assert.equal(variables.length, 1);
    assert.equal(variables[0].name, 'API_URL');
    assert.match(variables[0].value, /^#\{[A-Za-z0-9]+\.ApiUrl\}$/);
    const spec = JSON.parse(project('PipelineawscppstackSmokeTest').Source.BuildSpec);
    const command = spec.phases.build.commands.join('\n');
    const publicGetPaths = routes.filter((r) => r.method === 'GET' && r.auth === 'none' && !r.path.includes('{')).map((r) => r.path);
    assert.ok(publicGetPaths.length >= 3, 'the table has several public GET routes');
    assert.match(command, new RegExp(`for path in ${publicGetPaths.map((p) => `'${p}'`).join(' ')}; do`));
    assert.match(command, /curl [^\n]*"\$url"/);
    assert.match(command, /test "\$failed" = 0$/);
    assert.equal(pipeline.Stages.some((s: any) => s.Actions.some((a: any) => a.ActionTypeId.Category === 'Approval')), false, 'no approval without staging');
  });

  it('encrypts artifacts with a rotating KMS key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const [[, bucket]] = resourcesOfType(json, 'AWS::S3::Bucket').filter(([id]) => id.includes('ArtifactsBucket'));
    const encryption = bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
    assert.equal(encryption.SSEAlgorithm, 'aws:kms');
    assert.match(encryption.KMSMasterKeyID['Fn::GetAtt'][0], /ArtifactsBucketEncryptionKey/);
    assert.deepEqual(bucket.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  });

  it('updates itself with the pinned CDK CLI', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    const spec = JSON.parse(project('PipelineUpdatePipelineSelfMutation').Source.BuildSpec);
    assert.deepEqual(spec.phases.install.commands, [`npm install -g aws-cdk@${manifest.devDependencies['aws-cdk']}`]);
  });
});

describe('static checks of the default app', () => {
  it('cdk-nag AwsSolutions: no unacknowledged error or warning in any stack', () => {
    const findings = unacknowledgedFindings(app.built.app);
    assert.deepEqual(findings, []);
  });

  it('every cdk-nag acknowledgement silences a finding of exactly its id in this configuration', () => {
    assert.deepEqual(unusedAcknowledgements(app.built.app), []);
  });

  it('every acknowledged cdk-nag finding carries a reason', () => {
    const suppressed = app.stacks.flatMap((stack) =>
      Object.values<any>(stack.template.Resources).flatMap((resource) => resource.Metadata?.cdk_nag?.rules_to_suppress ?? []),
    );
    assert.ok(suppressed.length > 0);
    for (const suppression of suppressed) assert.ok(suppression.reason.length >= 40, `${suppression.id}: ${suppression.reason}`);
  });

  it('cfn-lint: no error in any synthesized template', (t) => {
    const matches = runCfnLint(app.templateFiles());
    for (const match of matches) t.diagnostic(describeCfnLintMatch(match));
    assert.deepEqual(matches.filter((m) => m.Level === 'Error').map(describeCfnLintMatch), []);
  });
});
