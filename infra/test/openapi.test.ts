/**
 * dist/openapi.json, exported by the C++ build beside routes.json: it must be a valid OpenAPI 3.0
 * document by the specification's JSON schema, and it must describe exactly the routes of
 * routes.json, so that clients generated from it reach what API Gateway actually serves and send
 * an API key exactly where one is required. The comparison helpers are also run on small crafted
 * documents, because the real table may have no apiKey route or path parameter for them to see.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import SwaggerParser from '@apidevtools/swagger-parser';

import { DIST_DIR_VARIABLE, loadRouteTable, resolveDistDir, Route, ROUTES_FILE, RouteTableError } from '../lib/route-table';

const OPENAPI_FILE = 'openapi.json';

/** API Gateway's OpenAPI extension for a method that accepts every verb. */
const ANY_METHOD_KEY = 'x-amazon-apigateway-any-method';

/** The keys of an OpenAPI 3.0 path item that hold operations (the rest are shared fields). */
const OPERATION_KEYS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', ANY_METHOD_KEY];

/** API Gateway REST APIs read a usage plan's key from this request header. */
const API_KEY_HEADER = 'x-api-key';

type Json = any;

const distDir = resolveDistDir();
const openApiFile = path.join(distDir, OPENAPI_FILE);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-openapi-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function readJson(file: string): Json {
  if (!fs.existsSync(file)) {
    throw new RouteTableError(file, `missing; run \`make package\` (or set ${DIST_DIR_VARIABLE})`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function operationKey(method: Route['method']): string {
  return method === 'ANY' ? ANY_METHOD_KEY : method.toLowerCase();
}

function routeOperations(routes: readonly Route[]): string[] {
  return routes.map((route) => `${operationKey(route.method)} ${route.path}`).sort();
}

function documentedOperations(document: Json): string[] {
  const pairs: string[] = [];
  for (const [routePath, pathItem] of Object.entries<Json>(document.paths ?? {})) {
    for (const key of Object.keys(pathItem)) {
      if (OPERATION_KEYS.includes(key)) pairs.push(`${key} ${routePath}`);
    }
  }
  return pairs.sort();
}

function isApiGatewayKeyScheme(scheme: Json): boolean {
  return scheme?.type === 'apiKey' && scheme.in === 'header' && String(scheme.name).toLowerCase() === API_KEY_HEADER;
}

/**
 * Where the document's security requirements disagree with the routes' auth. An operation's own
 * `security` replaces the document-wide one; an empty requirement object means "no credentials".
 */
function securityProblems(routes: readonly Route[], document: Json): string[] {
  const schemes: Record<string, Json> = document.components?.securitySchemes ?? {};
  const problems: string[] = [];
  for (const route of routes) {
    const where = `${route.method} ${route.path}`;
    const operation = document.paths?.[route.path]?.[operationKey(route.method)];
    if (!operation) continue;
    const requirements: Json[] = operation.security ?? document.security ?? [];
    for (const requirement of requirements) {
      for (const name of Object.keys(requirement)) {
        if (!(name in schemes)) problems.push(`${where}: security scheme '${name}' is not declared`);
      }
    }
    const keyRequired =
      requirements.length > 0 &&
      requirements.every((requirement) => Object.keys(requirement).some((name) => isApiGatewayKeyScheme(schemes[name])));
    if (route.auth === 'apiKey' && !keyRequired) {
      problems.push(`${where}: auth is apiKey but the operation does not require a declared apiKey scheme in '${API_KEY_HEADER}'`);
    }
    if (route.auth === 'none' && keyRequired) {
      problems.push(`${where}: auth is none but the operation requires an API key`);
    }
  }
  return problems;
}

/** The template's variables as API Gateway names its path parameters: a greedy one keeps its `+`. */
function templateVariables(routePath: string): string[] {
  return [...routePath.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
}

/** Operations whose `in: path` parameters (path item and operation level) differ from the template's variables. */
function pathParameterProblems(document: Json): string[] {
  const problems: string[] = [];
  for (const [routePath, pathItem] of Object.entries<Json>(document.paths ?? {})) {
    const expected = templateVariables(routePath).sort();
    for (const key of Object.keys(pathItem).filter((k) => OPERATION_KEYS.includes(k))) {
      const declared = [...(pathItem.parameters ?? []), ...(pathItem[key].parameters ?? [])].filter(
        (parameter: Json) => parameter.in === 'path',
      );
      const names = declared.map((parameter: Json) => String(parameter.name)).sort();
      if (JSON.stringify(names) !== JSON.stringify(expected)) {
        problems.push(`${key} ${routePath}: path parameters [${names.join(', ')}] but the template has [${expected.join(', ')}]`);
      }
      if (declared.some((parameter: Json) => parameter.required !== true)) {
        problems.push(`${key} ${routePath}: a path parameter is not required`);
      }
    }
  }
  return problems;
}

function route(method: Route['method'], routePath: string, auth: Route['auth'] = 'none'): Route {
  return { method, path: routePath, handler: 'handler', summary: 'summary', auth, cacheTtlSeconds: 0, throttle: null };
}

function writeScratch(name: string, document: Json): string {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, JSON.stringify(document));
  return file;
}

/** The first operation of the real document, for breaking copies of it. */
function firstOperation(document: Json): Json {
  for (const pathItem of Object.values<Json>(document.paths)) {
    const key = Object.keys(pathItem).find((k) => OPERATION_KEYS.includes(k));
    if (key) return pathItem[key];
  }
  throw new Error('the document has no operation');
}

describe('OpenAPI document (dist/openapi.json)', () => {
  it('is a valid OpenAPI 3.0 document by the specification schema', async () => {
    const document = readJson(openApiFile);
    assert.match(String(document.openapi), /^3\.0\.\d+$/);
    await SwaggerParser.validate(openApiFile);
  });

  const broken: Array<[string, (document: Json) => void, RegExp]> = [
    ['an operation without responses', (document) => delete firstOperation(document).responses, /must have required property 'responses'/],
    ['an invalid openapi version', (document) => (document.openapi = '3.0'), /Unsupported OpenAPI version: 3\.0\./],
    [
      'a path that does not start with a slash',
      (document) => (document.paths['v1-no-slash'] = Object.values(document.paths)[0]),
      /#\/paths must NOT have additional properties/,
    ],
    [
      'a security scheme of an unknown type',
      (document) => (document.components.securitySchemes.apiKey.type = 'token'),
      /securitySchemes\/apiKey\/type must be equal to one of the allowed values/,
    ],
    [
      'a reference to a response that is not declared',
      (document) => (firstOperation(document).responses['500'] = { $ref: '#/components/responses/Missing' }),
      /Missing \$ref pointer "#\/components\/responses\/Missing"/,
    ],
  ];
  for (const [what, breakIt, expected] of broken) {
    it(`rejects a copy with ${what}`, async () => {
      const document = readJson(openApiFile);
      breakIt(document);
      const file = writeScratch(`${what.replace(/\W+/g, '-')}.json`, document);
      await assert.rejects(SwaggerParser.validate(file), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, expected);
        return true;
      });
    });
  }

  it('has exactly the (method, path) pairs of dist/routes.json', () => {
    const table = loadRouteTable(path.join(distDir, ROUTES_FILE));
    assert.deepEqual(documentedOperations(readJson(openApiFile)), routeOperations(table.routes));
  });

  it('requires the declared API key scheme on exactly the apiKey routes', () => {
    const table = loadRouteTable(path.join(distDir, ROUTES_FILE));
    assert.deepEqual(securityProblems(table.routes, readJson(openApiFile)), []);
  });

  it('declares every path template variable as a required path parameter', () => {
    assert.deepEqual(pathParameterProblems(readJson(openApiFile)), []);
  });
});

describe('OpenAPI comparison with the route table', () => {
  const keyScheme = { securitySchemes: { apiKey: { type: 'apiKey', name: 'x-api-key', in: 'header' } } };

  it('maps ANY to the API Gateway any-method key, lower-cases other methods and ignores shared path item fields', () => {
    const document = {
      paths: {
        '/v1/items/{id}': { parameters: [], summary: 'items', get: {}, [ANY_METHOD_KEY]: {}, 'x-other': {} },
        '/': { head: {} },
      },
    };
    assert.deepEqual(documentedOperations(document), [`get /v1/items/{id}`, 'head /', `${ANY_METHOD_KEY} /v1/items/{id}`].sort());
    const routes = [route('GET', '/v1/items/{id}'), route('ANY', '/v1/items/{id}'), route('HEAD', '/')];
    assert.deepEqual(routeOperations(routes), documentedOperations(document));
    assert.notDeepEqual(routeOperations([route('GET', '/v1/items/{id}'), route('HEAD', '/')]), documentedOperations(document));
  });

  it('accepts an apiKey route that requires the declared key, on the operation or document-wide', () => {
    const onOperation = { paths: { '/v1/secret': { get: { security: [{ apiKey: [] }] } } }, components: keyScheme };
    assert.deepEqual(securityProblems([route('GET', '/v1/secret', 'apiKey')], onOperation), []);
    const documentWide = {
      security: [{ apiKey: [] }],
      paths: { '/v1/secret': { post: {} }, '/v1/open': { get: { security: [] } } },
      components: keyScheme,
    };
    assert.deepEqual(securityProblems([route('POST', '/v1/secret', 'apiKey'), route('GET', '/v1/open')], documentWide), []);
  });

  const insecure: Array<[string, Json, Route, RegExp]> = [
    [
      'no security requirement',
      { paths: { '/v1/s': { get: {} } }, components: keyScheme },
      route('GET', '/v1/s', 'apiKey'),
      /GET \/v1\/s: auth is apiKey/,
    ],
    [
      'an optional key (an empty alternative)',
      { paths: { '/v1/s': { get: { security: [{ apiKey: [] }, {}] } } }, components: keyScheme },
      route('GET', '/v1/s', 'apiKey'),
      /auth is apiKey/,
    ],
    [
      'an undeclared scheme',
      { paths: { '/v1/s': { [ANY_METHOD_KEY]: { security: [{ partnerKey: [] }] } } }, components: keyScheme },
      route('ANY', '/v1/s', 'apiKey'),
      /ANY \/v1\/s: security scheme 'partnerKey' is not declared/,
    ],
    [
      'a scheme that is not an API Gateway key',
      {
        paths: { '/v1/s': { get: { security: [{ bearer: [] }] } } },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      },
      route('GET', '/v1/s', 'apiKey'),
      /auth is apiKey/,
    ],
    [
      'a key on an auth none route',
      { paths: { '/v1/s': { get: { security: [{ apiKey: [] }] } } }, components: keyScheme },
      route('GET', '/v1/s'),
      /auth is none but/,
    ],
  ];
  for (const [what, document, routeEntry, expected] of insecure) {
    it(`reports ${what}`, () => {
      const problems = securityProblems([routeEntry], document);
      assert.ok(problems.some((problem) => expected.test(problem)), `no problem matches ${expected}: ${JSON.stringify(problems)}`);
    });
  }

  it('reports path parameters that differ from the template or are optional', () => {
    const good = {
      paths: {
        '/v1/{id}/{rest+}': {
          parameters: [{ name: 'id', in: 'path', required: true }],
          get: { parameters: [{ name: 'rest+', in: 'path', required: true }] },
        },
      },
    };
    assert.deepEqual(pathParameterProblems(good), []);
    const missing = { paths: { '/v1/{id}': { get: { parameters: [{ name: 'id', in: 'query', required: true }] } } } };
    assert.deepEqual(pathParameterProblems(missing), ['get /v1/{id}: path parameters [] but the template has [id]']);
    const greedyWithoutPlus = { paths: { '/v1/{rest+}': { get: { parameters: [{ name: 'rest', in: 'path', required: true }] } } } };
    assert.deepEqual(pathParameterProblems(greedyWithoutPlus), ['get /v1/{rest+}: path parameters [rest] but the template has [rest+]']);
    const optional = { paths: { '/v1/{id}': { get: { parameters: [{ name: 'id', in: 'path', required: false }] } } } };
    assert.deepEqual(pathParameterProblems(optional), ['get /v1/{id}: a path parameter is not required']);
  });
});
