/**
 * The metrics the function writes in CloudWatch Embedded Metric Format, as the alarms and the
 * dashboard read them: one constant with every name, so the function's side and this one are
 * aligned in one place. Built-in API Gateway metrics say how many 5XX the API answered; these
 * say which route answered them.
 *
 * Per request the function records, in namespace METRICS_NAMESPACE, `Requests` (Count), `Latency`
 * (Milliseconds) and `Errors` (Count, 1 when the answer is a 5XX), each under two dimension sets:
 * [`service` (APPLICATION), `route` (`GET /v1/items/{id}`: method and resource template, as in
 * routes.json)] and [`service`, `route`, `status_class` (`2xx` ... `5xx`)]; and once per
 * execution environment `ColdStart` (Count) under [`service`, `function_name`], as Powertools does.
 *
 * @example
 *   const alarms = routeErrorAlarms({ namespace, service, routes });   // one per route
 *   dashboard.addWidgets(...functionMetricWidgets({ namespace, service, routes }));
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

import { routeLogicalId } from './api-routes';
import { Route } from './route-table';

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

/** The `route` dimension of a route: `GET /v1/items/{id}`. */
export function routeDimension(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/** Alarm definitions: a route that answers 5XX in 2 of 3 minutes (`Errors` by service and route); the id names the route. */
export function routeErrorAlarms(props: FunctionMetricsProps): Array<{ id: string; props: cloudwatch.AlarmProps }> {
  const { service, route: routeKey } = FUNCTION_METRICS.dimensions;
  return props.routes.map((route) => ({
    id: `RouteErrors${routeLogicalId(route)}`,
    props: {
      metric: new cloudwatch.Metric({
        namespace: props.namespace,
        metricName: FUNCTION_METRICS.names.errors,
        dimensionsMap: { [service]: props.service, [routeKey]: routeDimension(route) },
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.SUM,
      }),
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription: `${routeDimension(route)} answered 5XX in 2 of the last 3 minutes (function metric ${FUNCTION_METRICS.names.errors}).`,
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
