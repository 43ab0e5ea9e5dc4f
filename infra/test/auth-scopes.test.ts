/**
 * OAuth scopes per route and the user pool given by id or ARN: routes.json's
 * `authorizationScopes` reach the Cognito methods (AWS::ApiGateway::Method AuthorizationScopes:
 * "The method invocation is authorized if any method scopes matches a claimed scope in the
 * access token", CloudFormation reference), the created pool gets a resource server for the
 * custom scopes, and COGNITO_USER_POOL_ID is read as the emulator reads it
 * (tests/fixtures/env/cases.json, "userPools").
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { App } from 'aws-cdk-lib';

import { ApiStack } from '../lib/api-stack';
import { AppConfig, loadConfig, REPOSITORY_ROOT } from '../lib/config';
import { customScopesByServer } from '../lib/auth';
import { parseRouteTable, RouteTable } from '../lib/route-table';
import { cognitoIssuer, parseUserPool } from '../lib/user-pool';
import { resourcesOfType } from './support/api-template';
import { functionZipFor } from './support/function-zip';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-auth-scopes-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function configWith(overrides: Record<string, string>): AppConfig {
  return loadConfig({ envFile: path.join(scratch, 'absent.env'), environment: {}, overrides });
}

function route(routePath: string, auth: string, authorizationScopes?: unknown): Record<string, unknown> {
  return { method: 'GET', path: routePath, handler: 'handler', summary: 'summary', auth, cacheTtlSeconds: 0, throttle: null, ...(authorizationScopes === undefined ? {} : { authorizationScopes }) };
}

function table(...routes: Record<string, unknown>[]): RouteTable {
  return parseRouteTable({ formatVersion: 1, routes }, 'inline');
}

const ROUTES = table(
  route('/v1/health', 'none', []),
  route('/v1/me', 'cognito', []),
  route('/v1/notes', 'cognito', ['notes/read', 'notes/admin', 'openid']),
  route('/v1/admin', 'cognito', ['notes/admin', 'https://api.example.com/audit']),
);

function synth(config: AppConfig, routeTable: RouteTable = ROUTES) {
  const zip = path.join(fs.mkdtempSync(path.join(scratch, 'dist-')), 'function.zip');
  fs.writeFileSync(zip, functionZipFor(config.functionArchitecture));
  const app = new App({ outdir: fs.mkdtempSync(path.join(scratch, 'cdk-')), analyticsReporting: false });
  const stack = new ApiStack(app, 'ScopedApi', { config, routeTable, functionZip: zip, deploymentName: 'dev' });
  return app.synth().getStackByName(stack.stackName).template;
}

function cognitoMethod(json: { Resources: Record<string, any> }, routePath: string): Record<string, any> {
  const resourceId = resourcesOfType(json, 'AWS::ApiGateway::Resource').find(([, resource]) => resource.PathPart === routePath.split('/').pop())?.[0];
  const found = resourcesOfType(json, 'AWS::ApiGateway::Method').find(([, method]) => method.HttpMethod === 'GET' && method.ResourceId?.Ref === resourceId);
  assert.ok(found, `GET ${routePath}`);
  return found[1];
}

describe('routes.json authorizationScopes', () => {
  it('is read for cognito routes and absent means none', () => {
    assert.deepEqual(ROUTES.routes[2].authorizationScopes, ['notes/read', 'notes/admin', 'openid']);
    assert.deepEqual(table(route('/v1/me', 'cognito')).routes[0].authorizationScopes, []);
  });

  it('refuses scopes on other auth modes and strings that are not OAuth scopes', () => {
    assert.throws(() => table(route('/v1/x', 'iam', ['notes/read'])), /routes\[0\]: authorizationScopes needs auth "cognito", got auth "iam"/);
    for (const bad of ['notes read', '', 'quo"te', 'back\\slash', 'x'.repeat(514)]) {
      assert.throws(() => table(route('/v1/x', 'cognito', [bad])), /authorizationScopes must hold OAuth scopes/, JSON.stringify(bad));
    }
    assert.throws(() => table(route('/v1/x', 'cognito', 'notes/read')), /authorizationScopes must be an array of strings/);
  });

  it('spells the API key mode apiKey only (camelCase like every key of routes.json)', () => {
    assert.equal(table(route('/v1/x', 'apiKey')).routes[0].auth, 'apiKey');
    assert.throws(() => table(route('/v1/x', 'api_key')), /auth must be one of "none", "apiKey", "cognito", "iam", "custom", got "api_key"/);
  });

  it('groups custom scopes by resource server (split at the last slash) and leaves standard scopes alone', () => {
    assert.deepEqual(
      [...customScopesByServer(ROUTES.routes)],
      [
        ['notes', ['read', 'admin']],
        ['https://api.example.com', ['audit']],
      ],
    );
    assert.throws(() => customScopesByServer(table(route('/v1/x', 'cognito', ['notes/'])).routes), /neither a Cognito standard scope/);
  });
});

describe('scoped cognito routes on a created pool', () => {
  const json = synth(configWith({}));

  it('gives each scoped method its scopes and the others none (an ID token)', () => {
    assert.deepEqual(cognitoMethod(json, '/v1/notes').AuthorizationScopes, ['notes/read', 'notes/admin', 'openid']);
    assert.deepEqual(cognitoMethod(json, '/v1/admin').AuthorizationScopes, ['notes/admin', 'https://api.example.com/audit']);
    assert.equal(cognitoMethod(json, '/v1/me').AuthorizationScopes, undefined);
    for (const routePath of ['/v1/notes', '/v1/admin', '/v1/me']) assert.equal(cognitoMethod(json, routePath).AuthorizationType, 'COGNITO_USER_POOLS');
  });

  it('creates a resource server per identifier with the custom scopes in the created pool', () => {
    const servers = resourcesOfType(json, 'AWS::Cognito::UserPoolResourceServer').map(([, server]) => server);
    const poolId = resourcesOfType(json, 'AWS::Cognito::UserPool')[0][0];
    assert.deepEqual(
      servers.map((server) => [server.Identifier, server.Scopes.map((scope: { ScopeName: string }) => scope.ScopeName)]),
      [
        ['notes', ['read', 'admin']],
        ['https://api.example.com', ['audit']],
      ],
    );
    for (const server of servers) assert.deepEqual(server.UserPoolId, { Ref: poolId });
  });
});

describe('COGNITO_USER_POOL_ID given by ARN or id', () => {
  it('authorizes with the ARN as given', () => {
    const arn = 'arn:aws:cognito-idp:eu-west-1:210987654321:userpool/eu-west-1_AbCdEf123';
    const [[, authorizer]] = resourcesOfType(synth(configWith({ COGNITO_USER_POOL_ID: arn })), 'AWS::ApiGateway::Authorizer');
    assert.deepEqual(authorizer.ProviderARNs, [arn]);
  });

  it('builds the ARN of an id in the region the id names, not the stack region', () => {
    const [[, authorizer]] = resourcesOfType(synth(configWith({ COGNITO_USER_POOL_ID: 'ap-southeast-2_Xy9', AWS_REGION: 'us-east-1' })), 'AWS::ApiGateway::Authorizer');
    const arn = JSON.stringify(authorizer.ProviderARNs[0]);
    assert.match(arn, /:cognito-idp:ap-southeast-2:/);
    assert.match(arn, /:userpool\/ap-southeast-2_Xy9/);
  });

  const cases = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, 'tests', 'fixtures', 'env', 'cases.json'), 'utf8')).userPools;
  for (const { name, value, region, id, issuer, message } of cases) {
    it(`reads like the emulator: ${name}`, () => {
      if (message !== undefined) {
        assert.throws(() => parseUserPool(value), (error: unknown) => `COGNITO_USER_POOL_ID: ${(error as Error).message}` === message);
        return;
      }
      const pool = parseUserPool(value);
      assert.equal(pool.region, region);
      assert.equal(pool.id, id);
      assert.equal(cognitoIssuer(pool), issuer);
    });
  }
});
