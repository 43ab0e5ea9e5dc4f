/**
 * What makes a deployment safe and observable, read from the synthesized templates: the alias
 * and CodeDeploy's traffic shifting with automatic rollback, the alarm topic's policy, the
 * access-log format, the execution-log group, tags, termination protection, pipeline failure
 * notifications, the CodeConnections grant and the pinned cdk-assets.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { accessLogFormatString, ACCESS_LOG_FIELDS } from '../lib/api-stack';
import { CDK_ASSETS_VERSION } from '../lib/pipeline-stack';
import { UNTAGGABLE_TYPES } from '../lib/tags';

import { CfnLintMatch, describeCfnLintMatch, PROJECT_CFN_LINT_RULES, runCfnLint } from './support/checks';
import { functionZipFor } from './support/function-zip';
import { copyOfDist, distFor, synthesize } from './support/synth';

const dist = distFor('x86_64');
const app = synthesize({ distDir: dist.dir });
const STAGED = synthesize({
  distDir: dist.dir,
  overrides: {
    STAGING_ENABLED: 'true',
    DEPLOYMENT_STRATEGY: 'LINEAR_10PERCENT_EVERY_1MINUTE',
    CODESTAR_CONNECTION_ARN: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/0b1c2d3e-aaaa-bbbb-cccc-111122223333',
  },
});
after(() => {
  app.dispose();
  STAGED.dispose();
  dist.dispose();
});

const API_STACKS = ['aws-cpp-stack-Api', 'aws-cpp-stack-Dev-Api'];
const PIPELINE_STACK = 'aws-cpp-stack-CodePipelineStack';

/** Every resource of a type, whole (Properties, DependsOn, UpdatePolicy), by logical id. */
function resourcesOf(template: any, type: string): Array<[string, any]> {
  return Object.entries<any>(template.Resources).filter(([, resource]) => resource.Type === type);
}

function only(template: any, type: string): any {
  const found = resourcesOf(template, type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0][1];
}

/** Renders an access-log format as API Gateway does: each $context variable replaced by its value. */
function renderAccessLog(format: string, values: Record<string, string>): string {
  return format.replace(/\$context\.[A-Za-z.]+[A-Za-z]/g, (variable) => {
    if (!(variable in values)) throw new Error(`no sample value for ${variable}`);
    return values[variable];
  });
}

describe('access log lines', () => {
  // Sample values as API Gateway writes them: "-" for a missing value, and messageString as
  // "The quoted value of $context.error.message"
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html).
  const sample = (errorMessage: string | undefined): Record<string, string> => {
    const values: Record<string, string> = Object.fromEntries(ACCESS_LOG_FIELDS.map(([, variable]) => [variable, '-']));
    Object.assign(values, {
      '$context.requestId': 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      '$context.status': errorMessage ? '403' : '200',
      '$context.httpMethod': 'GET',
      '$context.path': '/prod/v1/health',
      '$context.error.messageString': errorMessage === undefined ? '"-"' : JSON.stringify(errorMessage),
    });
    return values;
  };

  for (const [name, errorMessage] of [
    ['a successful request', undefined],
    ['a gateway error', 'Missing Authentication Token'],
    ['an error message with quotes', 'Invalid request body: "name" is required'],
  ] as const) {
    it(`is one JSON object for ${name}`, () => {
      for (const stackName of API_STACKS) {
        const stage = only(app.templateJson(stackName), 'AWS::ApiGateway::Stage');
        const format = stage.Properties.AccessLogSetting.Format;
        assert.equal(format, accessLogFormatString(), 'the deployed format');
        const line = JSON.parse(renderAccessLog(format, sample(errorMessage)));
        assert.equal(line.errorMessage, errorMessage ?? '-');
        assert.equal(line.status, errorMessage ? '403' : '200');
        assert.equal(line.requestId, 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef');
      }
    });
  }
});

describe('access log lines with hostile client values', () => {
  // The caller controls $context.identity.userAgent (the User-Agent header) and $context.path.
  // AWS's variable reference does not say how API Gateway writes quotes or backslashes in them.
  // The one recording found, a REST API's JSON access log (DataBiosphere/azul#4348, 2024-07-10,
  // https://github.com/DataBiosphere/azul/issues/4348), has a user agent made of quotes and
  // backslashes written JSON-escaped inside the quoted value:
  //   "identity_userAgent": "\"\"\\\"This is a special user-agent\\\"\"\""
  // and the rest of the line intact. These tests hold the format to that escaping: each client
  // value quoted exactly once, so an escaped value can neither end its string nor add a member.
  const CLIENT_VARIABLES = ['$context.identity.userAgent', '$context.path'];
  const escapedAsRecorded = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const RECORDED_USER_AGENT = '""\\"This is a special user-agent\\"""';
  const hostile = [
    RECORDED_USER_AGENT,
    'curl/8.0 ","status":"200","injected":"yes',
    'trailing backslash \\',
    '\\"} {"requestId":"forged',
  ];

  it('quotes each client-controlled variable exactly once (not pre-quoted)', () => {
    const format = accessLogFormatString();
    for (const variable of CLIENT_VARIABLES) {
      const field = ACCESS_LOG_FIELDS.find(([, v]) => v === variable);
      assert.ok(field, `${variable} is logged`);
      assert.ok(format.includes(`"${field[0]}":"${variable}"`), `${variable} sits inside one pair of quotes`);
    }
  });

  it('the recorded escaping renders the recorded user agent as valid JSON with the value intact', () => {
    assert.equal(JSON.parse(`"${escapedAsRecorded(RECORDED_USER_AGENT)}"`), RECORDED_USER_AGENT);
    assert.equal(`"${escapedAsRecorded(RECORDED_USER_AGENT)}"`, '"\\"\\"\\\\\\"This is a special user-agent\\\\\\"\\"\\""');
  });

  for (const value of hostile) {
    it(`stays one JSON object with user agent and path ${JSON.stringify(value)}`, () => {
      const values: Record<string, string> = Object.fromEntries(ACCESS_LOG_FIELDS.map(([, variable]) => [variable, '-']));
      Object.assign(values, {
        '$context.requestId': 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
        '$context.status': '404',
        '$context.error.messageString': '"Missing Authentication Token"',
        '$context.identity.userAgent': escapedAsRecorded(value),
        '$context.path': escapedAsRecorded(`/prod/${value}`),
      });
      const line = JSON.parse(renderAccessLog(accessLogFormatString(), values));
      assert.equal(line.userAgent, value);
      assert.equal(line.path, `/prod/${value}`);
      assert.equal(line.status, '404');
      assert.equal(line.requestId, 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef');
      assert.deepEqual(Object.keys(line), ACCESS_LOG_FIELDS.map(([name]) => name));
    });
  }
});

for (const stackName of API_STACKS) {
  describe(`safe deployment of ${stackName}`, () => {
    const json = app.templateJson(stackName);

    it('publishes a version with the alias live, and every method invokes the alias', () => {
      const [[aliasId, alias]] = resourcesOf(json, 'AWS::Lambda::Alias');
      assert.equal(alias.Properties.Name, 'live');
      assert.equal(json.Resources[alias.Properties.FunctionVersion['Fn::GetAtt'][0]].Type, 'AWS::Lambda::Version');
      const methods = resourcesOf(json, 'AWS::ApiGateway::Method').filter(([, m]) => m.Properties.HttpMethod !== 'OPTIONS');
      assert.ok(methods.length >= 3);
      for (const [id, method] of methods) {
        const uri = JSON.stringify(method.Properties.Integration.Uri);
        assert.match(uri, /:live\/invocations/, `${id} invokes the alias`);
      }
      for (const [id, permission] of resourcesOf(json, 'AWS::Lambda::Permission').filter(([, p]) => p.Properties.Principal === 'apigateway.amazonaws.com')) {
        assert.match(JSON.stringify(permission.Properties.FunctionName), /:live"/, `${id} lets API Gateway invoke the alias`);
        assert.ok(permission.DependsOn?.includes(aliasId), `${id} is created after the alias`);
      }
      const stageId = resourcesOf(json, 'AWS::ApiGateway::Stage')[0][0];
      assert.ok(alias.DependsOn?.includes(stageId), 'the alias (and CodeDeploy) moves after the stage is updated');
    });

    it('shifts traffic with CodeDeploy, watching the alias alarms and 5XX answers, and rolls back by itself', () => {
      const group = only(json, 'AWS::CodeDeploy::DeploymentGroup').Properties;
      assert.match(JSON.stringify(group.DeploymentConfigName), /Canary10Percent5Minutes/, 'DEPLOYMENT_STRATEGY of .env.example');
      assert.deepEqual(group.AutoRollbackConfiguration, { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] });
      assert.equal(group.AlarmConfiguration.Enabled, true);
      const watched = group.AlarmConfiguration.Alarms.map((a: any) => json.Resources[a.Name.Ref]);
      const lambdaAlarms = watched.filter((alarm: any) => alarm.Properties.Namespace === 'AWS/Lambda');
      const dimensions = lambdaAlarms.map((alarm: any) => [alarm.Properties.MetricName, JSON.stringify(alarm.Properties.Dimensions)]);
      assert.deepEqual(dimensions.map(([metric]: string[]) => metric).sort(), ['Duration', 'Errors']);
      for (const [, dims] of dimensions) assert.match(dims, /"Name":"Resource".*:live/, 'alarms of the alias, not the whole function');
      // Handled errors are JSON 500s, not Lambda errors: the API's 5XX share and the function's per-route Errors.
      const serverErrors = watched.find((alarm: any) => alarm.Properties.MetricName === '5XXError');
      assert.equal(serverErrors?.Properties.Statistic, 'Average');
      const routeErrors = watched.filter((alarm: any) => alarm.Properties.Metrics !== undefined);
      assert.equal(routeErrors.length, 1);
      assert.deepEqual(
        routeErrors[0].Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'route').Value).sort(),
        ['GET /v1', 'GET /v1/health', 'GET /v1/metadata'],
      );
      assert.equal(watched.length, 4, "the alias errors and duration, the 5XX share, the routes' errors");

      const alias = resourcesOf(json, 'AWS::Lambda::Alias')[0][1];
      const update = alias.UpdatePolicy.CodeDeployLambdaAliasUpdate;
      assert.ok(update.AfterAllowTrafficHook, 'a post-traffic smoke test');
      const hook = json.Resources[update.AfterAllowTrafficHook.Ref].Properties;
      // The resource ids are references: a Fn::Join whose parts stand inside the JSON strings.
      const routesJson = hook.Environment.Variables.SMOKE_TEST_ROUTES['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : 'reference')).join('');
      const checked = JSON.parse(routesJson).map((r: any) => r.path);
      assert.deepEqual(checked.sort(), ['/v1', '/v1/health', '/v1/metadata']);
      assert.ok(hook.Environment.Variables.REST_API_ID, 'TestInvokeMethod needs the API id');
      assert.match(JSON.stringify(hook.Environment.Variables.API_BASE_URL), /execute-api.*\/prod"/);
    });

    it('lets only its own alarms (and TLS) publish to the alarm topic', () => {
      const policy = only(json, 'AWS::SNS::TopicPolicy').Properties.PolicyDocument.Statement;
      const deny = policy.find((s: any) => s.Effect === 'Deny');
      assert.deepEqual(deny.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
      const allow = policy.find((s: any) => s.Effect === 'Allow' && s.Principal?.Service === 'cloudwatch.amazonaws.com');
      assert.ok(allow, 'CloudWatch may publish: a topic policy replaces the default one');
      assert.equal(allow.Action, 'sns:Publish');
      assert.deepEqual(allow.Condition.StringEquals, { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
      const alarmIds = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([id]) => id).sort();
      assert.deepEqual(allow.Condition.ArnLike['aws:SourceArn'].map((arn: any) => arn['Fn::GetAtt'][0]).sort(), alarmIds);
      const topic = only(json, 'AWS::SNS::Topic');
      const key = json.Resources[topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0]].Properties.KeyPolicy.Statement;
      const keyGrant = key.find((s: any) => s.Principal?.Service === 'cloudwatch.amazonaws.com');
      assert.deepEqual(keyGrant.Action.sort(), ['kms:Decrypt', 'kms:GenerateDataKey*']);
      assert.match(JSON.stringify(keyGrant.Condition.ArnLike['aws:SourceArn']), /:cloudwatch:.*:alarm:\*/);
    });

    it('alarms on the 4XX rate and on the integration latency', () => {
      const alarms = resourcesOf(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
      const clientErrors = alarms.find((a) => a.MetricName === '4XXError');
      assert.equal(clientErrors.Statistic, 'Average');
      assert.equal(clientErrors.Threshold, 0.1, 'ALARM_4XX_RATE_PERCENT=10');
      const integration = alarms.find((a) => a.MetricName === 'IntegrationLatency');
      assert.equal(integration.ExtendedStatistic, 'p99');
      assert.equal(integration.Threshold, 2000);
    });

    it('creates the execution-log group API Gateway writes to, with a retention, before the stage', () => {
      const [[groupId, group]] = resourcesOf(json, 'AWS::Logs::LogGroup').filter(([, g]) => JSON.stringify(g.Properties.LogGroupName ?? '').includes('API-Gateway-Execution-Logs_'));
      const apiId = resourcesOf(json, 'AWS::ApiGateway::RestApi')[0][0];
      assert.deepEqual(group.Properties.LogGroupName, { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: apiId }, '/prod']] });
      assert.equal(group.Properties.RetentionInDays, 30);
      const [, stage] = resourcesOf(json, 'AWS::ApiGateway::Stage')[0];
      assert.ok(stage.DependsOn?.includes(groupId));
    });

    it('tags every taggable resource with Application and Stage', () => {
      const stage = stackName === 'aws-cpp-stack-Api' ? 'prod' : 'dev';
      let tagged = 0;
      for (const [id, resource] of Object.entries<any>(json.Resources)) {
        const tags = resource.Properties?.Tags;
        if (!Array.isArray(tags)) continue;
        tagged += 1;
        assert.ok(tags.some((t: any) => t.Key === 'Application' && t.Value === 'aws-cpp-stack'), `${id} Application`);
        assert.ok(tags.some((t: any) => t.Key === 'Stage' && t.Value === stage), `${id} Stage`);
      }
      assert.ok(tagged > 10, `${tagged} tagged resources`);
      // Resources whose Tags are a map rather than a list.
      const queue = resourcesOf(json, 'AWS::SQS::Queue')[0][1];
      assert.ok(queue.Properties.Tags.some((t: any) => t.Key === 'Stage'));
    });
  });
}

/** The resource type a match of the project's tag rules is about (its message starts with it). */
function resourceTypeOf(match: CfnLintMatch): string {
  return match.Message.split(' ')[0];
}

describe('cost allocation tags', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-tags-'));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const TAGS = [
    { Key: 'Application', Value: 'aws-cpp-stack' },
    { Key: 'Stage', Value: 'prod' },
  ];
  const writeTemplate = (name: string, resources: object): string => {
    const file = path.join(scratch, `${name}.template.json`);
    fs.writeFileSync(file, JSON.stringify({ Resources: resources }));
    return file;
  };
  const queues = writeTemplate('queues', {
    Untagged: { Type: 'AWS::SQS::Queue', Properties: {} },
    Tagged: { Type: 'AWS::SQS::Queue', Properties: { Tags: TAGS } },
  });
  const taggedExceptions = writeTemplate('tagged-exceptions', {
    Dashboard: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: '{"widgets":[]}', Tags: TAGS } },
    Webhook: {
      Type: 'AWS::CodePipeline::Webhook',
      Properties: {
        Authentication: 'GITHUB_HMAC',
        AuthenticationConfiguration: { SecretToken: 'token' },
        Filters: [{ JsonPath: '$.ref', MatchEquals: 'refs/heads/main' }],
        TargetAction: 'Source',
        TargetPipeline: 'pipeline',
        TargetPipelineVersion: 1,
        Tags: TAGS,
      },
    },
  });
  // One cfn-lint run with the project's tag rules over every template of this block, made on
  // first use: cfn-lint's start-up is most of each run, and the tests read the same answers.
  let lintedOnce: CfnLintMatch[] | undefined;
  const matchesOf = (files: readonly string[]): CfnLintMatch[] => {
    lintedOnce ??= runCfnLint([queues, taggedExceptions, ...app.templateFiles(), ...STAGED.templateFiles()], 'cfn-lint', [
      '--append-rules',
      PROJECT_CFN_LINT_RULES,
    ]);
    return lintedOnce.filter((m) => files.includes(m.Filename));
  };

  it('the tag rule reports a taggable resource without the tags, and not one with them', () => {
    assert.deepEqual(
      matchesOf([queues])
        .filter((m) => m.Rule.Id === 'E9101')
        .map((m) => m.Message),
      ['AWS::SQS::Queue Untagged has no Application or Stage tag'],
    );
  });

  it('every resource of a type taggable in every region carries Application and Stage, in every configuration', () => {
    for (const synthesized of [app, STAGED]) {
      const files = synthesized.templateFiles();
      assert.ok(files.length > 0);
      const missing = matchesOf(files).filter((m) => m.Rule.Id === 'E9101');
      assert.deepEqual(missing.map(describeCfnLintMatch), []);
    }
  });

  it('leaves untagged only the named exceptions: dashboards and webhooks', () => {
    assert.deepEqual([...UNTAGGABLE_TYPES], ['AWS::CloudWatch::Dashboard', 'AWS::CodePipeline::Webhook']);
    const partlyTaggable = matchesOf([...app.templateFiles(), ...STAGED.templateFiles()]).filter((m) => m.Rule.Id === 'W9102');
    assert.ok(partlyTaggable.length > 0, 'the API stacks have a dashboard');
    assert.deepEqual([...new Set(partlyTaggable.map(resourceTypeOf))], ['AWS::CloudWatch::Dashboard']);
    const untagged = [app, STAGED].flatMap((synthesized) =>
      synthesized.stacks.flatMap((stack) =>
        Object.values<any>(stack.template.Resources).filter((r) => UNTAGGABLE_TYPES.includes(r.Type)),
      ),
    );
    assert.deepEqual([...new Set(untagged.map((r) => r.Type))].sort(), [...UNTAGGABLE_TYPES].sort(), 'both occur: the exceptions are needed');
    for (const resource of untagged) assert.equal(resource.Properties.Tags, undefined);
  });

  it('the exceptions are real: the CloudFormation schemas cfn-lint ships reject Tags on both types (us-east-1)', () => {
    const matches = matchesOf([taggedExceptions]);
    const rejected = matches.filter((m) => m.Rule.Id === 'E3002' && /Tags/.test(m.Message)).map((m) => m.Message);
    assert.equal(rejected.length, 2, matches.map(describeCfnLintMatch).join('\n'));
  });
});

describe('an unchanged package', () => {
  /** The function's code key and its published version's logical id in the dev stack. */
  const deployedCode = (distDir: string) => {
    const synthesized = synthesize({ distDir });
    try {
      const json = synthesized.templateJson('aws-cpp-stack-Dev-Api');
      const fn = resourcesOf(json, 'AWS::Lambda::Function').find(([, f]) => f.Properties.Runtime === 'provided.al2023')![1];
      const [[versionId]] = resourcesOf(json, 'AWS::Lambda::Version');
      return { key: fn.Properties.Code.S3Key, versionId };
    } finally {
      synthesized.dispose();
    }
  };

  it('deploys the same code and no new version; other bytes publish a new one', () => {
    const copy = copyOfDist();
    const rebuilt = copyOfDist({ functionZip: functionZipFor('x86_64') });
    try {
      const original = deployedCode(dist.dir);
      // The same bytes packaged again (a rebuild of an unchanged commit) in another directory.
      assert.deepEqual(deployedCode(copy), original);
      const changed = deployedCode(rebuilt);
      assert.notEqual(changed.key, original.key);
      assert.notEqual(changed.versionId, original.versionId);
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
      fs.rmSync(rebuilt, { recursive: true, force: true });
    }
  });
});

describe('stacks', () => {
  it('protects the production API stack, and only it, from deletion', () => {
    const protectedStacks = app.stacks.filter((stack) => stack.terminationProtection).map((stack) => stack.stackName);
    assert.deepEqual(protectedStacks, ['aws-cpp-stack-Api']);
    const staged = STAGED.stacks.filter((stack) => stack.terminationProtection).map((stack) => stack.stackName);
    assert.deepEqual(staged, ['aws-cpp-stack-Api']);
  });

  it('follows DEPLOYMENT_STRATEGY in staging and production', () => {
    for (const stackName of ['aws-cpp-stack-Staging-Api', 'aws-cpp-stack-Api']) {
      const group = only(STAGED.templateJson(stackName), 'AWS::CodeDeploy::DeploymentGroup').Properties;
      assert.match(JSON.stringify(group.DeploymentConfigName), /Linear10PercentEvery1Minute/);
    }
  });
});

describe(`pipeline ${PIPELINE_STACK}`, () => {
  const json = app.templateJson(PIPELINE_STACK);

  it('publishes failed runs to an encrypted notification topic through EventBridge', () => {
    const [[ruleId, rule]] = resourcesOf(json, 'AWS::Events::Rule');
    assert.deepEqual(rule.Properties.EventPattern['detail-type'], ['CodePipeline Pipeline Execution State Change']);
    assert.deepEqual(rule.Properties.EventPattern.detail, { state: ['FAILED'] });
    const pipelineId = resourcesOf(json, 'AWS::CodePipeline::Pipeline')[0][0];
    assert.match(JSON.stringify(rule.Properties.EventPattern.resources), new RegExp(pipelineId));
    const topicId = rule.Properties.Targets[0].Arn.Ref;
    assert.equal(json.Resources[topicId].Type, 'AWS::SNS::Topic');
    assert.ok(json.Resources[topicId].Properties.KmsMasterKeyId);
    const statements = only(json, 'AWS::SNS::TopicPolicy').Properties.PolicyDocument.Statement;
    const allow = statements.find((s: any) => s.Principal?.Service === 'events.amazonaws.com');
    assert.deepEqual(allow.Condition.ArnLike['aws:SourceArn'], [{ 'Fn::GetAtt': [ruleId, 'Arn'] }]);
    assert.ok(statements.some((s: any) => s.Effect === 'Deny' && s.Condition.Bool['aws:SecureTransport'] === 'false'));
  });

  it('installs the pinned cdk-assets in the asset publishing projects', () => {
    const specs = resourcesOf(json, 'AWS::CodeBuild::Project').map(([, p]) => String(p.Properties.Source.BuildSpec));
    const installs = specs.filter((spec) => spec.includes('cdk-assets'));
    assert.ok(installs.length >= 1);
    for (const spec of installs) {
      assert.ok(spec.includes(`npm install -g cdk-assets@${CDK_ASSETS_VERSION}`), spec);
      assert.ok(!spec.includes('cdk-assets@latest'));
    }
    assert.match(CDK_ASSETS_VERSION, /^\d+\.\d+\.\d+$/);
  });

  it('passes the commit date to the build, for a reproducible build time', () => {
    const pipeline = only(json, 'AWS::CodePipeline::Pipeline');
    const synth = pipeline.Properties.Stages.find((s: any) => s.Name === 'Build').Actions[0];
    const variables = JSON.parse(synth.Configuration.EnvironmentVariables);
    const date = variables.find((v: any) => v.name === 'SOURCE_AUTHOR_DATE');
    const source = pipeline.Properties.Stages[0].Actions[0];
    assert.equal(date.value, `#{${source.Namespace}.AuthorDate}`);
  });

  it('grants both CodeConnections action names on the connection', () => {
    const connection = 'arn:aws:codeconnections:eu-west-1:123456789012:connection/0b1c2d3e-aaaa-bbbb-cccc-111122223333';
    const staged = STAGED.templateJson(PIPELINE_STACK);
    const statements = resourcesOf(staged, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const granted = new Set(statements.filter((s: any) => s.Resource === connection).flatMap((s: any) => [s.Action].flat()));
    assert.ok(granted.has('codestar-connections:UseConnection'));
    assert.ok(granted.has('codeconnections:UseConnection'));
  });
});
