import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ENGINE_METRIC } from '../src/engine/types';
import { SERVICE } from '../src/observability/constants';
import { checkIntegerInRange } from './propChecks';
import { iteratorAgeOf } from './StageDashboard';
import { STAGE_METRIC_PERIOD, type StageMetrics } from './StageMetrics';
import type { SwitchyardKey } from './SwitchyardKey';

/** Alarm thresholds of a stage (stage settings `alarm*`). */
export interface StageAlarmThresholds {
  /**
   * Iterator age of the router (and of each worker added) above which it alarms, in seconds (1 to 604800):
   * the router is that far behind the stream, so deliveries are that late. Its event source mapping retries a
   * failing batch for as long as the stream keeps it, so this alarm is how a stuck shard is noticed.
   * @default 300
   */
  readonly iteratorAgeSeconds?: number;
  /**
   * Errors of one function in 5 minutes at or above which it alarms (1 to 100000).
   * @default 1
   */
  readonly functionErrors?: number;
  /**
   * Throttles of one function in 5 minutes at or above which it alarms (1 to 100000).
   * @default 1
   */
  readonly functionThrottles?: number;
  /**
   * 5xx answers of the API in 5 minutes at or above which it alarms (1 to 100000).
   * @default 5
   */
  readonly api5xx?: number;
}

/** Defaults of {@link StageAlarmThresholds}. */
export const ALARM_DEFAULTS = {
  iteratorAgeSeconds: 300,
  functionErrors: 1,
  functionThrottles: 1,
  api5xx: 5,
} as const;

/** Props of {@link StageAlarms}. */
export interface StageAlarmsProps extends StageAlarmThresholds {
  /** Name of the stage: alarm names start `switchyard-<stage>-`. */
  readonly stage: string;
  /** The stage key: it encrypts the topic, and its policy lets this account's alarms use it (`allowCloudWatchAlarms`). */
  readonly encryptionKey: SwitchyardKey;
  /** The functions' own metrics (the stage's namespace). */
  readonly metrics: StageMetrics;
  readonly ingest: lambda.IFunction;
  readonly router: lambda.IFunction;
  readonly redeliver: lambda.IFunction;
  /**
   * The HTTP API in front of ingest: its 5xx alarm.
   * @default - ingest behind a function URL: the alarm is on the function URL's 5xx (`Url5xxCount`)
   */
  readonly api?: apigw.IHttpApi;
  /**
   * Where the alarms are mailed (an e-mail subscription of the topic, confirmed by its recipient).
   * @default - the topic has no subscription
   */
  readonly alarmEmail?: string;
}

/**
 * The stage's alarms, each notifying one SNS topic (encrypted with the stage key, TLS only): the router's
 * iterator age, a dead letter in 5 minutes, every function's errors and throttles, and the API's 5xx. Missing
 * data (no traffic) is never an alarm.
 */
export class StageAlarms extends Construct {
  /** The topic every alarm notifies. */
  public readonly topic: sns.Topic;
  /** The alarms, by name without the `switchyard-<stage>-` prefix. */
  public readonly alarms = new Map<string, cloudwatch.Alarm>();
  private readonly props: StageAlarmsProps;

  constructor(scope: Construct, id: string, props: StageAlarmsProps) {
    super(scope, id);
    checkIntegerInRange(this, 'iteratorAgeSeconds', props.iteratorAgeSeconds, 1, 604_800, 'seconds');
    checkIntegerInRange(this, 'functionErrors', props.functionErrors, 1, 100_000);
    checkIntegerInRange(this, 'functionThrottles', props.functionThrottles, 1, 100_000);
    checkIntegerInRange(this, 'api5xx', props.api5xx, 1, 100_000);
    if (props.alarmEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(props.alarmEmail)) {
      throw new Error(`${this.node.path}: alarmEmail must be an e-mail address, got ${JSON.stringify(props.alarmEmail)}`);
    }
    this.props = props;

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `Switchyard ${props.stage} alarms`,
      masterKey: props.encryptionKey.key,
      enforceSSL: true,
    });
    this.allowCloudWatch(props.encryptionKey);
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const iteratorAgeMs = (props.iteratorAgeSeconds ?? ALARM_DEFAULTS.iteratorAgeSeconds) * 1000;
    this.alarm('router-iterator-age', iteratorAgeOf(props.router), iteratorAgeMs, 'above', `The router reads the stream more than ${iteratorAgeMs / 1000} s behind: deliveries are late (a failing batch is retried until the stream drops it).`);
    this.alarm(
      'dead-letters',
      props.metrics.total(ENGINE_METRIC.deadLettered, [SERVICE.router, SERVICE.redeliver], 'dead letters'),
      0,
      'above',
      'A delivery became a dead letter: switchyard deliveries list --dead shows it, switchyard deliveries redrive sends it again.',
    );
    for (const [name, fn] of [['ingest', props.ingest], ['router', props.router], ['redeliver', props.redeliver]] as const) this.addFunctionAlarms(name, fn);
    const sum = { period: STAGE_METRIC_PERIOD, statistic: 'Sum' };
    const server5xx = props.api ? props.api.metricServerError(sum) : props.ingest.metric('Url5xxCount', sum);
    this.alarm('api-5xx', server5xx, props.api5xx ?? ALARM_DEFAULTS.api5xx, 'atLeast', 'The ingest API answered 5xx: producers could not publish or read.');
  }

  /** Adds a Lambda worker's alarms: iterator age (the same threshold as the router's), errors, throttles. */
  public addWorker(consumer: string, fn: lambda.IFunction): void {
    const iteratorAgeMs = (this.props.iteratorAgeSeconds ?? ALARM_DEFAULTS.iteratorAgeSeconds) * 1000;
    this.alarm(`worker-${consumer}-iterator-age`, iteratorAgeOf(fn), iteratorAgeMs, 'above', `Worker ${consumer} reads the stream more than ${iteratorAgeMs / 1000} s behind.`);
    this.addFunctionAlarms(`worker-${consumer}`, fn);
  }

  private addFunctionAlarms(name: string, fn: lambda.IFunction): void {
    const sum = { period: STAGE_METRIC_PERIOD, statistic: 'Sum' };
    this.alarm(`${name}-errors`, fn.metricErrors(sum), this.props.functionErrors ?? ALARM_DEFAULTS.functionErrors, 'atLeast', `The ${name} function failed invocations.`);
    this.alarm(`${name}-throttles`, fn.metricThrottles(sum), this.props.functionThrottles ?? ALARM_DEFAULTS.functionThrottles, 'atLeast', `The ${name} function was throttled (reserved concurrency or the account's limit).`);
  }

  private alarm(name: string, metric: cloudwatch.IMetric, threshold: number, compare: 'above' | 'atLeast', description: string): void {
    const alarm = new cloudwatch.Alarm(this, name, {
      alarmName: `switchyard-${this.props.stage}-${name}`,
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator:
        compare === 'above' ? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD : cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.topic));
    this.alarms.set(name, alarm);
  }

  /**
   * CloudWatch alarms of this account may publish to the topic (`enforceSSL` gave the topic a policy of its own,
   * which replaces SNS's default one) and use the stage key for it (the key policy statement of
   * `SwitchyardKey.allowCloudWatchAlarms`, idempotent).
   */
  private allowCloudWatch(key: SwitchyardKey): void {
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    key.allowCloudWatchAlarms();
  }
}
