import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { MethodLoggingLevel } from 'aws-cdk-lib/aws-apigateway';

import { methodDeploymentOptions, methodSettingsKey, routeLogicalId, StageMethodDefaults } from '../lib/api-routes';
import { loadRouteTable, parseRouteTable, pathParameters, resolveDistDir, Route, RouteTableError, ROUTES_FILE } from '../lib/route-table';

function route(overrides: Partial<Route> & Pick<Route, 'method' | 'path'>): Record<string, unknown> {
  return { handler: 'handler', summary: 'summary', auth: 'none', cacheTtlSeconds: 0, throttle: null, ...overrides };
}

function table(...routes: Record<string, unknown>[]): unknown {
  return { formatVersion: 1, routes };
}

describe('route table (dist/routes.json)', () => {
  it('the real table from the C++ build loads and includes the smoke-test route', () => {
    const real = loadRouteTable(path.join(resolveDistDir(), ROUTES_FILE));
    assert.ok(real.routes.length > 0);
    assert.ok(real.routes.some((r) => r.method === 'GET' && r.path === '/v1/health'), 'GET /v1/health is the pipeline smoke test');
  });

  it('defaults an absent throttle to null and keeps every field', () => {
    const parsed = parseRouteTable(table({ ...route({ method: 'GET', path: '/v1/items/{id}', cacheTtlSeconds: 30 }), throttle: undefined }), 'inline');
    assert.deepEqual(parsed.routes[0], {
      method: 'GET',
      path: '/v1/items/{id}',
      handler: 'handler',
      summary: 'summary',
      auth: 'none',
      authorizationScopes: [],
      cacheTtlSeconds: 30,
      throttle: null,
    });
  });

  it('reads every auth mode', () => {
    const parsed = parseRouteTable(
      table(
        route({ method: 'GET', path: '/a', auth: 'none' }),
        route({ method: 'GET', path: '/b', auth: 'apiKey' }),
        route({ method: 'GET', path: '/d', auth: 'cognito' }),
        route({ method: 'GET', path: '/e', auth: 'iam' }),
      ),
      'inline',
    );
    assert.deepEqual(parsed.routes.map((r) => r.auth), ['none', 'apiKey', 'cognito', 'iam']);
  });

  const invalid: Array<[string, unknown, RegExp]> = [
    ['a wrong format version', { formatVersion: 2, routes: [route({ method: 'GET', path: '/v1' })] }, /formatVersion must be 1/],
    ['no routes', { formatVersion: 1, routes: [] }, /routes must be a non-empty array/],
    ['a lower-case method', table(route({ method: 'get' as never, path: '/v1' })), /routes\[0\]: method must be one of/],
    ['a trailing slash', table(route({ method: 'GET', path: '/v1/' })), /must start with '\/' and not end with '\/'/],
    ['a relative path', table(route({ method: 'GET', path: 'v1' })), /must start with '\/'/],
    ['a greedy segment before the end', table(route({ method: 'ANY', path: '/{proxy+}/more' })), /greedy segment '\{proxy\+\}' must be the last/],
    ['an unknown auth', table(route({ method: 'GET', path: '/v1', auth: 'jwt' as never })), /auth must be one of "none", "apiKey", "cognito", "iam", "custom", got "jwt"/],
    ['an auth named after an Object property', table(route({ method: 'GET', path: '/v1', auth: 'toString' as never })), /auth must be one of/],
    ['a negative cache TTL', table(route({ method: 'GET', path: '/v1', cacheTtlSeconds: -1 })), /cacheTtlSeconds must be a whole number from 0 to 3600/],
    ['a cache TTL over API Gateway\'s limit', table(route({ method: 'GET', path: '/v1', cacheTtlSeconds: 3601 })), /cacheTtlSeconds/],
    ['a throttle without burst', table(route({ method: 'GET', path: '/v1', throttle: { rateLimit: 5 } as never })), /throttle\.burstLimit/],
    ['a duplicate route', table(route({ method: 'GET', path: '/v1' }), route({ method: 'GET', path: '/v1' })), /duplicate route GET \/v1/],
    [
      'two different variables under one parent',
      table(route({ method: 'GET', path: '/v1/{id}' }), route({ method: 'GET', path: '/v1/{name}/x' })),
      /'\/v1' has two variable children, \{id\} and \{name\}/,
    ],
  ];
  for (const [what, document, expected] of invalid) {
    it(`rejects ${what}`, () => {
      assert.throws(() => parseRouteTable(document, 'routes.json'), (error: unknown) => {
        assert.ok(error instanceof RouteTableError);
        assert.match(error.message, /^routes\.json/);
        assert.match(error.message, expected);
        return true;
      });
    });
  }

  it('accepts the same variable under one parent on several routes, and ANY beside GET', () => {
    const parsed = parseRouteTable(
      table(route({ method: 'GET', path: '/v1/{id}' }), route({ method: 'ANY', path: '/v1/{id}' }), route({ method: 'GET', path: '/' })),
      'inline',
    );
    assert.equal(parsed.routes.length, 3);
  });

  it('names path parameters, greedy ones included', () => {
    assert.deepEqual(pathParameters('/v1/users/{userId}/files/{path+}'), ['userId', 'path']);
    assert.deepEqual(pathParameters('/v1/health'), []);
  });
});

describe('stage method settings from routes', () => {
  const parse = (...routes: Record<string, unknown>[]) => parseRouteTable(table(...routes), 'inline').routes;
  const stage: StageMethodDefaults = {
    loggingLevel: MethodLoggingLevel.ERROR,
    metricsEnabled: true,
    dataTraceEnabled: false,
    throttlingRateLimit: 100,
    throttlingBurstLimit: 200,
  };

  it('leaves routes without cache or throttle to the stage defaults', () => {
    assert.deepEqual(methodDeploymentOptions(parse(route({ method: 'GET', path: '/v1/health' })), stage), {});
  });

  it('caches a GET route with its TTL, encrypted, keeping the stage\'s logging, metrics and throttle', () => {
    const options = methodDeploymentOptions(parse(route({ method: 'GET', path: '/v1/items/{id}', cacheTtlSeconds: 60 })), stage);
    assert.deepEqual(Object.keys(options), ['/v1/items/{id}/GET']);
    const { cacheTtl, ...settings } = options['/v1/items/{id}/GET'];
    assert.equal(cacheTtl?.toSeconds(), 60);
    assert.deepEqual(settings, { ...stage, cachingEnabled: true, cacheDataEncrypted: true });
  });

  it('throttles a route on its own method; the root path has its own key', () => {
    const options = methodDeploymentOptions(parse(route({ method: 'POST', path: '/', throttle: { rateLimit: 2.5, burstLimit: 5 } })), stage);
    assert.deepEqual(options, { '//POST': { ...stage, throttlingRateLimit: 2.5, throttlingBurstLimit: 5 } });
    assert.equal(methodSettingsKey('/', 'POST'), '//POST');
  });

  it('expands ANY into each method, caching only GET and HEAD, and an explicit route wins', () => {
    const options = methodDeploymentOptions(
      parse(
        route({ method: 'ANY', path: '/v1/files/{proxy+}', cacheTtlSeconds: 30, throttle: { rateLimit: 10, burstLimit: 20 } }),
        route({ method: 'DELETE', path: '/v1/files/{proxy+}', throttle: { rateLimit: 1, burstLimit: 1 } }),
      ),
      stage,
    );
    assert.deepEqual(Object.keys(options).sort(), ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'].map((m) => `/v1/files/{proxy+}/${m}`).sort());
    assert.equal(options['/v1/files/{proxy+}/GET'].cachingEnabled, true);
    assert.equal(options['/v1/files/{proxy+}/HEAD'].cachingEnabled, true);
    assert.equal(options['/v1/files/{proxy+}/POST'].cachingEnabled, undefined);
    assert.equal(options['/v1/files/{proxy+}/POST'].throttlingRateLimit, 10);
    assert.equal(options['/v1/files/{proxy+}/DELETE'].throttlingRateLimit, 1, 'the explicit DELETE route keeps its own throttle');
  });

  it('derives distinct output ids from method and path', () => {
    const ids = parse(
      route({ method: 'GET', path: '/' }),
      route({ method: 'GET', path: '/v1' }),
      route({ method: 'GET', path: '/v1/items/{id}' }),
      route({ method: 'ANY', path: '/v1/{proxy+}' }),
    ).map(routeLogicalId);
    assert.deepEqual(ids, ['GetRoot', 'GetV1', 'GetV1ItemsId', 'AnyV1ProxyGreedy']);
  });
});
