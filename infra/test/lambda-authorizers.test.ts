/**
 * Lambda authorizers of routes.json in the synthesized API stack: each used authorizer is its
 * own function on the same package (handler authorizer.<name>), an AWS::ApiGateway::Authorizer
 * of its type with its identity sources, TTL and validation expression, API Gateway's
 * permission to invoke it from that authorizer only, CUSTOM methods naming it, alarms, and no
 * unacknowledged cdk-nag finding. Bad declarations fail at synth with the entry named.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { App } from 'aws-cdk-lib';

import { ApiStack } from '../lib/api-stack';
import { loadConfig } from '../lib/config';
import { enableNagChecks, suppressApiStackFindings } from '../lib/nag-suppressions';
import { parseRouteTable, RouteTable } from '../lib/route-table';
import { resourcesOfType } from './support/api-template';
import { unacknowledgedFindings, unusedAcknowledgements } from './support/checks';
import { functionZipFor } from './support/function-zip';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-authorizers-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function route(routePath: string, auth: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { method: 'GET', path: routePath, handler: 'handler', summary: 'summary', auth, cacheTtlSeconds: 0, throttle: null, ...extra };
}

const AUTHORIZERS = [
  {
    name: 'bearer',
    type: 'TOKEN',
    identitySources: ['method.request.header.Authorization'],
    resultTtlSeconds: 120,
    identityValidationExpression: '^Bearer [-0-9A-Za-z._~+/]+=*$',
    exampleIdentity: ['Bearer local'],
  },
  { name: 'caller', type: 'REQUEST', identitySources: ['method.request.header.X-Caller', 'method.request.querystring.tenant'], resultTtlSeconds: 0 },
  { name: 'unused', type: 'TOKEN', identitySources: ['method.request.header.Authorization'], resultTtlSeconds: 300 },
];

const TABLE = parseRouteTable(
  {
    formatVersion: 1,
    authorizers: AUTHORIZERS,
    routes: [
      route('/v1/health', 'none'),
      route('/v1/me', 'custom', { authorizer: 'bearer', cacheTtlSeconds: 60 }),
      route('/v1/tenants/{id}', 'custom', { authorizer: 'caller', apiKeyRequired: true }),
    ],
  },
  'inline',
);

function synth(routeTable: RouteTable) {
  const config = loadConfig({ envFile: path.join(scratch, 'absent.env'), environment: {}, overrides: {} });
  const zip = path.join(fs.mkdtempSync(path.join(scratch, 'dist-')), 'function.zip');
  fs.writeFileSync(zip, functionZipFor(config.functionArchitecture));
  const app = new App({ outdir: fs.mkdtempSync(path.join(scratch, 'cdk-')), analyticsReporting: false });
  const stack = new ApiStack(app, 'AuthorizedApi', { config, routeTable, functionZip: zip, deploymentName: 'dev' });
  enableNagChecks(app);
  suppressApiStackFindings(stack.findingScopes());
  return { app, json: app.synth().getStackByName(stack.stackName).template };
}

const { app, json } = synth(TABLE);

function methodOf(routePath: string): Record<string, any> {
  const part = routePath.split('/').pop();
  const resourceId = resourcesOfType(json, 'AWS::ApiGateway::Resource').find(([, resource]) => resource.PathPart === part)?.[0];
  const found = resourcesOfType(json, 'AWS::ApiGateway::Method').find(([, method]) => method.HttpMethod === 'GET' && method.ResourceId?.Ref === resourceId);
  assert.ok(found, `GET ${routePath}`);
  return found[1];
}

function authorizerNamed(name: string): [string, Record<string, any>] {
  const found = resourcesOfType(json, 'AWS::ApiGateway::Authorizer').find(([, authorizer]) => String(JSON.stringify(authorizer.Name)).includes(`-${name}`));
  assert.ok(found, `authorizer ${name}`);
  return found;
}

describe('Lambda authorizers of routes.json', () => {
  it('runs each used authorizer as its own function on the same package, selected by its handler', () => {
    const functions = resourcesOfType(json, 'AWS::Lambda::Function');
    const api = functions.find(([, fn]) => fn.Properties?.Handler === 'bootstrap' || fn.Handler === 'bootstrap');
    const props = (fn: Record<string, any>) => fn.Properties ?? fn;
    const byHandler = new Map(functions.map(([, fn]) => [props(fn).Handler, props(fn)]));
    assert.ok(api, 'the API function');
    for (const name of ['bearer', 'caller']) {
      const authorizerFunction = byHandler.get(`authorizer.${name}`);
      assert.ok(authorizerFunction, `function of ${name}`);
      assert.equal(authorizerFunction.Runtime, 'provided.al2023');
      assert.deepEqual(authorizerFunction.Code, props(api[1]).Code, 'the same bootstrap package');
      assert.equal(authorizerFunction.TracingConfig.Mode, 'Active');
      assert.ok(authorizerFunction.LoggingConfig?.LogGroup, 'its own log group');
    }
    assert.equal(byHandler.get('authorizer.unused'), undefined, 'an authorizer no route uses is not deployed');
  });

  it('creates TOKEN and REQUEST authorizers with their identity sources, TTL and validation expression', () => {
    const [, bearer] = authorizerNamed('bearer');
    assert.equal(bearer.Type, 'TOKEN');
    assert.equal(bearer.IdentitySource, 'method.request.header.Authorization');
    assert.equal(bearer.IdentityValidationExpression, '^Bearer [-0-9A-Za-z._~+/]+=*$');
    assert.equal(bearer.AuthorizerResultTtlInSeconds, 120);
    assert.match(JSON.stringify(bearer.AuthorizerUri), /lambda:path\/2015-03-31\/functions\//);
    const [, caller] = authorizerNamed('caller');
    assert.equal(caller.Type, 'REQUEST');
    assert.equal(caller.IdentitySource, 'method.request.header.X-Caller,method.request.querystring.tenant');
    assert.equal(caller.AuthorizerResultTtlInSeconds, 0);
  });

  it('lets API Gateway invoke each authorizer function from its authorizer only', () => {
    for (const name of ['bearer', 'caller']) {
      const [authorizerId] = authorizerNamed(name);
      const permission = resourcesOfType(json, 'AWS::Lambda::Permission').find(
        ([, candidate]) => candidate.Principal === 'apigateway.amazonaws.com' && JSON.stringify(candidate.SourceArn).includes(authorizerId),
      );
      assert.ok(permission, `permission of ${name}`);
      assert.equal(permission[1].Action, 'lambda:InvokeFunction');
      assert.match(JSON.stringify(permission[1].SourceArn), /\/authorizers\//);
    }
  });

  it('gives custom routes AuthorizationType CUSTOM and their authorizer, the key where required', () => {
    const me = methodOf('/v1/me');
    assert.equal(me.AuthorizationType, 'CUSTOM');
    assert.deepEqual(me.AuthorizerId, { Ref: authorizerNamed('bearer')[0] });
    assert.equal(me.ApiKeyRequired, false);
    const tenant = methodOf('/v1/tenants/{id}');
    assert.equal(tenant.AuthorizationType, 'CUSTOM');
    assert.deepEqual(tenant.AuthorizerId, { Ref: authorizerNamed('caller')[0] });
    assert.equal(tenant.ApiKeyRequired, true);
    assert.equal(methodOf('/v1/health').AuthorizationType, 'NONE');
  });

  it("keys a cached custom route's cache by the authorizer's identity sources", () => {
    const me = methodOf('/v1/me');
    assert.ok(me.Integration.CacheKeyParameters.includes('method.request.header.Authorization'), JSON.stringify(me.Integration.CacheKeyParameters));
  });

  it("alarms on each authorizer function's errors and throttles", () => {
    const alarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([id]) => id);
    for (const name of ['Bearer', 'Caller']) {
      assert.ok(alarms.some((id) => id.includes(`Authorizer${name}Errors`)), `${name} errors alarm in ${alarms.join(', ')}`);
      assert.ok(alarms.some((id) => id.includes(`Authorizer${name}Throttles`)), `${name} throttles alarm`);
    }
  });

  it('leaves no unacknowledged cdk-nag AwsSolutions finding, and every acknowledgement is used', () => {
    assert.deepEqual(unacknowledgedFindings(app), []);
    assert.deepEqual(unusedAcknowledgements(app), []);
  });
});

describe('bad authorizer declarations in routes.json', () => {
  const refused = (document: Record<string, unknown>, pattern: RegExp) => assert.throws(() => parseRouteTable({ formatVersion: 1, ...document }, 'inline'), pattern);

  it('refuses a custom route without a declared authorizer, and an authorizer on another mode', () => {
    refused({ routes: [route('/a', 'custom')] }, /auth "custom" needs an authorizer/);
    refused({ authorizers: AUTHORIZERS, routes: [route('/a', 'custom', { authorizer: 'other' })] }, /needs an authorizer of "authorizers", got "other"/);
    refused({ authorizers: AUTHORIZERS, routes: [route('/a', 'none', { authorizer: 'bearer' })] }, /needs auth "custom"/);
  });

  it("refuses declarations API Gateway would refuse", () => {
    const with_ = (entry: Record<string, unknown>) => ({ authorizers: [{ name: 'abc', type: 'TOKEN', identitySources: ['method.request.header.A'], ...entry }], routes: [route('/a', 'none')] });
    refused(with_({ resultTtlSeconds: 3601 }), /resultTtlSeconds must be a whole number from 0 to 3600/);
    refused(with_({ type: 'JWT' }), /type must be "TOKEN" or "REQUEST"/);
    refused(with_({ identitySources: ['method.request.querystring.a'] }), /exactly one identity source/);
    refused(with_({ name: 'Bad_Name' }), /name must be 3 to 48/);
    refused(with_({ type: 'REQUEST', identitySources: ['context.a'] }), /is not one API Gateway reads/);
    refused(with_({ type: 'REQUEST', identitySources: [], resultTtlSeconds: 60 }), /needs at least one identity source/);
    refused(with_({ type: 'REQUEST', identityValidationExpression: '^x$' }), /for TOKEN authorizers only/);
    refused({ authorizers: [AUTHORIZERS[0], AUTHORIZERS[0]], routes: [route('/a', 'none')] }, /declared twice/);
  });
});
