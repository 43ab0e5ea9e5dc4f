/**
 * Alarms and a dashboard for one deployment of the API: the "no alerting, only default
 * metrics" risk of the original stack. Alarms notify an encrypted SNS topic, with an e-mail
 * subscription when an address is configured.
 *
 * @example
 *   new ApiMonitoring(this, 'Monitoring', { api, handler, alias, deadLetterQueue, dashboardName, ... });
 */
import { Annotations, Duration, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
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

import { deploymentRouteErrorAlarms, FunctionMetricsProps, functionMetricWidgets, routeErrorAlarms } from './metrics';

export interface NotificationTopicProps {
  readonly displayName: string;
  /** Subscribed by e-mail when set (the address confirms the subscription). */
  readonly email?: string;
}

/**
 * An SNS topic encrypted with its own rotating KMS key that only TLS clients may use, and that
 * AWS services may publish to only for named resources of this account.
 *
 * `enforceSSL` gives the topic a policy of its own, which replaces SNS's default policy: a
 * service such as CloudWatch may then publish only if a statement allows it, and it needs the
 * key as well (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger).
 *
 * @example
 *   const notifications = new NotificationTopic(this, 'Alarms', { displayName: 'api alarms' });
 *   notifications.allowPublishFrom('cloudwatch.amazonaws.com', [alarm.alarmArn], alarmArnPattern);
 */
export class NotificationTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the notifications of ${props.displayName}`,
      enableKeyRotation: true,
      // It protects only notifications in flight: nothing to keep once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.topic = new sns.Topic(this, 'Topic', { displayName: props.displayName, masterKey: this.key, enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }

  /**
   * Lets an AWS service publish on behalf of the given ARNs of this account, and use the key.
   * The key's policy is part of the key resource, which the topic (and so the publishers)
   * depend on: it names the publishers by `keySourceArn`, a pattern, or not at all when the
   * service's KMS requests carry no aws:SourceArn (EventBridge:
   * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
   */
  allowPublishFrom(servicePrincipal: string, sourceArns: string[], keySourceArn: string | undefined): void {
    const account = Stack.of(this).account;
    const principal = new iam.ServicePrincipal(servicePrincipal);
    const conditions = (arns: string | string[]) => ({ StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': arns } });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({ principals: [principal], actions: ['sns:Publish'], resources: [this.topic.topicArn], conditions: conditions(sourceArns) }),
    );
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [principal],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: keySourceArn === undefined ? undefined : conditions(keySourceArn),
      }),
    );
  }
}

/** CodeDeploy's limit on the alarms of one deployment group. */
export const MAX_DEPLOYMENT_GROUP_ALARMS = 10;

/**
 * Share of 5XX answers that stops a deployment. A canary step sends 10% of requests to the new
 * version, so a version that fails every request shows about 10%: above this threshold.
 */
export const SERVER_ERROR_RATE_THRESHOLD = 0.05;

export interface ApiMonitoringProps {
  readonly api: apigateway.RestApi;
  readonly handler: lambda.Function;
  /** The alias the API invokes: CodeDeploy shifts it, and its alarms stop a bad deployment. */
  readonly alias: lambda.Alias;
  readonly deadLetterQueue: sqs.IQueue;
  readonly dashboardName: string;
  readonly alarmEmail?: string;
  readonly latencyP99Threshold: Duration;
  readonly cacheEnabled: boolean;
  /** Share of requests answered with 4XX (0 to 1) that raises the client error alarm. */
  readonly clientErrorRateThreshold: number;
  /** The function's own metrics (EMF): a 5XX alarm per route and widgets by route. */
  readonly functionMetrics?: FunctionMetricsProps;
}

export class ApiMonitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  /** The alarms CodeDeploy watches while it shifts traffic to a new version. */
  readonly deploymentAlarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ApiMonitoringProps) {
    super(scope, id);
    const stage = props.api.deploymentStage;

    const notifications = new NotificationTopic(this, 'Alarms', { displayName: `${props.dashboardName} alarms`, email: props.alarmEmail });
    this.topic = notifications.topic;
    // Only these alarms: the ARN list is read at synthesis, after every alarm is added.
    const stack = Stack.of(this);
    notifications.allowPublishFrom(
      'cloudwatch.amazonaws.com',
      Lazy.list({ produce: () => this.alarms.map((alarm) => alarm.alarmArn) }),
      `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*`,
    );

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
    this.addAlarm('ApiClientErrorRate', {
      // The average of 4XXError is the share of requests answered with 4XX.
      metric: stage.metricClientError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.AVERAGE }),
      threshold: props.clientErrorRateThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      alarmDescription: `More than ${props.clientErrorRateThreshold * 100}% of requests got a 4XX answer for 15 minutes (broken client, bad key, or a probe).`,
    });
    this.addAlarm('ApiIntegrationLatencyP99', {
      metric: stage.metricIntegrationLatency({ period: Duration.minutes(5), statistic: cloudwatch.Stats.p(99) }),
      threshold: props.latencyP99Threshold.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      alarmDescription: `The function's p99 integration latency stayed above ${props.latencyP99Threshold.toMilliseconds()} ms for 15 minutes.`,
    });
    // Per minute, so that a canary step of a few minutes sees them.
    this.deploymentAlarms.push(
      this.addAlarm('AliasErrors', {
        metric: props.alias.metricErrors({ period: minute, statistic: cloudwatch.Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
        alarmDescription: 'The live alias failed an invocation; during a deployment CodeDeploy rolls back.',
      }),
      this.addAlarm('AliasLatencyP99', {
        metric: props.alias.metricDuration({ period: minute, statistic: cloudwatch.Stats.p(99) }),
        threshold: props.latencyP99Threshold.toMilliseconds(),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        alarmDescription: `The live alias's p99 duration stayed above ${props.latencyP99Threshold.toMilliseconds()} ms for 2 minutes; during a deployment CodeDeploy rolls back.`,
      }),
    );
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

    // What a user calls failure: 5XX answers. Lambda counts a handled error (the runtime's JSON
    // 500) as a success, so the deployment also watches the API's 5XX share and the function's
    // own per-route Errors.
    this.deploymentAlarms.push(
      this.addAlarm('ApiServerErrorRate', {
        // The average of 5XXError is the share of requests answered with 5XX.
        metric: stage.metricServerError({ period: minute, statistic: cloudwatch.Stats.AVERAGE }),
        threshold: SERVER_ERROR_RATE_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        alarmDescription: `At least ${SERVER_ERROR_RATE_THRESHOLD * 100}% of requests got a 5XX answer in each of the last 2 minutes; during a deployment CodeDeploy rolls back.`,
      }),
    );
    for (const alarm of props.functionMetrics ? routeErrorAlarms(props.functionMetrics) : []) this.addAlarm(alarm.id, alarm.props);
    if (props.functionMetrics) {
      const budget = MAX_DEPLOYMENT_GROUP_ALARMS - this.deploymentAlarms.length;
      const routeAlarms = deploymentRouteErrorAlarms(props.functionMetrics, budget);
      if (routeAlarms === undefined) {
        Annotations.of(this).addWarningV2(
          'cppstack:deployment-route-alarms',
          `The route table has too many routes for CodeDeploy's ${MAX_DEPLOYMENT_GROUP_ALARMS} alarms per deployment group: a deployment watches the API's 5XX rate, not each route's Errors.`,
        );
      } else {
        for (const alarm of routeAlarms) this.deploymentAlarms.push(this.addAlarm(alarm.id, alarm.props));
      }
    }

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

  /**
   * Alarms on another function of the stack (a Lambda authorizer): its failed and throttled
   * invocations. `what` names it in the alarms' ids and descriptions.
   */
  watchFunction(what: string, watched: lambda.IFunction): void {
    const id = what.replace(/[^A-Za-z0-9]+(.)?/g, (_match, next: string | undefined) => (next ?? '').toUpperCase());
    const minute = Duration.minutes(1);
    this.addAlarm(`${id[0].toUpperCase()}${id.slice(1)}Errors`, {
      metric: watched.metricErrors({ period: minute, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription: `${what} failed an invocation (crash, timeout or runtime error): API Gateway answered 500.`,
    });
    this.addAlarm(`${id[0].toUpperCase()}${id.slice(1)}Throttles`, {
      metric: watched.metricThrottles({ period: minute, statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription: `Lambda throttled invocations of ${what}: concurrency is exhausted.`,
    });
  }

  private addAlarm(
    id: string,
    props: Omit<cloudwatch.AlarmProps, 'treatMissingData' | 'comparisonOperator'> & { comparisonOperator?: cloudwatch.ComparisonOperator },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ...props,
      // No traffic is not a failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
