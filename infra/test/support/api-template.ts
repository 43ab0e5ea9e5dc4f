/**
 * Reads an API stack's template back into routes: which `METHOD /path` pairs API Gateway
 * would serve, reconstructed from the Resource tree, so tests compare them with routes.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { loadRouteTable, Route, ROUTES_FILE } from '../../lib/route-table';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

export interface DeployedMethod {
  readonly logicalId: string;
  readonly key: string;
  readonly properties: Record<string, any>;
}

export function routeKey(route: { readonly method: string; readonly path: string }): string {
  return `${route.method} ${route.path}`;
}

/** Every AWS::ApiGateway::Method of the template with its full resource path. */
export function deployedMethods(template: { Resources: Resources }): DeployedMethod[] {
  const resources = template.Resources;
  const pathOf = (reference: any): string => {
    if (reference['Fn::GetAtt']?.[1] === 'RootResourceId') return '/';
    const resource = resources[reference.Ref];
    if (!resource || resource.Type !== 'AWS::ApiGateway::Resource') throw new Error(`unexpected resource reference ${JSON.stringify(reference)}`);
    const parent = pathOf(resource.Properties.ParentId);
    return `${parent === '/' ? '' : parent}/${resource.Properties.PathPart}`;
  };
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::ApiGateway::Method')
    .map(([logicalId, resource]) => ({
      logicalId,
      key: `${resource.Properties.HttpMethod} ${pathOf(resource.Properties.ResourceId)}`,
      properties: resource.Properties,
    }));
}

export function routesOf(distDir: string): readonly Route[] {
  return loadRouteTable(path.join(distDir, ROUTES_FILE)).routes;
}

export function resourcesOfType(template: { Resources: Resources }, type: string): Array<[string, Record<string, any>]> {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => [logicalId, resource.Properties ?? {}]);
}

/** The one resource of a type, failing when there are none or several. */
export function onlyResource(template: { Resources: Resources }, type: string): Record<string, any> {
  const found = resourcesOfType(template, type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return found[0][1];
}

/** The API's function (the C++ bootstrap on provided.al2023), not the smoke test hook. */
export function apiFunction(template: { Resources: Resources }): Record<string, any> {
  const found = resourcesOfType(template, 'AWS::Lambda::Function').filter(([, fn]) => fn.Runtime === 'provided.al2023');
  if (found.length !== 1) throw new Error(`expected exactly one provided.al2023 function, found ${found.length}`);
  return found[0][1];
}

export function fileBytes(file: string): Buffer {
  return fs.readFileSync(file);
}
