/**
 * The route table exported by the C++ build (`dist/routes.json`, see docs/route-table.md) and
 * the deployable package beside it. The API Gateway resources are generated from this table;
 * no route is written in TypeScript.
 *
 * @example
 *   const dist = resolveDistDir();                      // $CPPSTACK_DIST_DIR or <repo>/dist
 *   const table = loadRouteTable(path.join(dist, ROUTES_FILE));
 *   table.routes.map((route) => `${route.method} ${route.path}`);
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { REPOSITORY_ROOT } from './config';
import { checkAuthorizerReferences, LambdaAuthorizerDeclaration, parseAuthorizers } from './authorizer-declarations';
import { BucketDeclaration, parseBuckets, parseTables, TableDeclaration } from './resource-declarations';

export const FUNCTION_ZIP_FILE = 'function.zip';
export const ROUTES_FILE = 'routes.json';
export const DIST_DIR_VARIABLE = 'CPPSTACK_DIST_DIR';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'ANY'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
/** The concrete methods an `ANY` method answers (API Gateway keeps their settings apart). */
export const ANY_METHOD_EXPANSION: readonly HttpMethod[] = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];

/**
 * Who may call a route: anyone (`none`), a client with an API key of the usage plan (`apiKey`),
 * a user with a Cognito user-pool token (`cognito`), an AWS principal signing with SigV4 (`iam`),
 * or a caller a Lambda authorizer of the application allows (`custom`, naming the authorizer).
 */
export const ROUTE_AUTH_MODES = ['none', 'apiKey', 'cognito', 'iam', 'custom'] as const;
export type RouteAuth = (typeof ROUTE_AUTH_MODES)[number];

/**
 * An OAuth scope as RFC 6749 (section 3.3) and Cognito write them: printable ASCII but space,
 * '"' and backslash, at most 513 characters (a 256-character resource server identifier, '/', a
 * 256-character scope name). The C++ route table checks the same at compile time
 * (include/cppstack/http/auth_scope.hpp).
 */
export const OAUTH_SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]{1,513}$/;

export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  readonly handler: string;
  readonly summary: string;
  readonly auth: RouteAuth;
  /** OAuth scopes of a cognito route: the method's authorizationScopes (an access token with one of them); absent or empty: none. */
  readonly authorizationScopes?: readonly string[];
  /** An API key of a usage plan as well as the token or signature of a cognito or iam route (API Gateway's apiKeyRequired beside an authorizer); absent: false. */
  readonly apiKeyRequired?: boolean;
  /** The Lambda authorizer of a custom route: a name of the table's `authorizers`. */
  readonly authorizer?: string;
  readonly cacheTtlSeconds: number;
  readonly throttle: RouteThrottle | null;
}

export interface RouteTable {
  readonly formatVersion: 1;
  readonly routes: readonly Route[];
  /** The DynamoDB tables the function declares (lib/resource-declarations.ts); absent or empty: none. */
  readonly tables?: readonly TableDeclaration[];
  /** The S3 buckets the function declares; absent or empty: none. */
  readonly buckets?: readonly BucketDeclaration[];
  /** The Lambda authorizers the function declares (lib/lambda-authorizers.ts); absent or empty: none. */
  readonly authorizers?: readonly LambdaAuthorizerDeclaration[];
}

export class RouteTableError extends Error {
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'RouteTableError';
  }
}

/** API Gateway's limit on a method's cache time to live. */
export const MAX_CACHE_TTL_SECONDS = 3600;

// API Gateway's CreateResource allows a-z A-Z 0-9 . _ - : in a path part; a leading ':' is
// refused as in the C++ RoutePath check (an Express-style variable that would be a literal).
const LITERAL_SEGMENT = /^[A-Za-z0-9._-][A-Za-z0-9._:-]*$/;
const VARIABLE_SEGMENT = /^\{[A-Za-z_][A-Za-z0-9_]*\}$/;
const GREEDY_SEGMENT = /^\{[A-Za-z_][A-Za-z0-9_]*\+\}$/;

/** `$CPPSTACK_DIST_DIR` when set, otherwise `<repo>/dist`. */
export function resolveDistDir(environment: NodeJS.ProcessEnv = process.env): string {
  const configured = environment[DIST_DIR_VARIABLE];
  return configured ? path.resolve(configured) : path.join(REPOSITORY_ROOT, 'dist');
}

/** The deployable zip in a dist directory; fails with the command that produces it. */
export function functionZipPath(distDir: string): string {
  const zip = path.join(distDir, FUNCTION_ZIP_FILE);
  if (!fs.existsSync(zip)) {
    throw new RouteTableError(zip, `missing; run \`make package\` (or set ${DIST_DIR_VARIABLE})`);
  }
  return zip;
}

export function loadRouteTable(file: string): RouteTable {
  if (!fs.existsSync(file)) {
    throw new RouteTableError(file, `missing; run \`make package\` (or set ${DIST_DIR_VARIABLE})`);
  }
  let document: unknown;
  try {
    document = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RouteTableError(file, `not valid JSON: ${(error as Error).message}`);
  }
  return parseRouteTable(document, file);
}

export function parseRouteTable(document: unknown, source: string): RouteTable {
  if (!isObject(document)) throw new RouteTableError(source, 'expected a JSON object');
  if (document.formatVersion !== 1) {
    throw new RouteTableError(source, `formatVersion must be 1, got ${JSON.stringify(document.formatVersion)}`);
  }
  if (!Array.isArray(document.routes) || document.routes.length === 0) {
    throw new RouteTableError(source, 'routes must be a non-empty array');
  }
  const routes = document.routes.map((entry: unknown, index: number) => parseRoute(entry, `${source}: routes[${index}]`));
  checkConsistency(routes, source);
  const authorizers = parseAuthorizers(document.authorizers, source);
  checkAuthorizerReferences(routes, authorizers, source);
  return {
    formatVersion: 1,
    routes,
    tables: parseTables(document.tables, source),
    buckets: parseBuckets(document.buckets, source),
    ...(authorizers.length > 0 ? { authorizers } : {}),
  };
}

function parseRoute(entry: unknown, where: string): Route {
  if (!isObject(entry)) throw new RouteTableError(where, 'expected an object');
  const method = entry.method;
  if (typeof method !== 'string' || !(HTTP_METHODS as readonly string[]).includes(method)) {
    throw new RouteTableError(where, `method must be one of ${HTTP_METHODS.join(', ')}, got ${JSON.stringify(method)}`);
  }
  const routePath = entry.path;
  if (typeof routePath !== 'string') throw new RouteTableError(where, 'path must be a string');
  checkPath(routePath, where);
  const { handler, summary, auth, authorizationScopes, apiKeyRequired, authorizer, cacheTtlSeconds, throttle } = entry;
  if (typeof handler !== 'string' || handler === '') throw new RouteTableError(where, 'handler must be a non-empty string');
  if (typeof summary !== 'string') throw new RouteTableError(where, 'summary must be a string');
  // "apiKey" only, camelCase as every key of routes.json: the exporter has never written another spelling.
  const routeAuth = ROUTE_AUTH_MODES.find((mode) => mode === auth);
  if (routeAuth === undefined) {
    throw new RouteTableError(where, `auth must be one of "none", "apiKey", "cognito", "iam", "custom", got ${JSON.stringify(auth)}`);
  }
  if (!Number.isInteger(cacheTtlSeconds) || (cacheTtlSeconds as number) < 0 || (cacheTtlSeconds as number) > MAX_CACHE_TTL_SECONDS) {
    throw new RouteTableError(where, `cacheTtlSeconds must be a whole number from 0 to ${MAX_CACHE_TTL_SECONDS}, got ${JSON.stringify(cacheTtlSeconds)}`);
  }
  if (apiKeyRequired !== undefined && apiKeyRequired !== null && typeof apiKeyRequired !== 'boolean') {
    throw new RouteTableError(where, `apiKeyRequired must be true or false, got ${JSON.stringify(apiKeyRequired)}`);
  }
  if (apiKeyRequired === true && routeAuth === 'none') throw new RouteTableError(where, 'apiKeyRequired without a token or signature is auth "apiKey"');
  if (authorizer !== undefined && authorizer !== null && typeof authorizer !== 'string') {
    throw new RouteTableError(where, `authorizer must be a string, got ${JSON.stringify(authorizer)}`);
  }
  return {
    method: method as HttpMethod,
    path: routePath,
    handler,
    summary,
    auth: routeAuth,
    authorizationScopes: parseScopes(authorizationScopes, routeAuth, where),
    ...(apiKeyRequired === true ? { apiKeyRequired: true } : {}),
    ...(typeof authorizer === 'string' ? { authorizer } : {}),
    cacheTtlSeconds: cacheTtlSeconds as number,
    throttle: parseThrottle(throttle, where),
  };
}

function parseScopes(scopes: unknown, auth: RouteAuth, where: string): string[] {
  if (scopes === undefined || scopes === null) return [];
  if (!Array.isArray(scopes)) throw new RouteTableError(where, `authorizationScopes must be an array of strings, got ${JSON.stringify(scopes)}`);
  const bad = scopes.find((scope) => typeof scope !== 'string' || !OAUTH_SCOPE_PATTERN.test(scope));
  if (bad !== undefined) {
    throw new RouteTableError(where, `authorizationScopes must hold OAuth scopes (printable ASCII without spaces, quotes or backslashes), got ${JSON.stringify(bad)}`);
  }
  if (scopes.length > 0 && auth !== 'cognito') throw new RouteTableError(where, `authorizationScopes needs auth "cognito", got auth "${auth}"`);
  return scopes as string[];
}

function parseThrottle(throttle: unknown, where: string): RouteThrottle | null {
  if (throttle === null || throttle === undefined) return null;
  if (!isObject(throttle)) throw new RouteTableError(where, 'throttle must be null or an object');
  const { rateLimit, burstLimit } = throttle;
  if (typeof rateLimit !== 'number' || !(rateLimit > 0)) {
    throw new RouteTableError(where, `throttle.rateLimit must be a positive number, got ${JSON.stringify(rateLimit)}`);
  }
  if (!Number.isInteger(burstLimit) || (burstLimit as number) < 1) {
    throw new RouteTableError(where, `throttle.burstLimit must be a positive whole number, got ${JSON.stringify(burstLimit)}`);
  }
  return { rateLimit, burstLimit: burstLimit as number };
}

function checkPath(routePath: string, where: string): void {
  if (routePath === '/') return;
  if (!routePath.startsWith('/') || routePath.endsWith('/')) {
    throw new RouteTableError(where, `path must start with '/' and not end with '/', got '${routePath}'`);
  }
  const segments = routePath.slice(1).split('/');
  segments.forEach((segment, index) => {
    const isLast = index === segments.length - 1;
    if (GREEDY_SEGMENT.test(segment)) {
      if (!isLast) throw new RouteTableError(where, `the greedy segment '${segment}' must be the last one of '${routePath}'`);
    } else if (!VARIABLE_SEGMENT.test(segment) && !LITERAL_SEGMENT.test(segment)) {
      throw new RouteTableError(where, `invalid segment '${segment}' in path '${routePath}'`);
    }
  });
}

/** Rejects what API Gateway would reject at deployment time, so synth fails first. */
function checkConsistency(routes: readonly Route[], source: string): void {
  const seen = new Set<string>();
  const variableChildren = new Map<string, string>();
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) throw new RouteTableError(source, `duplicate route ${key}`);
    seen.add(key);

    let parent = '';
    for (const segment of route.path === '/' ? [] : route.path.slice(1).split('/')) {
      if (segment.startsWith('{')) {
        const existing = variableChildren.get(parent);
        if (existing !== undefined && existing !== segment) {
          throw new RouteTableError(source, `'${parent || '/'}' has two variable children, ${existing} and ${segment}; API Gateway allows one`);
        }
        variableChildren.set(parent, segment);
      }
      parent = `${parent}/${segment}`;
    }
  }
}

/** The key of a route's operation in an OpenAPI path item: `get`, or API Gateway's any-method extension. */
export function routeOperationKey(method: HttpMethod): string {
  return method === 'ANY' ? 'x-amazon-apigateway-any-method' : method.toLowerCase();
}

/** The path parameters of a route path: `/v1/items/{id}` gives `['id']`, `{proxy+}` gives `['proxy']`. */
export function pathParameters(routePath: string): string[] {
  return [...routePath.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\+?\}/g)].map((match) => match[1]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
