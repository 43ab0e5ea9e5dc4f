/**
 * CORS at the gateway (CORS_ALLOW_*): an OPTIONS preflight on every route path, answered by API
 * Gateway itself (mock integration, no authorizer, no API key), and the CORS headers on the
 * gateway's own 4XX/5XX answers (missing token, throttled, 502...) so a browser can read them.
 * The function adds the same headers to its own answers (it gets the settings as environment).
 *
 * Several origins: a preflight's mock integration answers with the first origin and a mapping
 * template replaces it with the request's Origin when that is another listed origin
 * (`$context.responseOverride.header`; CDK's addCorsPreflight). Gateway responses cannot do
 * that: their templates are not processed by VTL (API Gateway's "x-amazon-apigateway-gateway-
 * responses.responseTemplates" page), so with several origins they echo the request's Origin
 * (`method.request.header.Origin`, as "...gateway-responses.responseParameters" documents). Their
 * bodies are the gateway's fixed messages (`{"message":"Forbidden"}`), never data.
 *
 * @example
 *   addCorsPreflights(api, routes, config.cors);
 *   addCorsGatewayResponses(api, config.cors);
 */
import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';

import { CorsConfig } from './config';
import { Route } from './route-table';

/** The gateway answers that carry CORS headers: every 4XX and 5XX the gateway produces itself. */
export const CORS_GATEWAY_RESPONSE_TYPES = [apigateway.ResponseType.DEFAULT_4XX, apigateway.ResponseType.DEFAULT_5XX] as const;

/** The status of a preflight answer, as API Gateway's console and CDK set it up. */
export const PREFLIGHT_STATUS = 204;

/** The route paths that get a preflight: each path once, except where routes.json routes OPTIONS itself. */
export function preflightPaths(routes: readonly Route[]): string[] {
  const ownOptions = new Set(routes.filter((route) => route.method === 'OPTIONS').map((route) => route.path));
  return [...new Set(routes.map((route) => route.path))].filter((routePath) => !ownOptions.has(routePath));
}

export function addCorsPreflights(api: apigateway.RestApi, routes: readonly Route[], cors: CorsConfig): Map<string, apigateway.Method> {
  const methods = new Map<string, apigateway.Method>();
  for (const routePath of preflightPaths(routes)) {
    const resource = routePath === '/' ? api.root : api.root.resourceForPath(routePath);
    methods.set(
      routePath,
      resource.addCorsPreflight({
        allowOrigins: [...cors.allowOrigins],
        allowMethods: [...cors.allowMethods],
        allowHeaders: [...cors.allowHeaders],
        allowCredentials: cors.allowCredentials,
        maxAge: cors.maxAgeSeconds > 0 ? Duration.seconds(cors.maxAgeSeconds) : undefined,
        statusCode: PREFLIGHT_STATUS,
      }),
    );
  }
  return methods;
}

/** The headers of the gateway's own answers, as response-parameter values (quoted literals or a mapping). */
export function gatewayResponseCorsHeaders(cors: CorsConfig): Record<string, string> {
  const severalOrigins = cors.allowOrigins.length > 1;
  return {
    'Access-Control-Allow-Origin': severalOrigins ? 'method.request.header.Origin' : `'${cors.allowOrigins[0]}'`,
    ...(cors.allowOrigins[0] === '*' ? {} : { Vary: "'Origin'" }),
    ...(cors.allowCredentials ? { 'Access-Control-Allow-Credentials': "'true'" } : {}),
  };
}

export function addCorsGatewayResponses(api: apigateway.RestApi, cors: CorsConfig): apigateway.GatewayResponse[] {
  const responseHeaders = gatewayResponseCorsHeaders(cors);
  return CORS_GATEWAY_RESPONSE_TYPES.map((type) => api.addGatewayResponse(`Cors${type.responseType}`, { type, responseHeaders }));
}

/** The settings as the function's environment: the same names and syntax as in .env. */
export function corsEnvironment(cors: CorsConfig | undefined): Record<string, string> {
  if (cors === undefined) return {};
  return {
    CORS_ALLOW_ORIGINS: cors.allowOrigins.join(','),
    CORS_ALLOW_METHODS: cors.allowMethods.join(','),
    CORS_ALLOW_HEADERS: cors.allowHeaders.join(','),
    CORS_ALLOW_CREDENTIALS: String(cors.allowCredentials),
    CORS_MAX_AGE_SECONDS: String(cors.maxAgeSeconds),
  };
}
