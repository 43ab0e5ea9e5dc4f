/**
 * The Lambda authorizers of routes.json (`authorizers`, declared beside the C++ routes with
 * `routes.authorizer(...)`): each one used by a route becomes its own Lambda function running
 * the same `bootstrap` package with the handler `authorizer.<name>` (the bootstrap runs the
 * authorizer its _HANDLER names), an `AWS::ApiGateway::Authorizer` of type TOKEN or REQUEST
 * with the declared identity sources, TTL and validation expression, and the permission for
 * API Gateway to invoke it from that authorizer only. Routes with auth `custom` get
 * `AuthorizationType: CUSTOM` and the authorizer's id (docs/auth.md).
 *
 * @example
 *   const authorizers = new LambdaAuthorizers(this, 'Authorizers', { declarations: table.authorizers ?? [], routes, ... });
 *   resource.addMethod('GET', integration, authorizers.methodOptions(route));
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

import { requiresApiKey } from './auth';
import type { Route } from './route-table';

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
/** The _HANDLER of an authorizer's function: the bootstrap runs that authorizer. */
export function authorizerHandler(name: string): string {
  return `authorizer.${name}`;
}

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
export function checkAuthorizerReferences(routes: readonly Route[], authorizers: readonly LambdaAuthorizerDeclaration[], source: string): void {
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

export interface LambdaAuthorizersProps {
  readonly declarations: readonly LambdaAuthorizerDeclaration[];
  readonly routes: readonly Route[];
  /** The API's package: the same bootstrap runs each authorizer. */
  readonly code: lambda.Code;
  readonly architecture: lambda.Architecture;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  /** The function's own environment (APPLICATION, DEPLOYMENT, LOG_LEVEL, ...). */
  readonly environment: Record<string, string>;
  readonly description: string;
}

export class LambdaAuthorizers extends Construct {
  /** The function of each authorizer a route uses, by name. */
  readonly functions = new Map<string, lambda.Function>();
  readonly authorizers = new Map<string, apigateway.IAuthorizer>();
  private readonly declarations: ReadonlyMap<string, LambdaAuthorizerDeclaration>;

  constructor(scope: Construct, id: string, props: LambdaAuthorizersProps) {
    super(scope, id);
    this.declarations = new Map(props.declarations.map((declaration) => [declaration.name, declaration]));
    // Only the used ones: API Gateway refuses an authorizer no method of the API names.
    const used = new Set(props.routes.filter((route) => route.auth === 'custom').map((route) => route.authorizer!));
    for (const declaration of props.declarations.filter((item) => used.has(item.name))) {
      const logicalId = declaration.name
        .split('-')
        .map((part) => part[0].toUpperCase() + part.slice(1))
        .join('');
      const logGroup = new logs.LogGroup(this, `${logicalId}Logs`, { retention: props.logRetention });
      const role = new iam.Role(this, `${logicalId}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Runs the ${declaration.name} Lambda authorizer of ${Stack.of(this).stackName}`,
      });
      logGroup.grantWrite(role);
      const handler = new lambda.Function(this, `${logicalId}Function`, {
        description: `${props.description}: Lambda authorizer ${declaration.name} (${declaration.type})`,
        runtime: lambda.Runtime.PROVIDED_AL2023,
        handler: authorizerHandler(declaration.name),
        code: props.code,
        architecture: props.architecture,
        memorySize: props.memorySize,
        timeout: props.timeout,
        role,
        logGroup,
        tracing: lambda.Tracing.ACTIVE,
        environment: props.environment,
      });
      this.functions.set(declaration.name, handler);
      const common = {
        handler,
        authorizerName: `${Stack.of(this).stackName}-${declaration.name}`,
        // 0 turns API Gateway's cache of results off.
        resultsCacheTtl: Duration.seconds(declaration.resultTtlSeconds),
      };
      // The CDK grants apigateway.amazonaws.com lambda:InvokeFunction with the source ARN of
      // this authorizer (arn:...:API/authorizers/ID) once a method uses it.
      const authorizer =
        declaration.type === 'TOKEN'
          ? new apigateway.TokenAuthorizer(this, `${logicalId}Authorizer`, {
              ...common,
              identitySource: declaration.identitySources[0],
              validationRegex: declaration.identityValidationExpression,
            })
          : new apigateway.RequestAuthorizer(this, `${logicalId}Authorizer`, {
              ...common,
              identitySources: [...declaration.identitySources],
            });
      this.authorizers.set(declaration.name, authorizer);
    }
  }

  /** The authorization part of a custom route's method options. */
  methodOptions(route: Route): Pick<apigateway.MethodOptions, 'apiKeyRequired' | 'authorizationType' | 'authorizer'> {
    const authorizer = route.authorizer === undefined ? undefined : this.authorizers.get(route.authorizer);
    if (authorizer === undefined) throw new Error(`${route.method} ${route.path}: no Lambda authorizer ${JSON.stringify(route.authorizer)}`);
    return { apiKeyRequired: requiresApiKey(route), authorizationType: apigateway.AuthorizationType.CUSTOM, authorizer };
  }

  /**
   * What a cached custom route adds to its cache key: the authorizer's header and query string
   * identity sources, so one caller's cached answer never reaches another.
   */
  cacheKeyParameters(route: Route): string[] {
    const declaration = route.authorizer === undefined ? undefined : this.declarations.get(route.authorizer);
    return (declaration?.identitySources ?? []).filter((source) => /^method\.request\.(header|querystring)\./.test(source));
  }
}
