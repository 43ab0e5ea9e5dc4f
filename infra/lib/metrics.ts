/**
 * The metrics the function writes in CloudWatch Embedded Metric Format, as the alarms and the
 * dashboard read them: one constant with every name, so the function's side and this one are
 * aligned in one place. Built-in API Gateway metrics say how many 5XX the API answered; these
 * say which route answered them.
 *
 * Per request the function records, in namespace METRICS_NAMESPACE, with dimensions
 * `service` (APPLICATION), `route` (`GET /v1/items/{id}`: method and resource template, as in
 * routes.json) and `status_class` (`2XX`...`5XX`): `Requests` (Count), `Latency` (Milliseconds),
 * `Errors` (Count, 1 when the answer is a 5XX); and once per execution environment `ColdStart`
 * (Count) with the dimension `service` only.
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
  dimensions: { service: 'service', route: 'route', statusClass: 'status_class' },
  /** The status class whose answers count as errors. */
  errorStatusClass: '5XX',
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

function routeMetric(props: FunctionMetricsProps, metricName: string, route: Route, statusClass: string, options: cloudwatch.MetricOptions): cloudwatch.Metric {
  const { service, route: routeKey, statusClass: statusKey } = FUNCTION_METRICS.dimensions;
  return new cloudwatch.Metric({
    namespace: props.namespace,
    metricName,
    dimensionsMap: { [service]: props.service, [routeKey]: routeDimension(route), [statusKey]: statusClass },
    ...options,
  });
}

/** Alarm definitions: a route that answers 5XX in 2 of 3 minutes; the id names the route. */
export function routeErrorAlarms(props: FunctionMetricsProps): Array<{ id: string; props: cloudwatch.AlarmProps }> {
  return props.routes.map((route) => ({
    id: `RouteErrors${routeLogicalId(route)}`,
    props: {
      metric: routeMetric(props, FUNCTION_METRICS.names.errors, route, FUNCTION_METRICS.errorStatusClass, { period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      alarmDescription: `${routeDimension(route)} answered 5XX in 2 of the last 3 minutes (function metric ${FUNCTION_METRICS.names.errors}).`,
    },
  }));
}

/** A SEARCH over every route and status class of one metric of this service. */
function searchByRoute(props: FunctionMetricsProps, metricName: string, statistic: string, label: string): cloudwatch.MathExpression {
  const { service, route, statusClass } = FUNCTION_METRICS.dimensions;
  const quote = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${quote(props.namespace)},${service},${route},${statusClass}} MetricName=${quote(metricName)} ${service}=${quote(props.service)}', '${statistic}', 60)`,
    label,
    period: Duration.minutes(1),
  });
}

export function functionMetricWidgets(props: FunctionMetricsProps, width = 12): cloudwatch.IWidget[] {
  const { names } = FUNCTION_METRICS;
  return [
    new cloudwatch.GraphWidget({
      title: 'Function errors (5XX) by route',
      width,
      left: [searchByRoute(props, names.errors, 'Sum', 'errors')],
    }),
    new cloudwatch.GraphWidget({
      title: 'Function p99 latency (ms) by route and status class',
      width,
      left: [searchByRoute(props, names.latency, 'p99', 'p99')],
    }),
    new cloudwatch.GraphWidget({
      title: 'Requests by route and status class',
      width,
      left: [searchByRoute(props, names.requests, 'Sum', 'requests')],
    }),
    new cloudwatch.GraphWidget({
      title: 'Cold starts',
      width,
      left: [
        new cloudwatch.Metric({
          namespace: props.namespace,
          metricName: names.coldStart,
          dimensionsMap: { [FUNCTION_METRICS.dimensions.service]: props.service },
          statistic: cloudwatch.Stats.SUM,
          period: Duration.minutes(1),
        }),
      ],
    }),
  ];
}
