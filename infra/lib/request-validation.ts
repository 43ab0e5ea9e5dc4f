/**
 * API Gateway request validation from the OpenAPI document the C++ build exports beside
 * routes.json (`dist/openapi.json`): a JSON request body is checked against a model made from
 * the handler's described type, and required query string parameters are declared required,
 * so malformed requests are answered 400 by the gateway before they reach (and bill) the
 * function. The function checks the same input again, so nothing depends on this.
 *
 * The document names each C++ type once under components/schemas; a model is one self-contained
 * draft-4 schema, so references are written out in place, and OpenAPI's `nullable` (the
 * function reads null as absent) becomes draft 4's `type: [T, "null"]`. Both refusers answer
 * one error shape, {"message", "requestId"} (the function adds "field" and "rule"): the gateway's
 * own 400s are customised to it (`addValidationErrorResponses`).
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
  readonly components?: { readonly schemas?: Record<string, Record<string, unknown>> };
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

const COMPONENT_PREFIX = '#/components/schemas/';

/**
 * An OpenAPI 3.0 schema as a self-contained JSON Schema draft 4 one: `$ref`s to the document's
 * components written out, `nullable: true` as a "null" type. A type that contains itself cannot
 * be written out and is refused.
 */
export function draft4Schema(schema: unknown, document: OpenApiDocument, seen: readonly string[] = []): unknown {
  if (Array.isArray(schema)) return schema.map((item) => draft4Schema(item, document, seen));
  if (schema === null || typeof schema !== 'object') return schema;
  const object = schema as Record<string, unknown>;
  const reference = object.$ref;
  if (typeof reference === 'string' && reference.startsWith(COMPONENT_PREFIX)) {
    const name = reference.slice(COMPONENT_PREFIX.length);
    const target = document.components?.schemas?.[name];
    if (!target) throw new Error(`openapi.json refers to ${reference}, which it does not define`);
    if (seen.includes(name)) throw new Error(`schema ${name} contains itself; an API Gateway model cannot`);
    return draft4Schema(target, document, [...seen, name]);
  }
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'nullable') continue;
    // Property names are data, not schema keywords: only their values are schemas.
    result[key] =
      key === 'properties' && value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([name, property]) => [name, draft4Schema(property, document, seen)]))
        : draft4Schema(value, document, seen);
  }
  if (object.nullable === true && typeof object.type === 'string') result.type = [object.type, 'null'];
  return result;
}

/** What the document says to validate for a route; nothing when the route is not documented. */
export function methodValidation(document: OpenApiDocument, route: Route): MethodValidation {
  const operation = document.paths?.[route.path]?.[routeOperationKey(route.method)];
  const schema = operation?.requestBody?.content?.['application/json']?.schema;
  return {
    // API Gateway models are JSON Schema draft 4, which OpenAPI 3.0's schema objects are close to.
    bodySchema: schema
      ? { $schema: 'http://json-schema.org/draft-04/schema#', ...(draft4Schema(schema, document) as Record<string, unknown>) }
      : undefined,
    requiredQueryParameters: (operation?.parameters ?? [])
      .filter((parameter) => parameter.in === 'query' && parameter.required === true)
      .map((parameter) => parameter.name),
  };
}

/** The gateway's own 400s (a body its model refuses, a required parameter missing). */
export const VALIDATION_GATEWAY_RESPONSE_TYPES = [apigateway.ResponseType.BAD_REQUEST_BODY, apigateway.ResponseType.BAD_REQUEST_PARAMETERS] as const;

/**
 * The body of the gateway's 400s in the function's error shape. Gateway response templates
 * substitute variables without VTL; `$context.error.messageString` is the message already
 * quoted as a JSON string ("Invalid request body"), and the request id is a UUID. The
 * validator's detail ($context.error.validationErrorString) is left out: it is not escaped,
 * so a quote in it would break the JSON.
 */
export const VALIDATION_ERROR_TEMPLATE = '{"message":$context.error.messageString,"requestId":"$context.requestId"}';

/** Customises the gateway's 400s to the function's error shape; `headers` (CORS) are added to them. */
export function addValidationErrorResponses(api: apigateway.RestApi, headers: Record<string, string> = {}): apigateway.GatewayResponse[] {
  return VALIDATION_GATEWAY_RESPONSE_TYPES.map((type) =>
    api.addGatewayResponse(`Validation${type.responseType}`, {
      type,
      statusCode: '400',
      responseHeaders: Object.keys(headers).length > 0 ? headers : undefined,
      templates: { 'application/json': VALIDATION_ERROR_TEMPLATE },
    }),
  );
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
