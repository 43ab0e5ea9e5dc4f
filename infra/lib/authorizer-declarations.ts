/**
 * routes.json's `authorizers` (docs/route-table.md, "Lambda authorizers"): read and checked by
 * the C++ declaration's rules (src/http/authorizer.cpp check_authorizer), so synth fails first
 * with the entry named. lib/lambda-authorizers.ts deploys them.
 */

/** What a route says of its authorizer (a Route of lib/route-table.ts). */
export interface RouteReference {
  readonly method: string;
  readonly path: string;
  readonly auth: string;
  readonly authorizer?: string;
}

export const AUTHORIZER_TYPES = ['TOKEN', 'REQUEST'] as const;
export type AuthorizerType = (typeof AUTHORIZER_TYPES)[number];

/** One entry of routes.json's `authorizers` (docs/route-table.md). */
export interface LambdaAuthorizerDeclaration {
  readonly name: string;
  readonly type: AuthorizerType;
  readonly identitySources: readonly string[];
  readonly resultTtlSeconds: number;
  readonly identityValidationExpression?: string;
}

/** API Gateway's limit on an authorizer's result TTL. */
export const MAX_AUTHORIZER_TTL_SECONDS = 3600;
// The C++ declaration's rules (src/http/authorizer.cpp check_authorizer), so synth fails first.
const NAME = /^[a-z][a-z0-9-]{1,46}[a-z0-9]$/;
const SOURCE_NAME = '[A-Za-z0-9_-]{1,128}';
const HEADER_SOURCE = new RegExp(`^method\\.request\\.header\\.${SOURCE_NAME}$`);
const REQUEST_SOURCE = new RegExp(
  `^(method\\.request\\.(header|querystring|multivalueheader|multivaluequerystring)|stageVariables)\\.${SOURCE_NAME}$`,
);

export class AuthorizerDeclarationError extends Error {
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'AuthorizerDeclarationError';
  }
}

/** Reads routes.json's `authorizers` (absent: none). */
export function parseAuthorizers(value: unknown, source: string): LambdaAuthorizerDeclaration[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new AuthorizerDeclarationError(source, 'authorizers must be an array');
  const names = new Set<string>();
  return value.map((entry: unknown, index: number) => {
    const where = `${source}: authorizers[${index}]`;
    const declaration = parseAuthorizer(entry, where);
    if (names.has(declaration.name)) throw new AuthorizerDeclarationError(where, `authorizer ${declaration.name} is declared twice`);
    names.add(declaration.name);
    return declaration;
  });
}

function parseAuthorizer(entry: unknown, where: string): LambdaAuthorizerDeclaration {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new AuthorizerDeclarationError(where, 'expected an object');
  const { name, type, identitySources, resultTtlSeconds, identityValidationExpression } = entry as Record<string, unknown>;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new AuthorizerDeclarationError(where, `name must be 3 to 48 of lowercase letters, digits and hyphens, got ${JSON.stringify(name)}`);
  }
  if (!(AUTHORIZER_TYPES as readonly unknown[]).includes(type)) {
    throw new AuthorizerDeclarationError(where, `type must be "TOKEN" or "REQUEST", got ${JSON.stringify(type)}`);
  }
  const sources = identitySources ?? [];
  if (!Array.isArray(sources) || sources.some((item) => typeof item !== 'string')) {
    throw new AuthorizerDeclarationError(where, 'identitySources must be an array of strings');
  }
  const ttl = resultTtlSeconds ?? 300;
  if (!Number.isInteger(ttl) || (ttl as number) < 0 || (ttl as number) > MAX_AUTHORIZER_TTL_SECONDS) {
    throw new AuthorizerDeclarationError(where, `resultTtlSeconds must be a whole number from 0 to ${MAX_AUTHORIZER_TTL_SECONDS}, got ${JSON.stringify(ttl)}`);
  }
  if (type === 'TOKEN') {
    if (sources.length !== 1 || !HEADER_SOURCE.test(sources[0])) {
      throw new AuthorizerDeclarationError(where, 'a TOKEN authorizer takes exactly one identity source, method.request.header.NAME');
    }
  } else {
    const bad = sources.find((item: string) => !REQUEST_SOURCE.test(item));
    if (bad !== undefined) throw new AuthorizerDeclarationError(where, `identity source ${JSON.stringify(bad)} is not one API Gateway reads`);
    if (sources.length === 0 && (ttl as number) > 0) {
      throw new AuthorizerDeclarationError(where, 'a REQUEST authorizer whose results are cached needs at least one identity source');
    }
  }
  if (identityValidationExpression !== undefined && identityValidationExpression !== null) {
    if (typeof identityValidationExpression !== 'string' || type !== 'TOKEN') {
      throw new AuthorizerDeclarationError(where, 'identityValidationExpression is a string, for TOKEN authorizers only');
    }
  }
  return {
    name,
    type: type as AuthorizerType,
    identitySources: sources as string[],
    resultTtlSeconds: ttl as number,
    ...(typeof identityValidationExpression === 'string' ? { identityValidationExpression } : {}),
  };
}

/** Every custom route names a declared authorizer, and only custom routes name one. */
export function checkAuthorizerReferences(routes: readonly RouteReference[], authorizers: readonly LambdaAuthorizerDeclaration[], source: string): void {
  const names = new Set(authorizers.map((declaration) => declaration.name));
  for (const route of routes) {
    const where = `${source}: ${route.method} ${route.path}`;
    if (route.auth === 'custom' && (route.authorizer === undefined || !names.has(route.authorizer))) {
      throw new AuthorizerDeclarationError(where, `auth "custom" needs an authorizer of "authorizers", got ${JSON.stringify(route.authorizer)}`);
    }
    if (route.auth !== 'custom' && route.authorizer !== undefined) {
      throw new AuthorizerDeclarationError(where, `authorizer ${JSON.stringify(route.authorizer)} needs auth "custom"`);
    }
  }
}
