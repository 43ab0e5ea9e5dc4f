/**
 * Turns the route table into API Gateway resources, methods and per-method stage settings.
 * Every method is a Lambda proxy integration of the one function; the table decides API keys,
 * caching and throttling, so adding a route to the C++ table is the only step to expose it.
 *
 * @example
 *   const api = new apigateway.RestApi(this, 'Api', {
 *     deployOptions: { stageName: 'prod', methodOptions: methodDeploymentOptions(table.routes, stageDefaults) },
 *   });
 *   addRouteMethods(api, handler, table.routes, validator, authorization);
 */
import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';

import { identityCacheKeyParameters, RouteAuthorization } from './auth';
import type { LambdaAuthorizers } from './lambda-authorizers';
import { ANY_METHOD_EXPANSION, HttpMethod, pathParameters, Route } from './route-table';

/** The key of a method in a stage's method settings: `/v1/items/{id}/GET`, `//GET` for the root. */
export function methodSettingsKey(routePath: string, method: HttpMethod): string {
  return `${routePath === '/' ? '/' : routePath}/${method}`;
}

/** The stage-wide settings a method's own settings entry must repeat. */
export type StageMethodDefaults = Required<
  Pick<apigateway.MethodDeploymentOptions, 'loggingLevel' | 'metricsEnabled' | 'dataTraceEnabled' | 'throttlingRateLimit' | 'throttlingBurstLimit'>
>;

/**
 * Stage settings of the routes that ask for caching or their own throttle. A method's entry
 * replaces the stage-wide one, so it repeats the stage's logging, metrics and throttle unless
 * the route sets its own. API Gateway keeps the settings of an `ANY` method per concrete
 * method, so `ANY` expands to each of them; an explicit route on the same path and method
 * keeps its own settings. Only GET and HEAD are cached: caching a method that changes state
 * would answer it from the cache.
 */
export function methodDeploymentOptions(
  routes: readonly Route[],
  stageDefaults: StageMethodDefaults,
): Record<string, apigateway.MethodDeploymentOptions> {
  const options: Record<string, apigateway.MethodDeploymentOptions> = {};
  const explicit = new Set(routes.filter((route) => route.method !== 'ANY').map((route) => methodSettingsKey(route.path, route.method)));
  for (const route of routes) {
    if (route.cacheTtlSeconds === 0 && route.throttle === null) continue;
    const methods = route.method === 'ANY' ? ANY_METHOD_EXPANSION : [route.method];
    for (const method of methods) {
      const key = methodSettingsKey(route.path, method);
      if (route.method === 'ANY' && explicit.has(key)) continue;
      const cached = route.cacheTtlSeconds > 0 && (method === 'GET' || method === 'HEAD');
      if (!cached && route.throttle === null) continue;
      options[key] = {
        ...stageDefaults,
        ...(cached ? { cachingEnabled: true, cacheTtl: Duration.seconds(route.cacheTtlSeconds), cacheDataEncrypted: true } : {}),
        ...(route.throttle ? { throttlingRateLimit: route.throttle.rateLimit, throttlingBurstLimit: route.throttle.burstLimit } : {}),
      };
    }
  }
  return options;
}

export function needsCacheCluster(routes: readonly Route[]): boolean {
  return routes.some((route) => route.cacheTtlSeconds > 0);
}

export function needsApiKey(routes: readonly Route[]): boolean {
  return routes.some((route) => route.auth === 'apiKey' || route.apiKeyRequired === true);
}

/**
 * The request header every cached route adds to its cache key, to keep the stage cache
 * consistent with conditional requests: the function answers a GET whose If-None-Match
 * matches its ETag with a 304 and no body, and the stage cache keeps whatever the integration
 * answered, so without the header in the key a cached 304 would reach callers that sent none
 * (and a cached 200 would hide the 304 from those that did). Declared, never required.
 */
export const CONDITIONAL_REQUEST_CACHE_KEY = 'method.request.header.If-None-Match';

/** Creates the resource of every route path and its method, in table order. */
export function addRouteMethods(
  api: apigateway.RestApi,
  handler: lambda.IFunction,
  routes: readonly Route[],
  validator: apigateway.IRequestValidator,
  authorization: RouteAuthorization,
  lambdaAuthorizers?: LambdaAuthorizers,
): Map<Route, apigateway.Method> {
  const methods = new Map<Route, apigateway.Method>();
  for (const route of routes) {
    const resource = route.path === '/' ? api.root : api.root.resourceForPath(route.path);
    const parameterKeys = pathParameters(route.path).map((name) => `method.request.path.${name}`);
    // Optional headers in the key: the caller's credentials where the answer is theirs, and the validator.
    const identityKeys = route.auth === 'custom' ? (lambdaAuthorizers?.cacheKeyParameters(route) ?? []) : identityCacheKeyParameters(route);
    const headerKeys = route.cacheTtlSeconds > 0 ? [...identityKeys, CONDITIONAL_REQUEST_CACHE_KEY] : [];
    const requestParameters = { ...Object.fromEntries(parameterKeys.map((key) => [key, true])), ...Object.fromEntries(headerKeys.map((key) => [key, false])) };
    // Without the path parameters in the cache key, /items/1 would be answered from /items/2's entry.
    const integration = new apigateway.LambdaIntegration(handler, {
      proxy: true,
      scopePermissionToMethod: false,
      cacheKeyParameters: route.cacheTtlSeconds > 0 ? [...parameterKeys, ...headerKeys] : undefined,
    });
    const method = resource.addMethod(route.method, integration, {
      ...(route.auth === 'custom' && lambdaAuthorizers ? lambdaAuthorizers.methodOptions(route) : authorization.methodOptions(route)),
      requestParameters: Object.keys(requestParameters).length ? requestParameters : undefined,
      requestValidator: validator,
      operationName: route.handler,
    });
    methods.set(route, method);
  }
  return methods;
}

/** A CloudFormation-safe logical id of a route: `GET /v1/items/{id}` gives `GetV1ItemsId`. */
export function routeLogicalId(route: Route): string {
  const words = [route.method.toLowerCase(), ...route.path.split(/[^A-Za-z0-9]+/)].filter(Boolean);
  const id = words.map((word) => word[0].toUpperCase() + word.slice(1)).join('');
  return route.path === '/' ? `${id}Root` : route.path.endsWith('+}') ? `${id}Greedy` : id;
}
