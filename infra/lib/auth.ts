/**
 * Authentication of the routes, as routes.json declares it per route: `apiKey` through the usage
 * plan, `cognito` through a Cognito user-pool authorizer (the pool of COGNITO_USER_POOL_ID or one
 * the stack creates), `iam` through SigV4 (AuthorizationType AWS_IAM). A cognito route with
 * `authorizationScopes` takes access tokens holding one of them; one without takes ID tokens.
 *
 * @example
 *   const auth = new RouteAuthorization(this, 'Auth', { routes, auth: config.auth, namePrefix: this.stackName });
 *   resource.addMethod('GET', integration, { ...auth.methodOptions(route) });
 */
import { Annotations, Arn, ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

import { AuthConfig, DEFAULT_API_KEY, DEFAULT_USAGE_PLAN } from './config';
import { Route } from './route-table';
import { parseUserPool } from './user-pool';

export interface RouteAuthorizationProps {
  readonly routes: readonly Route[];
  readonly auth: AuthConfig;
  /** Prefix of the names of created resources (the stack name). */
  readonly namePrefix: string;
}

/** The header a Cognito route reads its token from: `Authorization: <ID token>`. */
export const COGNITO_TOKEN_HEADER = 'Authorization';

export class RouteAuthorization extends Construct {
  /** The user pool of the cognito routes: imported or created; undefined when no route uses cognito. */
  readonly userPool?: cognito.IUserPool;
  /** The pool this stack created (only without COGNITO_USER_POOL_ID). */
  readonly createdUserPool?: cognito.UserPool;
  readonly createdAppClient?: cognito.UserPoolClient;
  /** The resource servers of the routes' custom scopes in the created pool, by identifier. */
  readonly createdResourceServers: ReadonlyMap<string, cognito.UserPoolResourceServer> = new Map();
  readonly authorizer?: apigateway.CognitoUserPoolsAuthorizer;
  /** The app clients whose tokens the API is meant for (configured, or the created one). */
  readonly appClientIds: readonly string[];

  constructor(scope: Construct, id: string, props: RouteAuthorizationProps) {
    super(scope, id);
    warnAboutUnusedSettings(this, props);
    if (!props.routes.some((route) => route.auth === 'cognito')) {
      this.appClientIds = [];
      return;
    }
    const configuredPool = props.auth.cognitoUserPoolId;
    if (configuredPool !== undefined) {
      this.userPool = cognito.UserPool.fromUserPoolArn(this, 'UserPool', userPoolArn(Stack.of(this), configuredPool));
      this.appClientIds = props.auth.cognitoAppClientIds;
    } else {
      this.createdUserPool = createUserPool(this, props.namePrefix);
      this.createdResourceServers = createResourceServers(this.createdUserPool, props.routes);
      this.createdAppClient = this.createdUserPool.addClient('AppClient', {
        userPoolClientName: `${props.namePrefix}-app`,
        // A public client (browser or mobile app): no secret, Secure Remote Password sign-in.
        generateSecret: false,
        authFlows: { userSrp: true },
        disableOAuth: true,
        preventUserExistenceErrors: true,
        enableTokenRevocation: true,
        idTokenValidity: Duration.hours(1),
        accessTokenValidity: Duration.hours(1),
        refreshTokenValidity: Duration.days(30),
      });
      this.userPool = this.createdUserPool;
      this.appClientIds = [this.createdAppClient.userPoolClientId];
      new CfnOutput(Stack.of(this), 'UserPoolId', { value: this.createdUserPool.userPoolId, description: 'Cognito user pool of the routes whose auth is cognito' });
      new CfnOutput(Stack.of(this), 'UserPoolClientId', { value: this.createdAppClient.userPoolClientId, description: 'App client of that pool (no secret, SRP sign-in)' });
    }
    this.authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'CognitoAuthorizer', {
      authorizerName: `${props.namePrefix}-cognito`,
      cognitoUserPools: [this.userPool],
      identitySource: apigateway.IdentitySource.header(COGNITO_TOKEN_HEADER),
      // API Gateway's default: a token's verdict is cached for 5 minutes per token.
      resultsCacheTtl: Duration.minutes(5),
    });
  }

  /** The authorization part of a route's method options. */
  methodOptions(route: Route): Pick<apigateway.MethodOptions, 'apiKeyRequired' | 'authorizationType' | 'authorizer' | 'authorizationScopes'> {
    switch (route.auth) {
      case 'none':
        return { apiKeyRequired: false, authorizationType: apigateway.AuthorizationType.NONE };
      case 'apiKey':
        return { apiKeyRequired: true, authorizationType: apigateway.AuthorizationType.NONE };
      case 'iam':
        return { apiKeyRequired: requiresApiKey(route), authorizationType: apigateway.AuthorizationType.IAM };
      case 'cognito': {
        // With scopes API Gateway wants an access token whose scope claim holds one of them;
        // without, an ID token (CloudFormation's AWS::ApiGateway::Method AuthorizationScopes).
        const scopes = route.authorizationScopes ?? [];
        return {
          apiKeyRequired: requiresApiKey(route),
          authorizationType: apigateway.AuthorizationType.COGNITO,
          authorizer: this.authorizer,
          ...(scopes.length > 0 ? { authorizationScopes: [...scopes] } : {}),
        };
      }
      case 'custom':
        // The route's Lambda authorizer is a function of its own (lib/lambda-authorizers.ts).
        throw new Error(`${route.method} ${route.path}: a custom route's options come from LambdaAuthorizers.methodOptions`);
    }
  }
}

/** Whether a route needs an API key: auth apiKey, or a key as well as its token or signature (apiKeyRequired). */
export function requiresApiKey(route: Route): boolean {
  return route.auth === 'apiKey' || route.apiKeyRequired === true;
}

/**
 * The usage plans and API keys of the configuration (API_USAGE_PLANS, API_KEYS; the emulator
 * reads the same, src/local/api_keys.cpp), on the API's stage. The default plan and key keep
 * the construct ids the stack has always used, so existing keys are not replaced.
 * Returns the keys' ids, the first one first.
 */
export function addUsagePlans(api: apigateway.RestApi, auth: AuthConfig, namePrefix: string, description: string): string[] {
  const plans = new Map<string, apigateway.UsagePlan>();
  for (const plan of auth.usagePlans) {
    const isDefault = plan.name === DEFAULT_USAGE_PLAN;
    plans.set(
      plan.name,
      api.addUsagePlan(isDefault ? 'UsagePlan' : `UsagePlan${constructSuffix(plan.name)}`, {
        name: isDefault ? `${namePrefix}-clients` : `${namePrefix}-${plan.name}`,
        description: isDefault ? 'Clients of the routes whose auth is apiKey' : `API keys of the plan ${plan.name}`,
        throttle: plan.throttle,
        quota: plan.quota ? { limit: plan.quota.limit, period: apigateway.Period[plan.quota.period] } : undefined,
        apiStages: [{ api, stage: api.deploymentStage }],
      }),
    );
  }
  const keyIds: string[] = [];
  for (const key of auth.apiKeys) {
    const isDefault = key.name === DEFAULT_API_KEY;
    const created = api.addApiKey(isDefault ? 'ApiKey' : `ApiKey${constructSuffix(key.name)}`, {
      description: isDefault ? `${description} client key` : `${description} key ${key.name}`,
      ...(isDefault ? {} : { apiKeyName: `${namePrefix}-${key.name}` }),
      ...(key.value !== undefined ? { value: key.value } : {}),
    });
    plans.get(key.plan)!.addApiKey(created);
    keyIds.push(created.keyId);
    new CfnOutput(Stack.of(api), isDefault ? 'ApiKeyId' : `ApiKeyId${constructSuffix(key.name)}`, {
      value: created.keyId,
      description: `Id of the API key ${key.name}; its value: aws apigateway get-api-key --include-value --api-key <id>`,
    });
  }
  return keyIds;
}

/** A plan or key name as part of a construct id: letters and digits, each part capitalised. */
function constructSuffix(name: string): string {
  return name
    .split(/[-_]/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/**
 * What a cached route adds to its cache key so that one caller's cached answer never reaches
 * another: the credentials of cognito and iam routes (the Authorization header), whose answers
 * may be the caller's own. Declared but not required: a missing token is the authorizer's 401.
 */
export function identityCacheKeyParameters(route: Route): string[] {
  return route.auth === 'cognito' || route.auth === 'iam' ? [`method.request.header.${COGNITO_TOKEN_HEADER}`] : [];
}

/** Settings that no route uses are probably a mistake in .env or routes.json: say so at synth. */
function warnAboutUnusedSettings(scope: Construct, props: RouteAuthorizationProps): void {
  const uses = (auth: Route['auth']) => props.routes.some((route) => route.auth === auth);
  if (props.auth.quota !== undefined && !props.routes.some(requiresApiKey)) {
    Annotations.of(scope).addWarningV2('cppstack:unused-quota', 'API_QUOTA_LIMIT is set but no route has auth apiKey: a quota applies to API keys only.');
  }
  if (props.auth.cognitoUserPoolId !== undefined && !uses('cognito')) {
    Annotations.of(scope).addWarningV2('cppstack:unused-user-pool', 'COGNITO_USER_POOL_ID is set but no route has auth cognito: the pool is not used.');
  }
}

/**
 * The ARN of a pool given by ARN or by id. An id starts with the pool's region
 * (`eu-west-1_AbC123`), which need not be the stack's; its account is the stack's.
 */
export function userPoolArn(stack: Stack, userPool: string): string {
  const pool = parseUserPool(userPool);
  if (pool.arn !== undefined) return pool.arn;
  return Arn.format({ service: 'cognito-idp', region: pool.region, resource: 'userpool', resourceName: pool.id, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }, stack);
}

/** Scopes every Cognito pool knows without a resource server (Cognito's standard scopes). */
const STANDARD_SCOPES = new Set(['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin']);

/**
 * The custom scopes of the routes (`<resource server>/<scope name>`, split at the last '/'),
 * grouped by resource server identifier; standard scopes need none.
 */
export function customScopesByServer(routes: readonly Route[]): Map<string, string[]> {
  const servers = new Map<string, string[]>();
  for (const scope of new Set(routes.flatMap((route) => route.authorizationScopes ?? []))) {
    if (STANDARD_SCOPES.has(scope)) continue;
    const slash = scope.lastIndexOf('/');
    if (slash <= 0 || slash === scope.length - 1) {
      throw new Error(`scope '${scope}' is neither a Cognito standard scope nor '<resource server>/<scope name>'`);
    }
    const identifier = scope.slice(0, slash);
    servers.set(identifier, [...(servers.get(identifier) ?? []), scope.slice(slash + 1)]);
  }
  return servers;
}

/**
 * A resource server in the created pool for each identifier of the routes' custom scopes, so
 * that the pool can issue access tokens with them (to app clients allowed those scopes, or
 * through a pre token generation trigger, which the Essentials plan offers for access tokens).
 */
function createResourceServers(pool: cognito.UserPool, routes: readonly Route[]): Map<string, cognito.UserPoolResourceServer> {
  const created = new Map<string, cognito.UserPoolResourceServer>();
  [...customScopesByServer(routes)].forEach(([identifier, names], index) => {
    created.set(
      identifier,
      pool.addResourceServer(`ResourceServer${index}`, {
        identifier,
        userPoolResourceServerName: identifier,
        scopes: names.map((scopeName) => new cognito.ResourceServerScope({ scopeName, scopeDescription: `Routes that require ${identifier}/${scopeName}` })),
      }),
    );
  });
  return created;
}

/**
 * A pool for the API's users: administrators create users (no self sign-up), e-mail is the sign-in
 * name, passwords are long and mixed, MFA by authenticator app is optional for each user, and the
 * pool survives the stack (deletion protection and RETAIN: deleting a stack must not delete users).
 * Threat protection (advanced security) stays off: it needs the Plus feature plan, billed per user.
 */
function createUserPool(scope: Construct, namePrefix: string): cognito.UserPool {
  return new cognito.UserPool(scope, 'UserPool', {
    userPoolName: `${namePrefix}-users`,
    selfSignUpEnabled: false,
    signInAliases: { email: true },
    autoVerify: { email: true },
    mfa: cognito.Mfa.OPTIONAL,
    mfaSecondFactor: { otp: true, sms: false },
    passwordPolicy: {
      minLength: 12,
      requireLowercase: true,
      requireUppercase: true,
      requireDigits: true,
      requireSymbols: true,
      tempPasswordValidity: Duration.days(3),
    },
    accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
    featurePlan: cognito.FeaturePlan.ESSENTIALS,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
