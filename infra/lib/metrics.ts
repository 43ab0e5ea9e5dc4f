/**
 * The metrics the function writes in CloudWatch Embedded Metric Format, as the alarms and the
 * dashboard read them: one constant with every name, so the function's side and this one are
 * aligned in one place. Built-in API Gateway metrics say how many 5XX the API answered; these
 * say which route answered them.
 *
 * Per request the function records, in the namespace its METRICS_NAMESPACE variable names (the
 * configured namespace plus `/prod`, `/staging` or `/dev`: stageMetricsNamespace), `Requests`
 * (Count), `Latency` (Milliseconds) and `Errors` (Count, 1 when the answer is a 5XX), each under
 * two dimension sets: [`service` (APPLICATION), `route` (`GET /v1/items/{id}`: the request's
 * method and the route's resource template, so an `ANY` route appears once per method)] and [`service`, `route`, `status_class` (`2xx` ... `5xx`)]; and once per
 * execution environment `ColdStart` (Count) under [`service`, `function_name`], as Powertools does.
 *
 * @example
 *   const alarms = routeErrorAlarms({ namespace, service, routes });   // one per route
 *   dashboard.addWidgets(...functionMetricWidgets({ namespace, service, routes }));
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

import { routeLogicalId } from './api-routes';
import { ANY_METHOD_EXPANSION, Route } from './route-table';

export const FUNCTION_METRICS = {
  /** The function's environment variable holding the namespace. */
  namespaceVariable: 'METRICS_NAMESPACE',
  names: { coldStart: 'ColdStart', requests: 'Requests', latency: 'Latency', errors: 'Errors' },
  dimensions: { service: 'service', route: 'route', statusClass: 'status_class', functionName: 'function_name' },
} as const;

export interface FunctionMetricsProps {
  readonly namespace: string;
  /** Value of the `service` dimension: the function's APPLICATION. */
  readonly service: string;
  readonly routes: readonly Route[];
}

/** The `route` dimension of a request: `GET /v1/items/{id}` (the request's method and the route's resource template). */
export function routeDimension(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/**
 * The `route` values the function writes for a route. It records the request's method, so an
 * `ANY` route shows up as `GET /path`, `POST /path`, ... (each method API Gateway can send it),
 * less the methods that another route of the same path declares explicitly (those requests go to it).
 */
export function emittedRouteDimensions(route: Route, routes: readonly Route[]): string[] {
  if (route.method !== 'ANY') return [routeDimension(route)];
  const explicit = new Set(routes.filter((other) => other.path === route.path && other.method !== 'ANY').map((other) => other.method));
  return ANY_METHOD_EXPANSION.filter((method) => !explicit.has(method)).map((method) => routeDimension({ method, path: route.path }));
}

/** The stage's own CloudWatch namespace: stages sharing an account (dev, staging, prod) never mix their series. */
export function stageMetricsNamespace(namespace: string, deploymentName: string): string {
  return `${namespace}/${deploymentName}`;
}

/**
 * CloudWatch evaluates at most 10 metrics in one alarm's math expression; 9 metrics and the
 * expression stay within any reading of that limit.
 */
export const MAX_METRICS_PER_ALARM = 9;

function errorsMetric(props: FunctionMetricsProps, dimension: string): cloudwatch.Metric {
  const { service, route: routeKey } = FUNCTION_METRICS.dimensions;
  return new cloudwatch.Metric({
    namespace: props.namespace,
    metricName: FUNCTION_METRICS.names.errors,
    dimensionsMap: { [service]: props.service, [routeKey]: dimension },
    period: Duration.minutes(1),
    statistic: cloudwatch.Stats.SUM,
  });
}

/** The sum of `Errors` over route values (at most MAX_METRICS_PER_ALARM); one metric stays a metric. */
function errorsOf(props: FunctionMetricsProps, dimensions: readonly string[], label: string): cloudwatch.IMetric {
  if (dimensions.length === 1) return errorsMetric(props, dimensions[0]);
  const usingMetrics = Object.fromEntries(dimensions.map((dimension, index) => [`m${index}`, errorsMetric(props, dimension)]));
  return new cloudwatch.MathExpression({
    // FILL: a route without requests in a minute has no datapoint, which must not hide the others.
    expression: `SUM([${Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(', ')}])`,
    usingMetrics,
    label,
    period: Duration.minutes(1),
  });
}

const ROUTE_ERRORS_RULE = { threshold: 1, evaluationPeriods: 3, datapointsToAlarm: 2 } as const;

/** Alarm definitions: a route that answers 5XX in 2 of 3 minutes (`Errors` by service and route); the id names the route. */
export function routeErrorAlarms(props: FunctionMetricsProps): Array<{ id: string; props: cloudwatch.AlarmProps }> {
  return props.routes.map((route) => ({
    id: `RouteErrors${routeLogicalId(route)}`,
    props: {
      metric: errorsOf(props, emittedRouteDimensions(route, props.routes), `${routeDimension(route)} errors`),
      ...ROUTE_ERRORS_RULE,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription: `${routeDimension(route)} answered 5XX in 2 of the last 3 minutes (function metric ${FUNCTION_METRICS.names.errors}).`,
    },
  }));
}

/**
 * The alarms a deployment watches for 5XX answers of the function: every route value it writes,
 * summed in groups of MAX_METRICS_PER_ALARM. Undefined when more than `maxAlarms` groups would be
 * needed (CodeDeploy watches at most 10 alarms per deployment group).
 */
export function deploymentRouteErrorAlarms(props: FunctionMetricsProps, maxAlarms: number): Array<{ id: string; props: cloudwatch.AlarmProps }> | undefined {
  const dimensions = props.routes.flatMap((route) => emittedRouteDimensions(route, props.routes));
  const groups: string[][] = [];
  for (let start = 0; start < dimensions.length; start += MAX_METRICS_PER_ALARM) groups.push(dimensions.slice(start, start + MAX_METRICS_PER_ALARM));
  if (groups.length > maxAlarms) return undefined;
  return groups.map((group, index) => ({
    id: `DeploymentRouteErrors${index + 1}`,
    props: {
      metric: errorsOf(props, group, 'route errors'),
      ...ROUTE_ERRORS_RULE,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription: `A route answered 5XX in 2 of the last 3 minutes (function metric ${FUNCTION_METRICS.names.errors}: ${group.join(', ')}); during a deployment CodeDeploy rolls back.`,
    },
  }));
}

/** A SEARCH over every series of one metric of this service under one dimension set. */
function search(props: FunctionMetricsProps, dimensionSet: readonly string[], metricName: string, statistic: string, label: string): cloudwatch.MathExpression {
  const quote = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;
  const { service } = FUNCTION_METRICS.dimensions;
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${[quote(props.namespace), ...dimensionSet].join(',')}} MetricName=${quote(metricName)} ${service}=${quote(props.service)}', '${statistic}', 60)`,
    label,
    period: Duration.minutes(1),
  });
}

export function functionMetricWidgets(props: FunctionMetricsProps, width = 12): cloudwatch.IWidget[] {
  const { names, dimensions } = FUNCTION_METRICS;
  const byRoute = [dimensions.service, dimensions.route];
  const byRouteAndClass = [...byRoute, dimensions.statusClass];
  return [
    new cloudwatch.GraphWidget({ title: 'Function errors (5XX) by route', width, left: [search(props, byRoute, names.errors, 'Sum', 'errors')] }),
    new cloudwatch.GraphWidget({
      title: 'Function p99 latency (ms) by route and status class',
      width,
      left: [search(props, byRouteAndClass, names.latency, 'p99', 'p99')],
    }),
    new cloudwatch.GraphWidget({ title: 'Requests by route and status class', width, left: [search(props, byRouteAndClass, names.requests, 'Sum', 'requests')] }),
    new cloudwatch.GraphWidget({
      title: 'Cold starts',
      width,
      left: [search(props, [dimensions.service, dimensions.functionName], names.coldStart, 'Sum', 'cold starts')],
    }),
  ];
}
