/**
 * API keys and usage plans from .env (API_USAGE_PLANS, API_KEYS), the same the emulator serves
 * (src/local/api_keys.cpp; both read tests/fixtures/env/defaults.json), and a route that wants
 * a key as well as a token (apiKeyRequired beside the Cognito authorizer): API Gateway's
 * AWS::ApiGateway::Method has ApiKeyRequired and AuthorizationType side by side, and a usage
 * plan's Throttle applies to each of its keys (AWS::ApiGateway::UsagePlan ThrottleSettings:
 * "the throttling limits for each API key in the plan"; api-gateway-api-usage-plans.html).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { App } from 'aws-cdk-lib';

import { ApiStack } from '../lib/api-stack';
import { AppConfig, loadConfig } from '../lib/config';
import { functionZipPath, parseRouteTable, resolveDistDir, RouteTable } from '../lib/route-table';
import { deployedMethods, onlyResource, resourcesOfType } from './support/api-template';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-api-keys-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function configWith(overrides: Record<string, string>): AppConfig {
  return loadConfig({ envFile: path.join(scratch, 'absent.env'), environment: {}, overrides });
}

function route(method: string, routePath: string, auth: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { method, path: routePath, handler: 'handler', summary: 'summary', auth, cacheTtlSeconds: 0, throttle: null, ...extra };
}

const ROUTES = parseRouteTable(
  {
    formatVersion: 1,
    routes: [route('GET', '/v1/health', 'none'), route('GET', '/v1/keyed', 'apiKey'), route('GET', '/v1/both', 'cognito', { apiKeyRequired: true }), route('POST', '/v1/signed', 'iam')],
  },
  'inline',
);

function synth(config: AppConfig, routeTable: RouteTable = ROUTES) {
  const app = new App({ outdir: fs.mkdtempSync(path.join(scratch, 'cdk-')), analyticsReporting: false });
  const stack = new ApiStack(app, 'KeysApi', { config, routeTable, functionZip: functionZipPath(resolveDistDir()), deploymentName: 'dev' });
  return app.synth().getStackByName(stack.stackName).template;
}

const method = (template: any, key: string) => {
  const found = deployedMethods(template).find((deployed) => deployed.key === key);
  assert.ok(found, key);
  return found.properties;
};

describe('API_USAGE_PLANS and API_KEYS', () => {
  const template = synth(configWith({ API_USAGE_PLANS: 'basic:quota=1000/MONTH:throttle=5/10,partner', API_KEYS: 'web:basic,partner-a:partner:abcdefghij0123456789' }));

  it('creates each plan with its quota and per-key throttle on the stage', () => {
    const plans = resourcesOfType(template, 'AWS::ApiGateway::UsagePlan').map(([, plan]) => plan);
    assert.deepEqual(
      plans.map((plan) => [plan.UsagePlanName, plan.Quota, plan.Throttle]),
      [
        ['KeysApi-basic', { Limit: 1000, Period: 'MONTH' }, { RateLimit: 5, BurstLimit: 10 }],
        ['KeysApi-partner', undefined, undefined],
      ],
    );
    for (const plan of plans) assert.equal(plan.ApiStages.length, 1);
  });

  it('creates each key in its plan, with its value only when .env gives one', () => {
    const keys = resourcesOfType(template, 'AWS::ApiGateway::ApiKey');
    assert.deepEqual(
      keys.map(([, key]) => [key.Name, key.Value, key.Enabled]),
      [
        ['KeysApi-web', undefined, true],
        ['KeysApi-partner-a', 'abcdefghij0123456789', true],
      ],
    );
    const planOf = new Map(resourcesOfType(template, 'AWS::ApiGateway::UsagePlan').map(([id, plan]) => [id, plan.UsagePlanName]));
    const keyOf = new Map(keys.map(([id, key]) => [id, key.Name]));
    const links = resourcesOfType(template, 'AWS::ApiGateway::UsagePlanKey').map(([, link]) => [keyOf.get(link.KeyId.Ref), planOf.get(link.UsagePlanId.Ref)]);
    assert.deepEqual(links.sort(), [
      ['KeysApi-partner-a', 'KeysApi-partner'],
      ['KeysApi-web', 'KeysApi-basic'],
    ]);
  });

  it('requires a key and a token on a cognito route with apiKeyRequired, a key only where auth is apiKey', () => {
    assert.equal(method(template, 'GET /v1/both').ApiKeyRequired, true);
    assert.equal(method(template, 'GET /v1/both').AuthorizationType, 'COGNITO_USER_POOLS');
    assert.equal(method(template, 'GET /v1/keyed').ApiKeyRequired, true);
    assert.equal(method(template, 'GET /v1/keyed').AuthorizationType, 'NONE');
    assert.equal(method(template, 'POST /v1/signed').ApiKeyRequired, false);
    assert.equal(method(template, 'GET /v1/health').ApiKeyRequired, false);
  });
});

describe('without API_USAGE_PLANS and API_KEYS', () => {
  it('keeps the one plan and key the stack has always had: the quota of API_QUOTA_*, the stage throttle per key', () => {
    const template = synth(configWith({ API_QUOTA_LIMIT: '500' }));
    const plan = onlyResource(template, 'AWS::ApiGateway::UsagePlan');
    assert.equal(plan.UsagePlanName, 'KeysApi-clients');
    assert.deepEqual(plan.Quota, { Limit: 500, Period: 'MONTH' });
    assert.deepEqual(plan.Throttle, { RateLimit: 100, BurstLimit: 200 });
    const [[keyId, key]] = resourcesOfType(template, 'AWS::ApiGateway::ApiKey');
    assert.match(keyId, /^ApiApiKey/);
    assert.equal(key.Value, undefined);
  });

  it('needs a plan only when a route needs a key: apiKeyRequired counts too', () => {
    const health = route('GET', '/v1/health', 'none');
    const cognitoOnly = parseRouteTable({ formatVersion: 1, routes: [health, route('GET', '/v1/me', 'cognito')] }, 'inline');
    assert.equal(resourcesOfType(synth(configWith({}), cognitoOnly), 'AWS::ApiGateway::UsagePlan').length, 0);
    const withKey = parseRouteTable({ formatVersion: 1, routes: [health, route('GET', '/v1/me', 'cognito', { apiKeyRequired: true })] }, 'inline');
    assert.equal(resourcesOfType(synth(configWith({}), withKey), 'AWS::ApiGateway::UsagePlan').length, 1);
  });
});

describe('apiKeyRequired in routes.json', () => {
  it('is refused without a token or signature, and when it is not a boolean', () => {
    assert.throws(() => parseRouteTable({ formatVersion: 1, routes: [route('GET', '/a', 'none', { apiKeyRequired: true })] }, 'inline'), /apiKeyRequired without a token or signature is auth "apiKey"/);
    assert.throws(() => parseRouteTable({ formatVersion: 1, routes: [route('GET', '/a', 'iam', { apiKeyRequired: 'yes' })] }, 'inline'), /apiKeyRequired must be true or false/);
  });
});
