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
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

import { addRouteMethods, methodDeploymentOptions, needsApiKey, needsCacheCluster, routeLogicalId, StageMethodDefaults } from './api-routes';
import { AppConfig, ConfigError } from './config';
import { ApiMonitoring } from './monitoring';
import { addRequestValidation, loadOpenApiDocument, OPENAPI_FILE } from './request-validation';
import { Route, RouteTable } from './route-table';

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

export class ApiStack extends Stack {
  readonly handler: lambda.Function;
  readonly api: apigateway.RestApi;
  readonly monitoring: ApiMonitoring;
  readonly apiUrlOutput: CfnOutput;
  /** The URL output of each route, keyed by `METHOD /path`. */
  readonly routeUrlOutputs = new Map<string, CfnOutput>();
  /** The output the pipeline's smoke test requests (config SMOKE_TEST_PATH). */
  readonly smokeTestUrlOutput: CfnOutput;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, routeTable } = props;
    const routes = routeTable.routes;
    const smokeTestRoute = findSmokeTestRoute(routes, config.smokeTestPath);

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

    this.handler = new lambda.Function(this, 'Function', {
      description: `${config.application} C++ API (${props.deploymentName})`,
      runtime: lambda.Runtime.PROVIDED_AL2023,
      handler: 'bootstrap',
      code: lambda.Code.fromAsset(props.functionZip),
      architecture: config.functionArchitecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
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
        ...(config.corsAllowOrigin ? { CORS_ALLOW_ORIGIN: config.corsAllowOrigin } : {}),
      },
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
    const methods = addRouteMethods(this.api, this.handler, routes, validator);
    // Bodies and required query parameters as the C++ handlers' types declare them (openapi.json beside the zip).
    addRequestValidation(this.api, methods, loadOpenApiDocument(path.join(path.dirname(props.functionZip), OPENAPI_FILE)));

    if (needsApiKey(routes)) {
      const plan = this.api.addUsagePlan('UsagePlan', {
        name: `${this.stackName}-clients`,
        description: 'Clients of the routes whose auth is apiKey',
        throttle: { rateLimit: config.throttle.rateLimit, burstLimit: config.throttle.burstLimit },
        apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
      });
      const key = this.api.addApiKey('ApiKey', { description: `${config.application} ${props.deploymentName} client key` });
      plan.addApiKey(key);
      new CfnOutput(this, 'ApiKeyId', {
        value: key.keyId,
        description: 'Id of the API key; its value: aws apigateway get-api-key --include-value --api-key <id>',
      });
    }

    this.monitoring = new ApiMonitoring(this, 'Monitoring', {
      api: this.api,
      handler: this.handler,
      deadLetterQueue,
      dashboardName: this.stackName,
      alarmEmail: config.alarmEmail,
      latencyP99Threshold: config.alarmLatencyP99,
      cacheEnabled,
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
}

/** The GET (or ANY) route without authentication that serves the smoke test path. */
function findSmokeTestRoute(routes: readonly Route[], smokeTestPath: string): Route {
  const route = routes.find((candidate) => candidate.path === smokeTestPath && (candidate.method === 'GET' || candidate.method === 'ANY'));
  if (route === undefined) {
    throw new ConfigError('SMOKE_TEST_PATH', `'${smokeTestPath}' is not a GET route of routes.json`);
  }
  if (route.auth !== 'none') {
    throw new ConfigError('SMOKE_TEST_PATH', `'${smokeTestPath}' requires an API key; the smoke test needs a route with auth none`);
  }
  return route;
}

function accessLogFormat(): apigateway.AccessLogFormat {
  const field = apigateway.AccessLogField;
  return apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: field.contextRequestId(),
      extendedRequestId: field.contextExtendedRequestId(),
      requestTime: field.contextRequestTime(),
      requestTimeEpoch: field.contextRequestTimeEpoch(),
      ip: field.contextIdentitySourceIp(),
      userAgent: field.contextIdentityUserAgent(),
      apiKeyId: field.contextIdentityApiKeyId(),
      httpMethod: field.contextHttpMethod(),
      resourcePath: field.contextResourcePath(),
      path: field.contextPath(),
      protocol: field.contextProtocol(),
      status: field.contextStatus(),
      responseLength: field.contextResponseLength(),
      responseLatency: field.contextResponseLatency(),
      integrationLatency: field.contextIntegrationLatency(),
      integrationStatus: field.contextIntegrationStatus(),
      errorMessage: field.contextErrorMessageString(),
      xrayTraceId: field.contextXrayTraceId(),
    }),
  );
}
