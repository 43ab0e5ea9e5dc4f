/**
 * One deployment of the API: the C++ `bootstrap` function (custom runtime provided.al2023),
 * the REST API generated from the route table with its stage `prod`, logs, tracing,
 * throttling, a dead-letter queue, alarms and a dashboard.
 *
 * @example
 *   const stack = new ApiStack(app, 'Api', { config, routeTable, functionZip, deploymentName: 'dev' });
 *   stack.routeUrlOutputs;   // one CfnOutput per route, e.g. the URL of GET /v1/health
 */
import * as path from 'node:path';

import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

import { addRouteMethods, methodDeploymentOptions, needsApiKey, needsCacheCluster, routeLogicalId, StageMethodDefaults } from './api-routes';
import { addUsagePlans, RouteAuthorization } from './auth';
import { AppConfig, ConfigError, DeploymentStrategy } from './config';
import { addCorsGatewayResponses, addCorsPreflights, corsEnvironment, gatewayResponseCorsHeaders } from './cors';
import { DataResources } from './data-resources';
import { LambdaAuthorizers } from './lambda-authorizers';
import { FUNCTION_METRICS, stageMetricsNamespace } from './metrics';
import { ApiMonitoring } from './monitoring';
import type { ApiStackFindingScopes } from './nag-suppressions';
import { addRequestValidation, addValidationErrorResponses, loadOpenApiDocument, methodValidation, OPENAPI_FILE, OpenApiDocument } from './request-validation';
import { restrictSourceIps } from './resource-policy';
import { Route, RouteTable } from './route-table';
import { ApiWebAcl } from './waf';

/** The API Gateway stage every deployment serves: URLs look like `.../prod/v1/health`. */
export const API_STAGE_NAME = 'prod';

export interface ApiStackProps extends StackProps {
  readonly config: AppConfig;
  readonly routeTable: RouteTable;
  /** Path of the deployable zip with `bootstrap` at its root. */
  readonly functionZip: string;
  /** Names this deployment in resource names and the dashboard: prod, staging, dev. */
  readonly deploymentName: string;
}

/** The alias API Gateway invokes; CodeDeploy moves it from version to version. */
export const LIVE_ALIAS_NAME = 'live';

export class ApiStack extends Stack {
  readonly handler: lambda.Function;
  readonly alias: lambda.Alias;
  readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  readonly api: apigateway.RestApi;
  readonly monitoring: ApiMonitoring;
  readonly authorization: RouteAuthorization;
  /** The Lambda authorizers of the custom routes (none: an empty construct). */
  readonly lambdaAuthorizers: LambdaAuthorizers;
  /** The DynamoDB tables and S3 buckets routes.json declares (none: an empty construct). */
  readonly data: DataResources;
  /** The web ACL of the stage, when WAF_ENABLED. */
  readonly waf?: ApiWebAcl;
  readonly apiUrlOutput: CfnOutput;
  /** The URL output of each route, keyed by `METHOD /path`. */
  readonly routeUrlOutputs = new Map<string, CfnOutput>();
  /** The output the pipeline's smoke test requests (config SMOKE_TEST_PATH). */
  readonly smokeTestUrlOutput: CfnOutput;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, routeTable } = props;
    const routes = routeTable.routes;
    const openApi = loadOpenApiDocument(path.join(path.dirname(props.functionZip), OPENAPI_FILE));
    const smokeTestRoute = findSmokeTestRoute(routes, config.smokeTestPath, openApi);
    const metricsNamespace = stageMetricsNamespace(config.metricsNamespace, props.deploymentName);

    const functionLogs = new logs.LogGroup(this, 'FunctionLogs', { retention: config.logRetention });
    const deadLetterQueue = new sqs.Queue(this, 'AsyncInvokeDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The maximum, so a failed event can still be inspected and replayed after a long weekend.
      retentionPeriod: Duration.days(14),
    });
    // Its own role instead of the managed AWSLambdaBasicExecutionRole: writes to its log group only.
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${config.application} ${props.deploymentName} function`,
    });
    functionLogs.grantWrite(role);
    this.authorization = new RouteAuthorization(this, 'Auth', { routes, auth: config.auth, namePrefix: this.stackName });
    this.data = new DataResources(this, 'Data', {
      tables: routeTable.tables ?? [],
      buckets: routeTable.buckets ?? [],
      production: props.deploymentName === 'prod',
      cors: config.cors,
    });
    this.data.grantTo(role);

    const code = lambda.Code.fromAsset(props.functionZip);
    const architecture = config.functionArchitecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;
    this.handler = new lambda.Function(this, 'Function', {
      description: `${config.application} C++ API (${props.deploymentName})`,
      runtime: lambda.Runtime.PROVIDED_AL2023,
      handler: 'bootstrap',
      code,
      architecture,
      memorySize: config.functionMemoryMb,
      timeout: config.functionTimeout,
      role,
      logGroup: functionLogs,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: config.reservedConcurrency,
      deadLetterQueue,
      environment: {
        APPLICATION: config.application,
        DEPLOYMENT: props.deploymentName,
        LOG_LEVEL: config.logLevel,
        [FUNCTION_METRICS.namespaceVariable]: metricsNamespace,
        ...corsEnvironment(config.cors),
        // TABLE_<NAME> and BUCKET_<NAME>: the physical names of the declared tables and buckets.
        ...this.data.environment,
        // API Gateway's Cognito authorizer accepts ID tokens of every client of the pool; the
        // function can compare a token's aud claim with these.
        ...(this.authorization.appClientIds.length > 0 ? { COGNITO_APP_CLIENT_IDS: this.authorization.appClientIds.join(',') } : {}),
      },
    });
    // A new version only when the code or configuration changed (currentVersion hashes both),
    // and the API invokes the alias, which CodeDeploy shifts to it.
    this.alias = new lambda.Alias(this, 'LiveAlias', {
      aliasName: LIVE_ALIAS_NAME,
      version: this.handler.currentVersion,
      description: 'The version the API serves',
    });

    // The Lambda authorizers of custom routes: each its own function on the same package.
    this.lambdaAuthorizers = new LambdaAuthorizers(this, 'Authorizers', {
      declarations: routeTable.authorizers ?? [],
      routes,
      code,
      architecture,
      memorySize: config.functionMemoryMb,
      timeout: config.functionTimeout,
      logRetention: config.logRetention,
      environment: {
        APPLICATION: config.application,
        DEPLOYMENT: props.deploymentName,
        LOG_LEVEL: config.logLevel,
        [FUNCTION_METRICS.namespaceVariable]: metricsNamespace,
      },
      description: `${config.application} (${props.deploymentName})`,
    });

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: config.logRetention });
    const cacheEnabled = needsCacheCluster(routes);
    const stageDefaults: StageMethodDefaults = {
      throttlingRateLimit: config.throttle.rateLimit,
      throttlingBurstLimit: config.throttle.burstLimit,
      metricsEnabled: true,
      loggingLevel: config.executionLogLevel === 'INFO' ? apigateway.MethodLoggingLevel.INFO : apigateway.MethodLoggingLevel.ERROR,
      dataTraceEnabled: false,
    };
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: this.stackName,
      description: `${config.application} REST API (${props.deploymentName}), generated from routes.json`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // The account-level role API Gateway needs to write execution logs; without it the first
      // deployment in a fresh account fails.
      cloudWatchRole: true,
      deployOptions: {
        stageName: API_STAGE_NAME,
        description: `${config.application} ${props.deploymentName}`,
        ...stageDefaults,
        tracingEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: accessLogFormat(),
        cacheClusterEnabled: cacheEnabled ? true : undefined,
        cacheClusterSize: cacheEnabled ? config.cacheClusterSize : undefined,
        methodOptions: methodDeploymentOptions(routes, stageDefaults),
      },
    });
    // Path parameters are declared required on the methods, and a method that declares a body
    // model gets its body checked: malformed requests stop at the gateway, not in the function.
    const validator = this.api.addRequestValidator('RequestValidator', {
      requestValidatorName: `${this.stackName}-requests`,
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    // The methods invoke the alias by its ARN rather than through a reference to the alias
    // resource, so the alias (and with it CodeDeploy's traffic shifting and smoke test) can be
    // updated after the stage: the smoke test then sees the routes of the same deployment.
    const liveTarget = lambda.Function.fromFunctionAttributes(this, 'LiveAliasTarget', {
      functionArn: `${this.handler.functionArn}:${LIVE_ALIAS_NAME}`,
      sameEnvironment: true,
    });
    const methods = addRouteMethods(this.api, liveTarget, routes, validator, this.authorization, this.lambdaAuthorizers);
    // Bodies and required query parameters as the C++ handlers' types declare them (openapi.json beside the zip).
    addRequestValidation(this.api, methods, openApi);
    // One 400 shape whoever refuses: the gateway's own 400s in the function's error shape.
    addValidationErrorResponses(this.api, config.cors ? gatewayResponseCorsHeaders(config.cors) : {});
    this.alias.node.addDependency(this.api.deploymentStage);
    // API Gateway's permissions to invoke the alias need the alias.
    for (const child of this.node.findAll()) {
      if (child instanceof lambda.CfnPermission) child.node.addDependency(this.alias);
    }
    this.createExecutionLogGroup(config.logRetention);
    if (config.cors) {
      addCorsPreflights(this.api, routes, config.cors);
      addCorsGatewayResponses(this.api, config.cors);
    }
    restrictSourceIps(this.api, config.auth.allowedSourceIps);
    if (config.waf) {
      this.waf = new ApiWebAcl(this, 'Waf', {
        stage: this.api.deploymentStage,
        rateLimit: config.waf.rateLimit,
        logRetention: config.logRetention,
        namePrefix: this.stackName,
      });
    }

    // The usage plans and keys of API_USAGE_PLANS and API_KEYS (docs/auth.md).
    if (needsApiKey(routes)) addUsagePlans(this.api, config.auth, this.stackName, `${config.application} ${props.deploymentName}`);

    this.monitoring = new ApiMonitoring(this, 'Monitoring', {
      api: this.api,
      handler: this.handler,
      alias: this.alias,
      deadLetterQueue,
      // Dashboard names are global to the account: one per stack and region.
      dashboardName: `${this.stackName}-${this.region}`,
      alarmEmail: config.alarmEmail,
      latencyP99Threshold: config.alarmLatencyP99,
      cacheEnabled,
      clientErrorRateThreshold: config.alarmClientErrorRate,
      functionMetrics: { namespace: metricsNamespace, service: config.application, routes },
    });
    for (const [name, authorizerFunction] of this.lambdaAuthorizers.functions) {
      this.monitoring.watchFunction(`Authorizer ${name}`, authorizerFunction);
    }

    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'Deployment', {
      alias: this.alias,
      deploymentConfig: lambdaDeploymentConfig(config.deploymentStrategy),
      alarms: this.monitoring.deploymentAlarms,
      postHook: this.smokeTestHook(smokeTestRoutes(routes, openApi), methods, config),
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });

    this.apiUrlOutput = new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the stage' });
    const outputIds = new Map<string, Route>();
    for (const route of routes) {
      const logicalId = `Url${routeLogicalId(route)}`;
      const clash = outputIds.get(logicalId);
      if (clash) {
        throw new Error(`routes ${clash.method} ${clash.path} and ${route.method} ${route.path} map to the same output id ${logicalId}`);
      }
      outputIds.set(logicalId, route);
      const output = new CfnOutput(this, logicalId, {
        value: this.api.urlForPath(route.path),
        description: `${route.method} ${route.path}: ${route.summary}`,
      });
      this.routeUrlOutputs.set(`${route.method} ${route.path}`, output);
    }
    this.smokeTestUrlOutput = this.routeUrlOutputs.get(`${smokeTestRoute.method} ${smokeTestRoute.path}`)!;
    new CfnOutput(this, 'FunctionName', { value: this.handler.functionName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
  }

  /** The constructs whose acknowledged cdk-nag findings lib/nag-suppressions.ts lists. */
  findingScopes(): ApiStackFindingScopes {
    return {
      api: this.api,
      functionRole: this.handler.role!,
      deploymentGroup: this.deploymentGroup,
      smokeTestHook: this.node.findChild('SmokeTest') as lambda.Function,
      hasWaf: this.waf !== undefined,
      createdUserPool: this.authorization.createdUserPool,
      authorizerRoles: [...this.lambdaAuthorizers.functions.values()].map((authorizerFunction) => authorizerFunction.role!),
      data: this.data,
    };
  }

  /**
   * API Gateway writes execution logs to `API-Gateway-Execution-Logs_{restApiId}/{stage}`, a
   * group it creates itself without retention unless it exists; created here, before the stage.
   */
  private createExecutionLogGroup(retention: logs.RetentionDays): logs.LogGroup {
    const group = new logs.LogGroup(this, 'ApiExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${API_STAGE_NAME}`,
      retention,
    });
    this.api.deploymentStage.node.addDependency(group);
    return group;
  }

  /**
   * The CodeDeploy AfterAllowTraffic hook (lambda/smoke-test), run once all traffic is on the new
   * version; a failure rolls back. Routes anyone or any API key may call are invoked with API
   * Gateway's TestInvokeMethod, which runs the method and its integration (the alias) without the
   * resource policy, WAF or the API key check, so an IP allowlist cannot refuse the hook. Routes
   * behind Cognito or IAM are requested through the stage without credentials and must be refused.
   * The stage URL is built from the API id, not the stage resource, which depends on the alias.
   */
  private smokeTestHook(checked: readonly Route[], methods: ReadonlyMap<Route, apigateway.Method>, config: AppConfig): lambda.Function {
    const logGroup = new logs.LogGroup(this, 'SmokeTestLogs', { retention: config.logRetention });
    const role = new iam.Role(this, 'SmokeTestRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the post-traffic smoke test of ${this.stackName}`,
    });
    logGroup.grantWrite(role);
    const hookRoutes: SmokeTestRouteSpec[] = checked.map((route) => {
      const method = methods.get(route)!;
      return { path: route.path, auth: route.auth, httpMethod: route.method, resourceId: method.resource.resourceId };
    });
    const hook = new lambda.Function(this, 'SmokeTest', {
      role,
      description: `CodeDeploy post-traffic check of ${this.stackName}: every GET route it can call without parameters`,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'lambda', 'smoke-test')),
      timeout: Duration.minutes(5),
      memorySize: 256,
      logGroup,
      environment: {
        API_BASE_URL: `https://${this.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${API_STAGE_NAME}`,
        REST_API_ID: this.api.restApiId,
        SMOKE_TEST_ROUTES: this.toJsonString(hookRoutes),
      },
    });
    const invoked = hookRoutes.filter((route) => invokedByTestInvoke(route.auth));
    if (invoked.length > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          // TestInvokeMethod is POST on the method's resource path.
          actions: ['apigateway:POST'],
          resources: invoked.map((route) => testInvokeMethodArn(this, this.api.restApiId, route.resourceId, route.httpMethod)),
        }),
      );
    }
    return hook;
  }
}

/** One route of the hook's SMOKE_TEST_ROUTES. */
export interface SmokeTestRouteSpec {
  readonly path: string;
  readonly auth: string;
  readonly httpMethod: string;
  readonly resourceId: string;
}

/** Routes the hook calls with TestInvokeMethod (must answer 2XX); the others must refuse an anonymous caller. */
export function invokedByTestInvoke(auth: string): boolean {
  return auth === 'none' || auth === 'apiKey';
}

/** The IAM resource of TestInvokeMethod on one method: `arn:aws:apigateway:REGION::/restapis/ID/resources/RID/methods/GET`. */
export function testInvokeMethodArn(stack: Stack, restApiId: string, resourceId: string, httpMethod: string): string {
  return `arn:${stack.partition}:apigateway:${stack.region}::/restapis/${restApiId}/resources/${resourceId}/methods/${httpMethod}`;
}

/** CodeDeploy's predefined Lambda configuration of a DEPLOYMENT_STRATEGY value. */
export function lambdaDeploymentConfig(strategy: DeploymentStrategy): codedeploy.ILambdaDeploymentConfig {
  return codedeploy.LambdaDeploymentConfig[strategy];
}

/**
 * The routes the smoke tests request: every GET (or ANY) route a request without parameters
 * satisfies, that is without path parameters and without required query parameters (the request
 * validator would answer 400).
 */
export function smokeTestRoutes(routes: readonly Route[], openApi: OpenApiDocument | undefined): Route[] {
  return routes.filter(
    (route) =>
      (route.method === 'GET' || route.method === 'ANY') &&
      !route.path.includes('{') &&
      (openApi === undefined || methodValidation(openApi, route).requiredQueryParameters.length === 0),
  );
}

/** The GET (or ANY) route without authentication or required parameters that serves the smoke test path. */
function findSmokeTestRoute(routes: readonly Route[], smokeTestPath: string, openApi: OpenApiDocument | undefined): Route {
  const route = routes.find((candidate) => candidate.path === smokeTestPath && (candidate.method === 'GET' || candidate.method === 'ANY'));
  if (route === undefined) {
    throw new ConfigError('SMOKE_TEST_PATH', `'${smokeTestPath}' is not a GET route of routes.json`);
  }
  if (route.auth !== 'none') {
    throw new ConfigError('SMOKE_TEST_PATH', `'${smokeTestPath}' requires authentication (auth ${route.auth}); the smoke test needs a route with auth none`);
  }
  if (!smokeTestRoutes([route], openApi).includes(route)) {
    throw new ConfigError('SMOKE_TEST_PATH', `'${smokeTestPath}' has required query parameters; the smoke test requests it without any, so it needs a route without them`);
  }
  return route;
}

/**
 * One JSON object per request. Every variable is written inside quotes except
 * `$context.error.messageString`, which API Gateway already writes as a quoted JSON string
 * ("The quoted value of $context.error.message":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html);
 * quoting it again would end the string early and break every error line.
 */
export const ACCESS_LOG_FIELDS: ReadonlyArray<readonly [name: string, variable: string]> = [
  ['requestId', '$context.requestId'],
  ['extendedRequestId', '$context.extendedRequestId'],
  ['requestTime', '$context.requestTime'],
  ['requestTimeEpoch', '$context.requestTimeEpoch'],
  ['ip', '$context.identity.sourceIp'],
  ['userAgent', '$context.identity.userAgent'],
  ['apiKeyId', '$context.identity.apiKeyId'],
  ['httpMethod', '$context.httpMethod'],
  ['resourcePath', '$context.resourcePath'],
  ['path', '$context.path'],
  ['protocol', '$context.protocol'],
  ['status', '$context.status'],
  ['responseLength', '$context.responseLength'],
  ['responseLatency', '$context.responseLatency'],
  ['integrationLatency', '$context.integrationLatency'],
  ['integrationStatus', '$context.integrationStatus'],
  ['errorMessage', '$context.error.messageString'],
  ['xrayTraceId', '$context.xrayTraceId'],
];

/** Variables whose value API Gateway writes already quoted. */
const PRE_QUOTED_VARIABLES = new Set(['$context.error.messageString']);

export function accessLogFormatString(): string {
  const members = ACCESS_LOG_FIELDS.map(([name, variable]) =>
    PRE_QUOTED_VARIABLES.has(variable) ? `"${name}":${variable}` : `"${name}":"${variable}"`,
  );
  return `{${members.join(',')}}`;
}

function accessLogFormat(): apigateway.AccessLogFormat {
  return apigateway.AccessLogFormat.custom(accessLogFormatString());
}
