/**
 * Alarms and a dashboard for one deployment of the API: the "no alerting, only default
 * metrics" risk of the original stack. Alarms notify an encrypted SNS topic, with an e-mail
 * subscription when an address is configured.
 *
 * @example
 *   new ApiMonitoring(this, 'Monitoring', { api, handler, deadLetterQueue, dashboardName, ... });
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

import { FunctionMetricsProps, functionMetricWidgets, routeErrorAlarms } from './metrics';

export interface ApiMonitoringProps {
  readonly api: apigateway.RestApi;
  readonly handler: lambda.Function;
  readonly deadLetterQueue: sqs.IQueue;
  readonly dashboardName: string;
  readonly alarmEmail?: string;
  readonly latencyP99Threshold: Duration;
  readonly cacheEnabled: boolean;
  /** The function's own metrics (EMF): a 5XX alarm per route and widgets by route. */
  readonly functionMetrics?: FunctionMetricsProps;
}

export class ApiMonitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ApiMonitoringProps) {
    super(scope, id);
    const stage = props.api.deploymentStage;

    // CloudWatch can publish to an encrypted topic only with a customer managed key it may use.
    const topicKey = new kms.Key(this, 'AlarmTopicKey', {
      description: `Encrypts the alarm notifications of ${props.dashboardName}`,
      enableKeyRotation: true,
      // It protects only notifications in flight: nothing to keep once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    topicKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `${props.dashboardName} alarms`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }

    const minute = Duration.minutes(1);
    this.addAlarm('ApiServerErrors', {
      metric: stage.metricServerError({ period: minute, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      alarmDescription: 'The API answered with 5XX responses in 2 of the last 3 minutes.',
    });
    this.addAlarm('ApiLatencyP99', {
      metric: stage.metricLatency({ period: Duration.minutes(5), statistic: cloudwatch.Stats.p(99) }),
      threshold: props.latencyP99Threshold.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      alarmDescription: `The API's p99 latency stayed above ${props.latencyP99Threshold.toMilliseconds()} ms for 15 minutes.`,
    });
    this.addAlarm('FunctionErrors', {
      metric: props.handler.metricErrors({ period: minute, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription: 'The function failed an invocation (crash, timeout or runtime error), not a handled error response.',
    });
    this.addAlarm('FunctionThrottles', {
      metric: props.handler.metricThrottles({ period: minute, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription: 'Lambda throttled invocations of the function: concurrency is exhausted.',
    });
    this.addAlarm('DeadLetterMessages', {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription: 'Asynchronous invocations failed all retries and wait in the dead-letter queue.',
    });

    for (const alarm of props.functionMetrics ? routeErrorAlarms(props.functionMetrics) : []) this.addAlarm(alarm.id, alarm.props);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const width = 12;
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 3 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        width,
        left: [stage.metricCount({ statistic: cloudwatch.Stats.SUM, period: minute })],
        right: [
          stage.metricClientError({ statistic: cloudwatch.Stats.SUM, period: minute }),
          stage.metricServerError({ statistic: cloudwatch.Stats.SUM, period: minute }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency (ms)',
        width,
        left: [cloudwatch.Stats.p(50), cloudwatch.Stats.p(90), cloudwatch.Stats.p(99)].map((statistic) =>
          stage.metricLatency({ statistic, period: minute, label: `latency ${statistic}` }),
        ),
        right: [stage.metricIntegrationLatency({ statistic: cloudwatch.Stats.p(99), period: minute, label: 'integration p99' })],
        leftAnnotations: [{ value: props.latencyP99Threshold.toMilliseconds(), label: 'p99 alarm' }],
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Function invocations, errors, throttles',
        width,
        left: [props.handler.metricInvocations({ statistic: cloudwatch.Stats.SUM, period: minute })],
        right: [
          props.handler.metricErrors({ statistic: cloudwatch.Stats.SUM, period: minute }),
          props.handler.metricThrottles({ statistic: cloudwatch.Stats.SUM, period: minute }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Function duration (ms) and concurrency',
        width,
        left: [cloudwatch.Stats.p(50), cloudwatch.Stats.p(99), cloudwatch.Stats.MAXIMUM].map((statistic) =>
          props.handler.metricDuration({ statistic, period: minute, label: `duration ${statistic}` }),
        ),
        right: [props.handler.metric('ConcurrentExecutions', { statistic: cloudwatch.Stats.MAXIMUM, period: minute })],
      }),
    );
    const lastRow: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue',
        width,
        left: [props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(5) })],
      }),
    ];
    if (props.cacheEnabled) {
      lastRow.push(
        new cloudwatch.GraphWidget({
          title: 'API cache hits and misses',
          width,
          left: [
            stage.metricCacheHitCount({ statistic: cloudwatch.Stats.SUM, period: minute }),
            stage.metricCacheMissCount({ statistic: cloudwatch.Stats.SUM, period: minute }),
          ],
        }),
      );
    }
    this.dashboard.addWidgets(...lastRow);
    if (props.functionMetrics) this.dashboard.addWidgets(...functionMetricWidgets(props.functionMetrics, width));
  }

  private addAlarm(id: string, props: Omit<cloudwatch.AlarmProps, 'treatMissingData' | 'comparisonOperator'> & { comparisonOperator?: cloudwatch.ComparisonOperator }): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ...props,
      // No traffic is not a failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
