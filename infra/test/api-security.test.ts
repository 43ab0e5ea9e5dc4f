/**
 * One API stack at a time, synthesized on its own (no pipeline) with cdk-nag on: the user pool the
 * stack creates for cognito routes, CORS with one origin, the redeployment a changed source-IP
 * allowlist needs, and the checks that refuse configurations that cannot work.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { App } from 'aws-cdk-lib';

import { ApiStack } from '../lib/api-stack';
import { AppConfig, ConfigError, loadConfig } from '../lib/config';
import { gatewayResponseCorsHeaders, preflightPaths } from '../lib/cors';
import { enableNagChecks, suppressApiStackFindings } from '../lib/nag-suppressions';
import { checkRegionsAgainstRoutes, orderedRegions } from '../lib/regions';
import { functionZipPath, parseRouteTable, resolveDistDir, Route, RouteTable } from '../lib/route-table';
import { apiFunction, onlyResource, resourcesOfType } from './support/api-template';
import { describeCfnLintMatch, runCfnLint, unacknowledgedFindings, unusedAcknowledgements } from './support/checks';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-api-security-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function configWith(overrides: Record<string, string>): AppConfig {
  return loadConfig({ envFile: path.join(scratch, 'absent.env'), environment: {}, overrides });
}

function route(method: Route['method'], routePath: string, auth: string): Record<string, unknown> {
  return { method, path: routePath, handler: 'handler', summary: 'summary', auth, cacheTtlSeconds: 0, throttle: null };
}

function table(...routes: Record<string, unknown>[]): RouteTable {
  return parseRouteTable({ formatVersion: 1, routes }, 'inline');
}

const ROUTES = table(route('GET', '/v1/health', 'none'), route('GET', '/v1/me', 'cognito'), route('POST', '/v1/me', 'cognito'));

function synthApiStack(config: AppConfig, routeTable: RouteTable = ROUTES) {
  const app = new App({ outdir: fs.mkdtempSync(path.join(scratch, 'cdk-')), analyticsReporting: false });
  enableNagChecks(app);
  const stack = new ApiStack(app, 'SecurityApi', { config, routeTable, functionZip: functionZipPath(resolveDistDir()), deploymentName: 'dev' });
  suppressApiStackFindings(stack.findingScopes());
  const artifact = app.synth().getStackByName(stack.stackName);
  return { app, stack, artifact, json: artifact.template };
}

describe('cognito routes without COGNITO_USER_POOL_ID, one CORS origin', () => {
  const { app, artifact, json } = synthApiStack(configWith({ CORS_ALLOW_ORIGINS: 'https://app.example.com', CORS_MAX_AGE_SECONDS: '0' }));

  it('creates a user pool: no self sign-up, strong passwords, optional app-based MFA, deletion protection, kept on stack deletion', () => {
    const [[poolId, pool]] = resourcesOfType(json, 'AWS::Cognito::UserPool');
    assert.equal(pool.AdminCreateUserConfig.AllowAdminCreateUserOnly, true);
    assert.deepEqual(pool.Policies.PasswordPolicy, {
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
      TemporaryPasswordValidityDays: 3,
    });
    assert.equal(pool.MfaConfiguration, 'OPTIONAL');
    assert.deepEqual(pool.EnabledMfas, ['SOFTWARE_TOKEN_MFA']);
    assert.equal(pool.DeletionProtection, 'ACTIVE');
    assert.equal(pool.UserPoolTier, 'ESSENTIALS');
    assert.equal(pool.UserPoolAddOns, undefined, 'threat protection (advanced security) stays off');
    assert.deepEqual(pool.AccountRecoverySetting, { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] });
    assert.equal(json.Resources[poolId].DeletionPolicy, 'Retain');
  });

  it('creates a public app client (no secret, SRP, no OAuth flows) and outputs both ids', () => {
    const client = onlyResource(json, 'AWS::Cognito::UserPoolClient');
    assert.equal(client.GenerateSecret, false);
    assert.deepEqual(client.ExplicitAuthFlows, ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    assert.equal(client.AllowedOAuthFlowsUserPoolClient, false);
    assert.equal(client.PreventUserExistenceErrors, 'ENABLED');
    assert.ok(json.Outputs.UserPoolId && json.Outputs.UserPoolClientId);
  });

  it('authorizes both cognito methods with one authorizer on that pool and tells the function the client id', () => {
    const authorizer = resourcesOfType(json, 'AWS::ApiGateway::Authorizer');
    assert.equal(authorizer.length, 1);
    assert.deepEqual(authorizer[0][1].ProviderARNs, [{ 'Fn::GetAtt': [resourcesOfType(json, 'AWS::Cognito::UserPool')[0][0], 'Arn'] }]);
    const cognitoMethods = resourcesOfType(json, 'AWS::ApiGateway::Method').filter(([, m]) => m.AuthorizationType === 'COGNITO_USER_POOLS');
    assert.equal(cognitoMethods.length, 2);
    for (const [, method] of cognitoMethods) assert.deepEqual(method.AuthorizerId, { Ref: authorizer[0][0] });
    const fn = apiFunction(json);
    assert.deepEqual(fn.Environment.Variables.COGNITO_APP_CLIENT_IDS, { Ref: resourcesOfType(json, 'AWS::Cognito::UserPoolClient')[0][0] });
  });

  it('sends the one origin as a fixed value: preflights without a mapping template, gateway answers without echo', () => {
    const preflights = resourcesOfType(json, 'AWS::ApiGateway::Method').filter(([, m]) => m.HttpMethod === 'OPTIONS');
    assert.equal(preflights.length, 2, 'one per path: /v1/health and /v1/me');
    for (const [, preflight] of preflights) {
      const [response] = preflight.Integration.IntegrationResponses;
      assert.equal(response.ResponseParameters['method.response.header.Access-Control-Allow-Origin'], "'https://app.example.com'");
      assert.equal(response.ResponseParameters['method.response.header.Access-Control-Max-Age'], undefined, 'max age 0 sends none');
      assert.equal(response.ResponseParameters['method.response.header.Access-Control-Allow-Credentials'], undefined);
      assert.equal(response.ResponseTemplates, undefined);
    }
    for (const [, response] of resourcesOfType(json, 'AWS::ApiGateway::GatewayResponse')) {
      assert.deepEqual(response.ResponseParameters, {
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
        'gatewayresponse.header.Vary': "'Origin'",
      });
    }
  });

  it('passes cdk-nag with the pool acknowledgements (MFA optional, no threat protection) and the no-WAF one', () => {
    assert.deepEqual(unacknowledgedFindings(app), []);
    assert.deepEqual(unusedAcknowledgements(app), []);
    const acknowledged = JSON.stringify(json.Resources[resourcesOfType(json, 'AWS::Cognito::UserPool')[0][0]].Metadata);
    assert.match(acknowledged, /AwsSolutions-COG2/);
    assert.match(acknowledged, /AwsSolutions-COG8/);
  });

  it('cfn-lint: no error in the template with the created pool and client', (t) => {
    const matches = runCfnLint([artifact.templateFullPath]);
    for (const match of matches) t.diagnostic(describeCfnLintMatch(match));
    assert.deepEqual(matches.filter((m) => m.Level === 'Error').map(describeCfnLintMatch), []);
  });
});

describe('CORS helpers', () => {
  it("answers '*' without Vary, and routes that answer OPTIONS themselves get no preflight", () => {
    assert.deepEqual(gatewayResponseCorsHeaders({ allowOrigins: ['*'], allowMethods: ['GET'], allowHeaders: [], allowCredentials: false, maxAgeSeconds: 0 }), {
      'Access-Control-Allow-Origin': "'*'",
    });
    const routes = table(route('GET', '/', 'none'), route('GET', '/v1/a', 'none'), route('POST', '/v1/a', 'apiKey'), route('OPTIONS', '/v1/b', 'none'), route('GET', '/v1/b', 'none')).routes;
    assert.deepEqual(preflightPaths(routes), ['/', '/v1/a']);
  });
});

describe('cached routes with user credentials', () => {
  const routes = table(
    route('GET', '/v1/health', 'none'),
    { ...route('GET', '/v1/me/{item}', 'cognito'), cacheTtlSeconds: 60 },
    { ...route('GET', '/v1/signed', 'iam'), cacheTtlSeconds: 60 },
    { ...route('GET', '/v1/shared', 'apiKey'), cacheTtlSeconds: 60 },
  );
  const { json } = synthApiStack(configWith({ COGNITO_USER_POOL_ID: 'eu-west-1_AbC123' }), routes);
  const method = (routePath: string) => resourcesOfType(json, 'AWS::ApiGateway::Method').find(([id]) => id.includes(routePath))![1];

  it("key the cache on the Authorization header too, so one user's cached answer never reaches another", () => {
    const me = method('v1meitem');
    const conditional = 'method.request.header.If-None-Match';
    assert.deepEqual(me.Integration.CacheKeyParameters, ['method.request.path.item', 'method.request.header.Authorization', conditional]);
    assert.deepEqual(me.RequestParameters, { 'method.request.path.item': true, 'method.request.header.Authorization': false, [conditional]: false });
    assert.deepEqual(method('v1signed').Integration.CacheKeyParameters, ['method.request.header.Authorization', conditional]);
    assert.deepEqual(method('v1shared').Integration.CacheKeyParameters, [conditional], 'an API key names a client, not a user: the answer is shared');
  });
});

describe('settings no route uses', () => {
  it('warns at synth about a quota without api_key routes and a pool without cognito routes', () => {
    const { artifact } = synthApiStack(configWith({ API_QUOTA_LIMIT: '100', COGNITO_USER_POOL_ID: 'eu-west-1_AbC123' }), table(route('GET', '/v1/health', 'none')));
    const warnings = artifact.messages.filter((m) => m.level === 'warning').map((m) => String(m.entry.data));
    assert.ok(warnings.some((w) => w.startsWith('API_QUOTA_LIMIT is set but no route has auth apiKey')), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.startsWith('COGNITO_USER_POOL_ID is set but no route has auth cognito')), warnings.join('\n'));
  });
});

describe('source-IP allowlist', () => {
  const deploymentId = (cidrs: string) =>
    resourcesOfType(synthApiStack(configWith({ API_ALLOWED_SOURCE_IPS: cidrs }), table(route('GET', '/v1/health', 'none'))).json, 'AWS::ApiGateway::Deployment')[0][0];

  it('redeploys the stage when the list changes (API Gateway applies a resource policy only with a deployment)', () => {
    const first = deploymentId('203.0.113.0/24');
    assert.equal(deploymentId('203.0.113.0/24'), first, 'the same list keeps the deployment');
    assert.notEqual(deploymentId('198.51.100.0/24'), first);
  });
});

describe('regions and routes', () => {
  const regional = (overrides: Record<string, string>) => configWith({ AWS_ACCOUNT_ID: '123456789012', AWS_REGION: 'eu-west-1', ...overrides });

  it('refuses a created pool per region when several regions serve cognito routes', () => {
    assert.throws(
      () => checkRegionsAgainstRoutes(regional({ DEPLOY_REGIONS: 'eu-west-1,us-east-1' }), ROUTES),
      (error: unknown) => error instanceof ConfigError && error.key === 'COGNITO_USER_POOL_ID' && /several regions/.test(error.message),
    );
    assert.doesNotThrow(() => checkRegionsAgainstRoutes(regional({ DEPLOY_REGIONS: 'eu-west-1,us-east-1', COGNITO_USER_POOL_ID: 'eu-west-1_AbC123' }), ROUTES));
    assert.doesNotThrow(() => checkRegionsAgainstRoutes(regional({ DEPLOY_REGIONS: 'us-east-1' }), ROUTES));
    assert.doesNotThrow(() => checkRegionsAgainstRoutes(regional({ DEPLOY_REGIONS: 'eu-west-1,us-east-1' }), table(route('GET', '/v1/health', 'none'))));
  });

  it("puts the pipeline's own region first", () => {
    assert.deepEqual(orderedRegions(regional({ DEPLOY_REGIONS: 'us-east-1,ap-southeast-2,eu-west-1' })), ['eu-west-1', 'us-east-1', 'ap-southeast-2']);
    assert.deepEqual(orderedRegions(regional({ DEPLOY_REGIONS: 'us-east-1,ap-southeast-2' })), ['us-east-1', 'ap-southeast-2']);
  });
});
