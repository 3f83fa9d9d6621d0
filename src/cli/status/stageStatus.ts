import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { ENGINE_METRIC } from '../../engine/types';
import { FUNCTION_METRIC, INGEST_METRIC, SERVICE } from '../../observability/constants';
import type { StatusOutput } from '../../observability/statusOutput';
import { CliError } from '../errors';
import { STATUS_WINDOW_MS } from './constants';
import type { StageStatus } from './types';


/** One figure: a CloudWatch metric and the statistic the dashboard shows of it. */
interface Figure {
  id: string;
  namespace: string;
  metricName: string;
  dimension: { Name: string; Value: string };
  stat: string;
  /** Seconds; the window's length unless the latest value of a gauge is wanted. */
  period: number;
}

const HOUR = STATUS_WINDOW_MS / 1000;
/** The backlog gauge is recorded each minute: its latest 5 minutes say what is pending now. */
const GAUGE_PERIOD = 300;

/** Parses the output, refusing one that is not what this version wrote (with what to do). */
export function parseStatusOutput(text: string | undefined, stackName: string): StatusOutput {
  if (text === undefined) throw CliError.failure(`stack ${stackName} has no output StatusMetrics: redeploy the stage with this version`);
  let parsed: Partial<StatusOutput>;
  try {
    parsed = JSON.parse(text) as Partial<StatusOutput>;
  } catch (error) {
    throw CliError.failure(`stack ${stackName}'s output StatusMetrics is not JSON: redeploy the stage with this version`, { cause: error });
  }
  const functions = parsed.functions;
  if (typeof parsed.namespace !== 'string' || !functions || ![functions.ingest, functions.router, functions.redeliver].every((name) => typeof name === 'string')) {
    throw CliError.failure(`stack ${stackName}'s output StatusMetrics lacks the namespace or the function names: redeploy the stage with this version`);
  }
  return parsed as StatusOutput;
}

/** The figures of the dashboard for one stage, as GetMetricData queries (pure: the tests read them). */
export function statusFigures(output: StatusOutput): Figure[] {
  const own = (id: string, metricName: string, service: string, stat = 'Sum', period = HOUR): Figure => ({
    id,
    namespace: output.namespace,
    metricName,
    dimension: { Name: 'service', Value: service },
    stat,
    period,
  });
  const lambda = (id: string, metricName: string, functionName: string, stat = 'Sum'): Figure => ({
    id,
    namespace: 'AWS/Lambda',
    metricName,
    dimension: { Name: 'FunctionName', Value: functionName },
    stat,
    period: HOUR,
  });
  const api = (id: string, metricName: string): Figure[] =>
    output.apiId ? [{ id, namespace: 'AWS/ApiGateway', metricName, dimension: { Name: 'ApiId', Value: output.apiId }, stat: 'Sum', period: HOUR }] : [];
  const delivering = [
    ['router', SERVICE.router],
    ['redeliver', SERVICE.redeliver],
  ] as const;
  return [
    own('eventsPublished', INGEST_METRIC.eventsPublished, SERVICE.ingest),
    own('duplicatesAnswered', INGEST_METRIC.duplicatesAnswered, SERVICE.ingest),
    own('rejected', INGEST_METRIC.publishRejected, SERVICE.ingest),
    own('throttled', INGEST_METRIC.publishThrottled, SERVICE.ingest),
    own('errors', INGEST_METRIC.publishErrors, SERVICE.ingest),
    ...api('apiRequests', 'Count'),
    ...api('api4xx', '4xx'),
    ...api('api5xx', '5xx'),
    lambda('iteratorAgeRouter', 'IteratorAge', output.functions.router, 'Maximum'),
    ...delivering.flatMap(([name, service]) => [
      own(`delivered_${name}`, ENGINE_METRIC.delivered, service),
      own(`failed_${name}`, ENGINE_METRIC.deliveryFailed, service),
      own(`deferred_${name}`, ENGINE_METRIC.deliveryDeferred, service),
      own(`heldBack_${name}`, ENGINE_METRIC.deliveryHeldBack, service),
      own(`deadLettered_${name}`, ENGINE_METRIC.deadLettered, service),
      own(`p50_${name}`, ENGINE_METRIC.deliveryLatency, service, 'p50'),
      own(`p99_${name}`, ENGINE_METRIC.deliveryLatency, service, 'p99'),
    ]),
    own('pending', FUNCTION_METRIC.pendingDeliveries, SERVICE.redeliver, 'Maximum', GAUGE_PERIOD),
    ...[SERVICE.ingest, SERVICE.router, SERVICE.redeliver].map((service, index) => own(`kms_${index}`, FUNCTION_METRIC.kmsRequests, service)),
    ...(['ingest', 'router', 'redeliver'] as const).flatMap((name) => [
      lambda(`invocations_${name}`, 'Invocations', output.functions[name]),
      lambda(`fnErrors_${name}`, 'Errors', output.functions[name]),
      lambda(`throttles_${name}`, 'Throttles', output.functions[name]),
    ]),
  ];
}

/** Reads the stage's figures over the last hour with GetMetricData (one request per 500 queries; all fit in one). */
export async function readStageStatus(cloudwatch: Pick<CloudWatchClient, 'send'>, output: StatusOutput, target: string, now = Date.now()): Promise<StageStatus> {
  // Whole minutes, as CloudWatch aligns its periods.
  const to = new Date(Math.floor(now / 60_000) * 60_000);
  const from = new Date(to.getTime() - STATUS_WINDOW_MS);
  const figures = statusFigures(output);
  const queries: MetricDataQuery[] = figures.map((figure) => ({
    Id: figure.id.toLowerCase(),
    MetricStat: {
      Metric: { Namespace: figure.namespace, MetricName: figure.metricName, Dimensions: [figure.dimension] },
      Period: figure.period,
      Stat: figure.stat,
    },
    ReturnData: true,
  }));
  const values = new Map<string, { values: number[]; timestamps: number[] }>();
  let nextToken: string | undefined;
  do {
    const answer = await cloudwatch.send(
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: from, EndTime: to, ScanBy: 'TimestampDescending', NextToken: nextToken }),
    );
    for (const result of answer.MetricDataResults ?? []) {
      if (!result.Id) continue;
      const seen = values.get(result.Id) ?? { values: [], timestamps: [] };
      seen.values.push(...(result.Values ?? []));
      seen.timestamps.push(...(result.Timestamps ?? []).map((time: Date) => new Date(time).getTime()));
      values.set(result.Id, seen);
    }
    nextToken = answer.NextToken;
  } while (nextToken);

  const series = (id: string) => values.get(id.toLowerCase())?.values ?? [];
  const sum = (id: string) => series(id).reduce((total, value) => total + value, 0);
  const max = (id: string): number | null => (series(id).length ? Math.max(...series(id)) : null);
  const latest = (id: string): number | null => {
    const found = values.get(id.toLowerCase());
    if (!found?.values.length) return null;
    const newest = found.timestamps.reduce((best, time, index) => (time > found.timestamps[best]! ? index : best), 0);
    return found.values[newest] ?? null;
  };
  const both = (name: string) => sum(`${name}_router`) + sum(`${name}_redeliver`);
  return {
    kind: 'stage',
    target,
    from: from.toISOString(),
    to: to.toISOString(),
    publish: {
      eventsPublished: sum('eventsPublished'),
      duplicatesAnswered: sum('duplicatesAnswered'),
      rejected: sum('rejected'),
      throttled: sum('throttled'),
      errors: sum('errors'),
      ...(output.apiId ? { apiRequests: sum('apiRequests'), api4xx: sum('api4xx'), api5xx: sum('api5xx') } : {}),
    },
    consumers: [{ name: 'router', iteratorAgeMs: max('iteratorAgeRouter') }],
    deliveries: {
      delivered: both('delivered'),
      failed: both('failed'),
      deferred: both('deferred'),
      heldBack: both('heldBack'),
      deadLettered: both('deadLettered'),
      // The window is one period, or two when CloudWatch splits it at a period boundary: the higher one then.
      latency: {
        router: { p50Ms: max('p50_router'), p99Ms: max('p99_router') },
        redeliver: { p50Ms: max('p50_redeliver'), p99Ms: max('p99_redeliver') },
      },
    },
    pendingDeliveries: latest('pending'),
    kmsRequests: sum('kms_0') + sum('kms_1') + sum('kms_2'),
    functions: (['ingest', 'router', 'redeliver'] as const).map((name) => ({
      name,
      invocations: sum(`invocations_${name}`),
      errors: sum(`fnErrors_${name}`),
      throttles: sum(`throttles_${name}`),
    })),
  };
}
