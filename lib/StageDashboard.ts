import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENGINE_METRIC } from '../src/engine/types';
import { FUNCTION_METRIC, INGEST_METRIC, SERVICE, WORKER_METRIC } from '../src/observability/constants';
import { STAGE_METRIC_PERIOD, StageMetrics } from './StageMetrics';

/** One Lambda function the dashboard shows, under the name its lines carry. */
export interface DashboardFunction {
  readonly name: string;
  readonly function: lambda.IFunction;
}

/** Props of {@link StageDashboard}. */
export interface StageDashboardProps {
  /** Name of the stage: the dashboard is `switchyard-<stage>`. */
  readonly stage: string;
  /** The functions' own metrics (the stage's namespace). */
  readonly metrics: StageMetrics;
  readonly ingest: lambda.IFunction;
  readonly router: lambda.IFunction;
  readonly redeliver: lambda.IFunction;
  /**
   * The HTTP API in front of ingest: its requests, 4xx and 5xx.
   * @default - no API lines (ingest behind a function URL)
   */
  readonly api?: apigw.IHttpApi;
}

/** The width of the dashboard grid (CloudWatch's 24 columns), two graphs a row. */
const HALF = 12;

/**
 * The stage's CloudWatch dashboard, `switchyard-<stage>`: publish rate and errors (ingest and the API),
 * iterator age per stream consumer (the router's event source mapping and each worker added), deliveries by
 * outcome and their latency (p50/p99), the retry backlog, dead letters, KMS requests, and every function's
 * errors and throttles. Lines of the functions' own metrics come from `StageMetrics`, which refuses names the
 * code does not emit.
 */
export class StageDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  private readonly iteratorAge: cloudwatch.GraphWidget;
  private readonly failures: cloudwatch.GraphWidget;
  private readonly workerLines: cloudwatch.GraphWidget;
  private readonly metrics: StageMetrics;

  constructor(scope: Construct, id: string, props: StageDashboardProps) {
    super(scope, id);
    const { metrics } = props;
    this.metrics = metrics;
    const delivering = [SERVICE.router, SERVICE.redeliver];
    const graph = (title: string, left: cloudwatch.IMetric[], extra: Partial<cloudwatch.GraphWidgetProps> = {}) =>
      new cloudwatch.GraphWidget({ title, left, width: HALF, height: 6, period: STAGE_METRIC_PERIOD, ...extra });

    const publish = graph('Publish rate (events per 5 min)', [
      metrics.of(INGEST_METRIC.eventsPublished, SERVICE.ingest, 'Sum', 'events published'),
      metrics.of(INGEST_METRIC.duplicatesAnswered, SERVICE.ingest, 'Sum', 'duplicates answered'),
      ...(props.api ? [props.api.metricCount({ label: 'API requests', period: STAGE_METRIC_PERIOD })] : []),
    ]);
    const publishErrors = graph('Publish errors', [
      metrics.of(INGEST_METRIC.publishRejected, SERVICE.ingest, 'Sum', 'POST /events 4xx'),
      metrics.of(INGEST_METRIC.publishThrottled, SERVICE.ingest, 'Sum', 'POST /events 429/503 (stream push-back)'),
      metrics.of(INGEST_METRIC.publishErrors, SERVICE.ingest, 'Sum', 'POST /events 5xx'),
      props.ingest.metricErrors({ label: 'ingest function errors', period: STAGE_METRIC_PERIOD }),
      ...(props.api
        ? [
            props.api.metricClientError({ label: 'API 4xx', period: STAGE_METRIC_PERIOD }),
            props.api.metricServerError({ label: 'API 5xx', period: STAGE_METRIC_PERIOD }),
          ]
        : []),
    ]);
    this.iteratorAge = graph('Iterator age per consumer (ms, max)', [iteratorAgeOf(props.router, 'router')]);
    this.failures = graph('Function errors and throttles', []);
    for (const [name, fn] of [['ingest', props.ingest], ['router', props.router], ['redeliver', props.redeliver]] as const) {
      this.addFunctionFailures(name, fn);
    }
    const outcomes = graph('Deliveries by outcome (per 5 min)', [
      metrics.total(ENGINE_METRIC.delivered, delivering, 'delivered'),
      metrics.total(ENGINE_METRIC.deliveryFailed, delivering, 'failed, to be retried'),
      metrics.total(ENGINE_METRIC.deliveryDeferred, delivering, 'deferred to the redeliverer'),
      metrics.total(ENGINE_METRIC.deliveryHeldBack, delivering, 'held back behind its key'),
      metrics.total(ENGINE_METRIC.deadLettered, delivering, 'dead-lettered'),
    ]);
    const latency = graph('Delivery latency (ms)', [
      metrics.of(ENGINE_METRIC.deliveryLatency, SERVICE.router, 'p50', 'router p50'),
      metrics.of(ENGINE_METRIC.deliveryLatency, SERVICE.router, 'p99', 'router p99'),
      metrics.of(ENGINE_METRIC.deliveryLatency, SERVICE.redeliver, 'p50', 'retries p50'),
      metrics.of(ENGINE_METRIC.deliveryLatency, SERVICE.redeliver, 'p99', 'retries p99'),
    ]);
    const backlog = graph('Retry backlog (pending deliveries)', [
      metrics.of(FUNCTION_METRIC.pendingDeliveries, SERVICE.redeliver, 'Maximum', 'pending (lane heads in the ledger)'),
    ]);
    const deadLetters = graph('Dead letters (new per 5 min)', [metrics.total(ENGINE_METRIC.deadLettered, delivering, 'dead letters')]);
    const kms = graph('KMS requests (per 5 min)', [
      metrics.of(FUNCTION_METRIC.kmsRequests, SERVICE.ingest, 'Sum', 'ingest'),
      metrics.of(FUNCTION_METRIC.kmsRequests, SERVICE.router, 'Sum', 'router'),
      metrics.of(FUNCTION_METRIC.kmsRequests, SERVICE.redeliver, 'Sum', 'redeliver'),
    ]);
    this.workerLines = graph('Workers: events handled and failed', []);
    const coldStarts = graph('Cold starts', [
      metrics.of(FUNCTION_METRIC.coldStart, SERVICE.ingest, 'Sum', 'ingest'),
      metrics.of(FUNCTION_METRIC.coldStart, SERVICE.router, 'Sum', 'router'),
      metrics.of(FUNCTION_METRIC.coldStart, SERVICE.redeliver, 'Sum', 'redeliver'),
    ]);
    const about = new cloudwatch.TextWidget({
      width: 24,
      height: 2,
      markdown:
        `**Switchyard ${props.stage}.** Own metrics in namespace \`${metrics.namespace}\` (dimension \`service\`). ` +
        'KMS requests are counted by the functions themselves (an SDK middleware): AWS/KMS has no per-key request metric. ' +
        'The backlog counts lane heads of the ledger when the redeliver function starts (each minute).',
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `switchyard-${props.stage}`,
      widgets: [[about], [publish, publishErrors], [this.iteratorAge, this.failures], [outcomes, latency], [backlog, deadLetters], [kms, coldStarts], [this.workerLines]],
    });
  }

  /** Adds a Lambda worker (`OrderedWorkerFunction`): its iterator age, errors, throttles and event counts. */
  public addWorker(consumer: string, fn: lambda.IFunction, serviceName: string): void {
    this.iteratorAge.addLeftMetric(iteratorAgeOf(fn, `worker ${consumer}`));
    this.addFunctionFailures(`worker ${consumer}`, fn);
    this.workerLines.addLeftMetric(this.metrics.of(WORKER_METRIC.eventsHandled, serviceName, 'Sum', `${consumer} handled`));
    this.workerLines.addLeftMetric(this.metrics.of(WORKER_METRIC.handlerFailures, serviceName, 'Sum', `${consumer} failed`));
  }

  private addFunctionFailures(name: string, fn: lambda.IFunction): void {
    this.failures.addLeftMetric(fn.metricErrors({ label: `${name} errors`, period: STAGE_METRIC_PERIOD }));
    this.failures.addLeftMetric(fn.metricThrottles({ label: `${name} throttles`, period: STAGE_METRIC_PERIOD }));
  }
}

/** `IteratorAge` of a function's Kinesis event source mapping: how far behind the stream it reads. */
export function iteratorAgeOf(fn: lambda.IFunction, label?: string): cloudwatch.Metric {
  // No label for alarms: a labelled metric is rendered as a metric query, not as the plain metric.
  return fn.metric('IteratorAge', { statistic: 'Maximum', period: STAGE_METRIC_PERIOD, ...(label ? { label: `${label} iterator age` } : {}) });
}
