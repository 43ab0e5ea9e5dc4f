/**
 * API Gateway request validation from the OpenAPI document the C++ build exports beside
 * routes.json (`dist/openapi.json`): a JSON request body is checked against a model made from
 * the handler's described type, and required query string parameters are declared required,
 * so malformed requests are answered 400 by the gateway before they reach (and bill) the
 * function. The function checks the same input again, so nothing depends on this.
 *
 * @example
 *   const methods = addRouteMethods(api, handler, routes, validator);
 *   addRequestValidation(api, methods, loadOpenApiDocument(path.join(distDir, OPENAPI_FILE)));
 */
import * as fs from 'node:fs';

import * as apigateway from 'aws-cdk-lib/aws-apigateway';

import { Route, routeOperationKey } from './route-table';

export const OPENAPI_FILE = 'openapi.json';

/** The parts of an OpenAPI 3.0 document that request validation reads. */
export interface OpenApiDocument {
  readonly paths?: Record<string, Record<string, OpenApiOperation>>;
}

export interface OpenApiOperation {
  readonly operationId?: string;
  readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: string; readonly required?: boolean }>;
  readonly requestBody?: { readonly content?: Record<string, { readonly schema?: Record<string, unknown> }> };
}

/** What one method gets: a body model (JSON Schema draft 4) and its required query parameters. */
export interface MethodValidation {
  readonly bodySchema?: Record<string, unknown>;
  readonly requiredQueryParameters: string[];
}

/** The document, or undefined when the build did not export one (validation of bodies is then skipped). */
export function loadOpenApiDocument(file: string): OpenApiDocument | undefined {
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as OpenApiDocument;
}

/** What the document says to validate for a route; nothing when the route is not documented. */
export function methodValidation(document: OpenApiDocument, route: Route): MethodValidation {
  const operation = document.paths?.[route.path]?.[routeOperationKey(route.method)];
  const schema = operation?.requestBody?.content?.['application/json']?.schema;
  return {
    // API Gateway models are JSON Schema draft 4, which OpenAPI 3.0's schema objects are a subset of.
    bodySchema: schema ? { $schema: 'http://json-schema.org/draft-04/schema#', ...schema } : undefined,
    requiredQueryParameters: (operation?.parameters ?? [])
      .filter((parameter) => parameter.in === 'query' && parameter.required === true)
      .map((parameter) => parameter.name),
  };
}

/** Adds a model and required query parameters to each method the document describes. */
export function addRequestValidation(
  api: apigateway.RestApi,
  methods: ReadonlyMap<Route, apigateway.Method>,
  document: OpenApiDocument | undefined,
): void {
  if (!document) return;
  for (const [route, method] of methods) {
    const validation = methodValidation(document, route);
    const cfnMethod = method.node.defaultChild as apigateway.CfnMethod;
    if (validation.bodySchema) {
      const model = new apigateway.CfnModel(method, 'BodyModel', {
        restApiId: api.restApiId,
        contentType: 'application/json',
        description: `Request body of ${route.method} ${route.path}`,
        schema: validation.bodySchema,
      });
      cfnMethod.requestModels = { 'application/json': model.ref };
    }
    if (validation.requiredQueryParameters.length > 0) {
      const existing = (cfnMethod.requestParameters ?? {}) as Record<string, boolean>;
      const query = Object.fromEntries(validation.requiredQueryParameters.map((name) => [`method.request.querystring.${name}`, true]));
      cfnMethod.requestParameters = { ...existing, ...query };
    }
  }
}
