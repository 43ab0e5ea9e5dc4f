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
import type { LambdaAuthorizerDeclaration } from './authorizer-declarations';
import type { Route } from './route-table';

/** The _HANDLER of an authorizer's function: the bootstrap runs that authorizer. */
export function authorizerHandler(name: string): string {
  return `authorizer.${name}`;
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
