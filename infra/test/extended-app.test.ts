/**
 * The app with every option turned the other way and a routes.json grown by three routes
 * (an API-key POST with its own throttle, a cached GET with a path parameter, a greedy ANY):
 * a copy of the real dist/ with the routes appended and, for FUNCTION_ARCHITECTURE=arm64, a
 * function.zip whose bootstrap is an aarch64 ELF executable. Synthesized once.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';

import { Match } from 'aws-cdk-lib/assertions';

import { resolveDistDir } from '../lib/route-table';
import { apiFunction, deployedMethods, onlyResource, resourcesOfType, routeKey, routesOf } from './support/api-template';
import { describeCfnLintMatch, runCfnLint, unacknowledgedFindings, unusedAcknowledgements } from './support/checks';
import { functionZipFor } from './support/function-zip';
import { copyOfDist, synthesize } from './support/synth';

const EXTRA_ROUTES = [
  { method: 'POST', path: '/v1/items', handler: 'create_item', summary: 'Create an item', auth: 'apiKey', cacheTtlSeconds: 0, throttle: { rateLimit: 5, burstLimit: 10 } },
  { method: 'GET', path: '/v1/items/{id}', handler: 'get_item', summary: 'One item', auth: 'none', cacheTtlSeconds: 60, throttle: null },
  { method: 'ANY', path: '/v1/files/{proxy+}', handler: 'files', summary: 'Files below a prefix', auth: 'apiKey', cacheTtlSeconds: 0, throttle: null },
];
const CONNECTION_ARN = 'arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

const distDir = copyOfDist({ extraRoutes: EXTRA_ROUTES, functionZip: functionZipFor('arm64') });
const app = synthesize({
  distDir,
  overrides: {
    APPLICATION: 'orders-api',
    AWS_ACCOUNT_ID: '123456789012',
    AWS_REGION: 'eu-west-1',
    CODESTAR_CONNECTION_ARN: CONNECTION_ARN,
    STAGING_ENABLED: 'true',
    MANUAL_APPROVAL: 'true',
    ALARM_EMAIL: 'ops@example.com',
    FUNCTION_ARCHITECTURE: 'arm64',
    FUNCTION_RESERVED_CONCURRENCY: '20',
    API_THROTTLE_RATE_LIMIT: '50',
    API_THROTTLE_BURST_LIMIT: '80',
    API_CACHE_CLUSTER_SIZE: '1.6',
    API_EXECUTION_LOG_LEVEL: 'INFO',
    LOG_RETENTION_DAYS: '90',
  },
});
after(() => {
  app.dispose();
  fs.rmSync(distDir, { recursive: true, force: true });
});

const routes = routesOf(distDir);
const realRoutes = routesOf(resolveDistDir());
const API_STACKS = ['orders-api-Api', 'orders-api-Staging-Api', 'orders-api-Dev-Api'];
const PIPELINE_STACK = 'orders-api-CodePipelineStack';

it('names every stack after APPLICATION and targets the configured account and region', () => {
  assert.deepEqual(app.stacks.map((stack) => stack.stackName).sort(), [PIPELINE_STACK, ...API_STACKS].sort());
  for (const stack of app.stacks) assert.equal(stack.environment.name, 'aws://123456789012/eu-west-1', stack.stackName);
});

for (const stackName of API_STACKS) {
  describe(`API stack ${stackName} with three more routes`, () => {
    const template = app.template(stackName);
    const json = app.templateJson(stackName);
    const methods = deployedMethods(json);
    const method = (key: string) => methods.find((m) => m.key === key)!.properties;

    it('serves exactly the routes of the grown routes.json: three more methods, nothing else edited', () => {
      assert.deepEqual(methods.map((m) => m.key).sort(), routes.map(routeKey).sort());
      assert.equal(methods.length, realRoutes.length + EXTRA_ROUTES.length);
    });

    it('requires an API key on apiKey routes, through a throttled usage plan of the prod stage', () => {
      assert.equal(method('POST /v1/items').ApiKeyRequired, true);
      assert.equal(method('ANY /v1/files/{proxy+}').ApiKeyRequired, true);
      assert.equal(method('GET /v1/items/{id}').ApiKeyRequired, false);
      template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        Throttle: { RateLimit: 50, BurstLimit: 80 },
        ApiStages: [{ ApiId: { Ref: Match.stringLikeRegexp('^Api') }, Stage: { Ref: Match.stringLikeRegexp('^ApiDeploymentStageprod') } }],
      });
      template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
      template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
      assert.ok(json.Outputs.ApiKeyId);
    });

    it('declares path parameters and keys the cache on them and on If-None-Match', () => {
      const getItem = method('GET /v1/items/{id}');
      // The function answers a matching If-None-Match with a 304: a cached 304 must only
      // answer the same validator (docs.aws.amazon.com/apigateway/latest/developerguide/
      // api-gateway-caching.html, "Use method or integration parameters as cache keys").
      assert.deepEqual(getItem.RequestParameters, { 'method.request.path.id': true, 'method.request.header.If-None-Match': false });
      assert.deepEqual(getItem.Integration.CacheKeyParameters, ['method.request.path.id', 'method.request.header.If-None-Match']);
      assert.deepEqual(method('ANY /v1/files/{proxy+}').RequestParameters, { 'method.request.path.proxy': true });
      assert.equal(method('ANY /v1/files/{proxy+}').Integration.CacheKeyParameters, undefined, 'uncached routes need no cache key');
    });

    it('turns cacheTtlSeconds into a cache cluster and per-method caching, and a route throttle into method throttling', () => {
      const stage = onlyResource(json, 'AWS::ApiGateway::Stage');
      assert.equal(stage.CacheClusterEnabled, true);
      assert.equal(stage.CacheClusterSize, '1.6');
      const setting = (resourcePath: string, httpMethod: string) =>
        stage.MethodSettings.find((s: any) => s.ResourcePath === resourcePath && s.HttpMethod === httpMethod);
      assert.deepEqual(setting('/*', '*'), {
        ResourcePath: '/*',
        HttpMethod: '*',
        DataTraceEnabled: false,
        LoggingLevel: 'INFO',
        MetricsEnabled: true,
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 80,
      });
      assert.deepEqual(setting('/~1v1~1items~1{id}', 'GET'), {
        ResourcePath: '/~1v1~1items~1{id}',
        HttpMethod: 'GET',
        CachingEnabled: true,
        CacheTtlInSeconds: 60,
        CacheDataEncrypted: true,
        DataTraceEnabled: false,
        LoggingLevel: 'INFO',
        MetricsEnabled: true,
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 80,
      });
      assert.deepEqual(setting('/~1v1~1items', 'POST'), {
        ResourcePath: '/~1v1~1items',
        HttpMethod: 'POST',
        DataTraceEnabled: false,
        LoggingLevel: 'INFO',
        MetricsEnabled: true,
        ThrottlingRateLimit: 5,
        ThrottlingBurstLimit: 10,
      });
      assert.equal(stage.MethodSettings.length, 3, 'only the routes that ask for it get their own settings');
    });

    it('outputs the URL of each new route', () => {
      const descriptions = Object.values<any>(json.Outputs).map((o) => o.Description ?? '');
      for (const route of EXTRA_ROUTES) assert.ok(descriptions.some((d) => d.startsWith(`${routeKey(route)}:`)), routeKey(route));
    });

    it('runs on arm64 with reserved concurrency and the configured log retention', () => {
      const fn = apiFunction(json);
      assert.deepEqual(fn.Architectures, ['arm64']);
      assert.equal(fn.ReservedConcurrentExecutions, 20);
      for (const [, logGroup] of resourcesOfType(json, 'AWS::Logs::LogGroup')) assert.equal(logGroup.RetentionInDays, 90);
    });

    it('subscribes ALARM_EMAIL to the alarm topic and charts the cache', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
      assert.ok(JSON.stringify(onlyResource(json, 'AWS::CloudWatch::Dashboard').DashboardBody).includes('CacheHitCount'));
    });
  });
}

describe(`pipeline stack ${PIPELINE_STACK} (CodeConnections, staging, approval)`, () => {
  const template = app.template(PIPELINE_STACK);
  const json = app.templateJson(PIPELINE_STACK);
  const pipeline = onlyResource(json, 'AWS::CodePipeline::Pipeline');

  it('pulls GitHub through the connection, with no token secret and no webhook', () => {
    const [source] = pipeline.Stages[0].Actions;
    assert.deepEqual(source.ActionTypeId, { Category: 'Source', Owner: 'AWS', Provider: 'CodeStarSourceConnection', Version: '1' });
    assert.equal(source.Configuration.ConnectionArn, CONNECTION_ARN);
    assert.equal(source.Configuration.FullRepositoryId, 'your-github-user/aws-cpp-stack');
    assert.equal(source.Configuration.BranchName, 'main');
    template.resourceCountIs('AWS::CodePipeline::Webhook', 0);
    assert.ok(!JSON.stringify(json).includes('github-token'));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'], Resource: CONNECTION_ARN })]) },
    });
  });

  it('builds and synthesizes on ARM, so the pipeline compiles an aarch64 bootstrap; the other projects stay x86_64', () => {
    const projects = resourcesOfType(json, 'AWS::CodeBuild::Project');
    const [[, synth]] = projects.filter(([id]) => id.startsWith('PipelineBuildSynth'));
    assert.equal(synth.Environment.Type, 'ARM_CONTAINER');
    assert.equal(synth.Environment.Image, 'public.ecr.aws/docker/library/debian:bookworm', 'the same multi-platform Debian image');
    assert.equal(synth.Environment.ComputeType, 'BUILD_GENERAL1_LARGE');
    assert.equal(synth.Environment.ImagePullCredentialsType, 'SERVICE_ROLE');
    const others = projects.filter(([id]) => !id.startsWith('PipelineBuildSynth'));
    assert.ok(others.length > 0);
    for (const [id, project] of others) assert.equal(project.Environment.Type, 'LINUX_CONTAINER', id);
  });

  it('deploys staging, smoke-tests it, waits for approval, then deploys and smoke-tests production', () => {
    const names = pipeline.Stages.map((s: any) => s.Name);
    const staging = names.indexOf('orders-api-Staging');
    const production = names.indexOf('orders-api');
    assert.ok(staging > 0 && production > staging, `stage order: ${names.join(', ')}`);
    const stagingActions = pipeline.Stages[staging].Actions;
    assert.ok(stagingActions.some((a: any) => a.Name === 'SmokeTestStaging'));
    assert.equal(stagingActions.find((a: any) => a.Configuration.ActionMode === 'CHANGE_SET_EXECUTE').Configuration.StackName, 'orders-api-Staging-Api');
    const productionActions = [...pipeline.Stages[production].Actions].sort((a: any, b: any) => a.RunOrder - b.RunOrder);
    assert.deepEqual(productionActions[0].ActionTypeId, { Category: 'Approval', Owner: 'AWS', Provider: 'Manual', Version: '1' });
    assert.equal(productionActions[productionActions.length - 1].Name, 'SmokeTest');
  });
});

describe('static checks of the extended app', () => {
  it('cdk-nag AwsSolutions: no unacknowledged error or warning in any stack', () => {
    assert.deepEqual(unacknowledgedFindings(app.built.app), []);
  });

  it('every cdk-nag acknowledgement silences a finding of exactly its id in this configuration', () => {
    assert.deepEqual(unusedAcknowledgements(app.built.app), []);
  });

  it('cfn-lint: no error in any synthesized template', (t) => {
    const matches = runCfnLint(app.templateFiles());
    for (const match of matches) t.diagnostic(describeCfnLintMatch(match));
    assert.deepEqual(matches.filter((m) => m.Level === 'Error').map(describeCfnLintMatch), []);
  });
});
