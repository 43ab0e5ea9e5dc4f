/**
 * The app with every issue-11 option of the AWS side turned on and a routes.json grown by routes
 * of each auth mode (apiKey, cognito, iam) and a route that answers OPTIONS
 * itself: Cognito pool given by id, two CORS origins with credentials, a usage-plan quota, a
 * source-IP allowlist, WAF, two production regions, staging in its own account, a metrics
 * namespace. Synthesized once; the created-pool case is synthesized by cognito-pool.test.ts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, describe, it } from 'node:test';

import { apiFunction, deployedMethods, onlyResource, resourcesOfType, routeKey, routesOf } from './support/api-template';
import { describeCfnLintMatch, runCfnLint, unacknowledgedFindings, unusedAcknowledgements } from './support/checks';
import { copyOfDist, synthesize } from './support/synth';

const EXTRA_ROUTES = [
  { method: 'POST', path: '/v1/items', handler: 'create_item', summary: 'Create an item', auth: 'apiKey', cacheTtlSeconds: 0, throttle: null },
  { method: 'GET', path: '/v1/items/{id}', handler: 'get_item', summary: 'One item', auth: 'cognito', cacheTtlSeconds: 0, throttle: null },
  { method: 'DELETE', path: '/v1/items/{id}', handler: 'delete_item', summary: 'Delete an item', auth: 'iam', cacheTtlSeconds: 0, throttle: null },
  { method: 'GET', path: '/v1/me', handler: 'me', summary: 'The signed-in user', auth: 'cognito', cacheTtlSeconds: 0, throttle: null },
  { method: 'OPTIONS', path: '/v1/custom', handler: 'custom_options', summary: 'Answers OPTIONS itself', auth: 'none', cacheTtlSeconds: 0, throttle: null },
];
const USER_POOL_ID = 'eu-central-1_AbCdEf123';
const ORIGINS = ['https://app.example.com', 'https://admin.example.com:8443'];
const ALLOWED_IPS = ['203.0.113.0/24', '2001:db8::/32'];

const distDir = copyOfDist({ extraRoutes: EXTRA_ROUTES });
const app = synthesize({
  distDir,
  overrides: {
    APPLICATION: 'shop',
    AWS_ACCOUNT_ID: '123456789012',
    AWS_REGION: 'eu-west-1',
    STAGING_ENABLED: 'true',
    STAGING_ACCOUNT_ID: '210987654321',
    DEPLOY_REGIONS: 'us-east-1,eu-west-1',
    COGNITO_USER_POOL_ID: USER_POOL_ID,
    COGNITO_APP_CLIENT_IDS: '1example23456789,2example23456789',
    CORS_ALLOW_ORIGINS: ORIGINS.join(','),
    CORS_ALLOW_METHODS: 'GET,POST,DELETE',
    CORS_ALLOW_HEADERS: 'Content-Type,Authorization',
    CORS_ALLOW_CREDENTIALS: 'true',
    CORS_MAX_AGE_SECONDS: '300',
    API_QUOTA_LIMIT: '10000',
    API_QUOTA_PERIOD: 'WEEK',
    API_ALLOWED_SOURCE_IPS: ALLOWED_IPS.join(','),
    WAF_ENABLED: 'true',
    WAF_RATE_LIMIT: '500',
    METRICS_NAMESPACE: 'Shop/Api',
  },
});
after(() => {
  app.dispose();
  fs.rmSync(distDir, { recursive: true, force: true });
});

const routes = routesOf(distDir);
const PIPELINE_STACK = 'shop-CodePipelineStack';
const API_STACKS = ['shop-Api', 'shop-Staging-Api', 'shop-Dev-Api'];
const stackOf = (name: string, region: string) => app.stacks.find((s) => s.stackName === name && s.environment.region === region)!;

it('deploys production to both regions, staging to its own account, the pipeline stays in its account and region', () => {
  const environments = app.stacks.map((stack) => `${stack.stackName} ${stack.environment.name}`).sort();
  for (const expected of [
    'shop-Api aws://123456789012/eu-west-1',
    'shop-Api aws://123456789012/us-east-1',
    'shop-Staging-Api aws://210987654321/eu-west-1',
    'shop-Dev-Api aws://123456789012/eu-west-1',
    'shop-CodePipelineStack aws://123456789012/eu-west-1',
  ]) {
    assert.ok(environments.includes(expected), `${expected} in\n${environments.join('\n')}`);
  }
});

for (const stackName of API_STACKS) {
  describe(`API stack ${stackName} with routes of every auth mode`, () => {
    const artifact = stackOf(stackName, stackName === 'shop-Staging-Api' || stackName === 'shop-Dev-Api' ? 'eu-west-1' : 'us-east-1');
    const json = artifact.template;
    const methods = deployedMethods(json);
    const method = (key: string) => {
      const found = methods.find((m) => m.key === key);
      assert.ok(found, `${key} in ${methods.map((m) => m.key).join(', ')}`);
      return found.properties;
    };

    it('serves every route of routes.json, and a preflight on each path that does not route OPTIONS itself', () => {
      const preflights = [...new Set(routes.map((r) => r.path))].filter((p) => p !== '/v1/custom').map((p) => `OPTIONS ${p}`);
      assert.deepEqual(methods.map((m) => m.key).sort(), [...routes.map(routeKey), ...preflights].sort());
    });

    it('maps each auth mode to its API Gateway authorization', () => {
      // apiKey is an API key of the usage plan, no authorizer.
      assert.equal(method('POST /v1/items').ApiKeyRequired, true);
      assert.equal(method('POST /v1/items').AuthorizationType, 'NONE');
      assert.equal(method('DELETE /v1/items/{id}').AuthorizationType, 'AWS_IAM');
      assert.equal(method('DELETE /v1/items/{id}').ApiKeyRequired, false);
      for (const key of ['GET /v1/items/{id}', 'GET /v1/me']) {
        assert.equal(method(key).AuthorizationType, 'COGNITO_USER_POOLS', key);
        assert.match(method(key).AuthorizerId.Ref, /^AuthCognitoAuthorizer/, key);
        assert.equal(method(key).ApiKeyRequired, false, key);
      }
      assert.equal(method('GET /v1/health').AuthorizationType, 'NONE');
      assert.equal(method('GET /v1/health').ApiKeyRequired, false);
    });

    it('authorizes cognito routes with the configured pool (its own region) and the Authorization header; creates no pool', () => {
      const authorizer = onlyResource(json, 'AWS::ApiGateway::Authorizer');
      assert.equal(authorizer.Type, 'COGNITO_USER_POOLS');
      assert.equal(authorizer.IdentitySource, 'method.request.header.Authorization');
      assert.equal(authorizer.AuthorizerResultTtlInSeconds, 300);
      assert.deepEqual(authorizer.ProviderARNs, [`arn:aws:cognito-idp:eu-central-1:${artifact.environment.account}:userpool/${USER_POOL_ID}`]);
      assert.equal(resourcesOfType(json, 'AWS::Cognito::UserPool').length, 0);
      assert.equal(resourcesOfType(json, 'AWS::Cognito::UserPoolClient').length, 0);
    });

    it('gives the usage plan the quota', () => {
      const plan = onlyResource(json, 'AWS::ApiGateway::UsagePlan');
      assert.deepEqual(plan.Quota, { Limit: 10000, Period: 'WEEK' });
    });

    it('lets only the allowed source addresses in, and no signed caller of another account through the allow', () => {
      const api = onlyResource(json, 'AWS::ApiGateway::RestApi');
      assert.deepEqual(api.Policy.Statement, [
        {
          Sid: 'AllowAnonymousCallers',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'execute-api:Invoke',
          Resource: 'execute-api:/*',
          Condition: { Null: { 'aws:PrincipalAccount': 'true' } },
        },
        {
          Sid: 'DenyOtherSourceAddresses',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'execute-api:Invoke',
          Resource: 'execute-api:/*',
          Condition: { NotIpAddress: { 'aws:SourceIp': ALLOWED_IPS } },
        },
      ]);
    });

    it('answers preflights itself: mock integration, no auth, no key, the configured headers, the listed origin echoed', () => {
      const preflight = method('OPTIONS /v1/items/{id}');
      assert.equal(preflight.AuthorizationType, 'NONE');
      assert.equal(preflight.ApiKeyRequired, false);
      assert.equal(preflight.Integration.Type, 'MOCK');
      const [response] = preflight.Integration.IntegrationResponses;
      assert.equal(response.StatusCode, '204');
      assert.deepEqual(response.ResponseParameters, {
        'method.response.header.Access-Control-Allow-Headers': "'Content-Type,Authorization'",
        'method.response.header.Access-Control-Allow-Origin': `'${ORIGINS[0]}'`,
        'method.response.header.Vary': "'Origin'",
        'method.response.header.Access-Control-Allow-Methods': "'GET,POST,DELETE'",
        'method.response.header.Access-Control-Allow-Credentials': "'true'",
        'method.response.header.Access-Control-Max-Age': "'300'",
      });
      const template = response.ResponseTemplates['application/json'];
      assert.match(template, /#set\(\$origin = \$input\.params\(\)\.header\.get\("Origin"\)\)/);
      assert.match(template, new RegExp(`#if\\(\\$origin == "${ORIGINS[1].replace(/[.]/g, '\\.')}"\\)`));
      assert.match(template, /#set\(\$context\.responseOverride\.header\.Access-Control-Allow-Origin = \$origin\)/);
      assert.equal(method('OPTIONS /v1/custom').Integration.Type, 'AWS_PROXY', 'a route that answers OPTIONS itself keeps it');
    });

    it('adds CORS headers to the gateway\'s own 4XX and 5XX answers, echoing the Origin with several origins', () => {
      const responses = resourcesOfType(json, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => r);
      // The validation 400s (request-validation.ts) are customised too, so they carry the headers themselves.
      assert.deepEqual(responses.map((r) => r.ResponseType).sort(), ['BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS', 'DEFAULT_4XX', 'DEFAULT_5XX']);
      for (const response of responses) {
        assert.deepEqual(response.ResponseParameters, {
          'gatewayresponse.header.Access-Control-Allow-Origin': 'method.request.header.Origin',
          'gatewayresponse.header.Vary': "'Origin'",
          'gatewayresponse.header.Access-Control-Allow-Credentials': "'true'",
        });
      }
    });

    it('gives the function the CORS settings, the metrics namespace and the app client ids', () => {
      const fn = apiFunction(json);
      const namespace = `Shop/Api/${fn.Environment.Variables.DEPLOYMENT}`;
      assert.ok(['Shop/Api/prod', 'Shop/Api/staging', 'Shop/Api/dev'].includes(namespace), 'METRICS_NAMESPACE, then the stage');
      assert.deepEqual(
        { ...fn.Environment.Variables, DEPLOYMENT: undefined },
        {
          APPLICATION: 'shop',
          DEPLOYMENT: undefined,
          LOG_LEVEL: 'INFO',
          METRICS_NAMESPACE: namespace,
          CORS_ALLOW_ORIGINS: ORIGINS.join(','),
          CORS_ALLOW_METHODS: 'GET,POST,DELETE',
          CORS_ALLOW_HEADERS: 'Content-Type,Authorization',
          CORS_ALLOW_CREDENTIALS: 'true',
          CORS_MAX_AGE_SECONDS: '300',
          COGNITO_APP_CLIENT_IDS: '1example23456789,2example23456789',
        },
      );
    });

    it('puts a web ACL with a per-IP rate limit and AWS managed rules on the prod stage, logging blocked requests without credentials', () => {
      const acl = onlyResource(json, 'AWS::WAFv2::WebACL');
      assert.equal(acl.Scope, 'REGIONAL');
      assert.deepEqual(acl.DefaultAction, { Allow: {} });
      assert.deepEqual(
        acl.Rules.map((rule: any) => [rule.Priority, rule.Name]),
        [
          [0, 'RateLimitPerIp'],
          [1, 'AWSManagedRulesCommonRuleSet'],
          [2, 'AWSManagedRulesKnownBadInputsRuleSet'],
        ],
      );
      assert.deepEqual(acl.Rules[0].Statement, { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } });
      assert.deepEqual(acl.Rules[0].Action, { Block: {} });
      assert.deepEqual(acl.Rules[1].Statement, { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } });
      assert.deepEqual(acl.Rules[1].OverrideAction, { None: {} });
      for (const rule of acl.Rules) assert.equal(rule.VisibilityConfig.CloudWatchMetricsEnabled, true, rule.Name);

      const association = onlyResource(json, 'AWS::WAFv2::WebACLAssociation');
      const stageId = resourcesOfType(json, 'AWS::ApiGateway::Stage')[0][0];
      assert.match(JSON.stringify(association.ResourceArn), new RegExp(`"Ref":"${stageId}"`));
      assert.doesNotMatch(JSON.stringify(json.Resources[stageId].Metadata ?? {}), /AwsSolutions-APIG3/, 'APIG3 is satisfied, not acknowledged');
      const aclId = resourcesOfType(json, 'AWS::WAFv2::WebACL')[0][0];
      assert.deepEqual(association.WebACLArn, { 'Fn::GetAtt': [aclId, 'Arn'] });

      const logging = onlyResource(json, 'AWS::WAFv2::LoggingConfiguration');
      assert.deepEqual(logging.RedactedFields, [
        { SingleHeader: { Name: 'authorization' } },
        { SingleHeader: { Name: 'x-api-key' } },
        { SingleHeader: { Name: 'x-amz-security-token' } },
      ]);
      const wafLogGroups = resourcesOfType(json, 'AWS::Logs::LogGroup').filter(([, group]) => String(group.LogGroupName).startsWith('aws-waf-logs-'));
      assert.deepEqual(wafLogGroups.map(([, group]) => group.LogGroupName), [`aws-waf-logs-${stackName}`]);
    });

    it('alarms on 5XX answers of each route from the function\'s metrics and charts them by route', () => {
      const namespace = `Shop/Api/${apiFunction(json).Environment.Variables.DEPLOYMENT}`;
      const alarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a).filter((a) => a.Namespace === namespace);
      assert.deepEqual(
        alarms.map((a) => a.Dimensions.find((d: any) => d.Name === 'route').Value).sort(),
        routes.map(routeKey).sort(),
      );
      for (const alarm of alarms) {
        assert.equal(alarm.MetricName, 'Errors');
        assert.equal(alarm.Statistic, 'Sum');
        assert.deepEqual(alarm.Dimensions.map((d: any) => d.Name).sort(), ['route', 'service'], 'the [service, route] dimension set');
        assert.deepEqual(alarm.Dimensions.find((d: any) => d.Name === 'service'), { Name: 'service', Value: 'shop' });
        assert.equal(alarm.TreatMissingData, 'notBreaching');
        assert.ok(alarm.AlarmActions.length > 0, 'notifies the alarm topic');
      }
      const body = JSON.stringify(onlyResource(json, 'AWS::CloudWatch::Dashboard').DashboardBody);
      const expressions = [...body.matchAll(/SEARCH\('\{[^']*'/g)].map((m) => m[0].replace(/\\+"/g, '"'));
      assert.deepEqual(expressions, [
        `SEARCH('{"${namespace}",service,route} MetricName="Errors" service="shop"'`,
        `SEARCH('{"${namespace}",service,route,status_class} MetricName="Latency" service="shop"'`,
        `SEARCH('{"${namespace}",service,route,status_class} MetricName="Requests" service="shop"'`,
        `SEARCH('{"${namespace}",service,function_name} MetricName="ColdStart" service="shop"'`,
      ]);
    });
  });
}

describe(`pipeline stack ${PIPELINE_STACK} (two regions, staging account)`, () => {
  const json = app.templateJson(PIPELINE_STACK);
  const pipeline = onlyResource(json, 'AWS::CodePipeline::Pipeline');
  const names: string[] = pipeline.Stages.map((s: any) => s.Name);

  it('deploys staging, then waits for approval, then both regions in one wave, each smoke-tested', () => {
    const staging = names.indexOf('shop-Staging');
    const wave = names.indexOf('shop-Production');
    assert.ok(staging > 0 && wave > staging, names.join(', '));
    const actions = pipeline.Stages[wave].Actions;
    const deployRegions = actions.filter((a: any) => a.Configuration?.ActionMode === 'CHANGE_SET_EXECUTE').map((a: any) => a.Region ?? 'eu-west-1');
    assert.deepEqual(deployRegions.sort(), ['eu-west-1', 'us-east-1']);
    const smokeTests = actions.filter((a: any) => a.Name.includes('.SmokeTest-')).map((a: any) => a.Name);
    assert.deepEqual(smokeTests.sort(), ['shop-eu-west-1.SmokeTest-eu-west-1', 'shop-us-east-1.SmokeTest-us-east-1']);
    const approval = actions.find((a: any) => a.ActionTypeId.Category === 'Approval');
    assert.ok(approval, 'the approval precedes the wave');
    const firstDeploy = Math.min(...actions.filter((a: any) => a.ActionTypeId.Category === 'Deploy').map((a: any) => a.RunOrder));
    assert.ok(approval.RunOrder < firstDeploy);
  });

  it('deploys staging with the staging account\'s CDK deploy role', () => {
    const staging = pipeline.Stages[names.indexOf('shop-Staging')];
    const deploy = staging.Actions.find((a: any) => a.Configuration?.ActionMode === 'CHANGE_SET_REPLACE');
    assert.match(JSON.stringify(deploy.RoleArn), /:iam::210987654321:role\/cdk-[a-z0-9]+-deploy-role-210987654321-eu-west-1/);
    assert.equal(deploy.Configuration.StackName, 'shop-Staging-Api');
  });

  it("lets the staging account's deploy role read the artifacts: the artifact key and bucket policies name it", () => {
    const stagingDeployRole = /:iam::210987654321:role\/cdk-[a-z0-9]+-deploy-role-210987654321-eu-west-1/;
    const [[, key]] = resourcesOfType(json, 'AWS::KMS::Key').filter(([id]) => id.startsWith('PipelineArtifactsBucketEncryptionKey'));
    assert.match(JSON.stringify(key.KeyPolicy), stagingDeployRole);
    const [[, bucketPolicy]] = resourcesOfType(json, 'AWS::S3::BucketPolicy').filter(([id]) => id.startsWith('PipelineArtifactsBucketPolicy'));
    assert.match(JSON.stringify(bucketPolicy.PolicyDocument), stagingDeployRole);
  });
});

describe('static checks of the app with every option on', () => {
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
