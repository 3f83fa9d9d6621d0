import { CLOUDWATCH_FREE_TIER, HOURS_PER_MONTH, PRICES, SECONDS_PER_MONTH, type Prices } from './prices';
import type { CfnTemplate } from './synthStageTemplate';

/** What a line of the idle bill is for: the per-rate model recomputes the `stream`, `consumer` and `table` lines. */
export type IdleKind = 'stream' | 'consumer' | 'table' | 'key' | 'secret' | 'alarm' | 'dashboard' | 'schedule' | 'metric';

/** One line of a stage's bill at zero traffic. */
export interface IdleLine {
  readonly kind: IdleKind;
  /** The template's logical id (or what the line counts). */
  readonly resource: string;
  readonly what: string;
  readonly usdPerMonth: number;
}

/** A stage's bill at zero traffic. */
export interface IdleCost {
  readonly lines: readonly IdleLine[];
  /** List price: the sum of the lines. */
  readonly usdPerMonth: number;
  /** What CloudWatch's always-free tier (3 dashboards, 10 alarm metrics, 10 custom metrics per account) takes off for a stage alone in its account. */
  readonly cloudWatchFreeTierUsd: number;
}

/**
 * What one idle invocation of a scheduled function does (the redeliver function's idle path: the backlog count and
 * the `due` look, 8 due buckets each, and the replay jobs' query), stated because no template says it.
 */
export interface IdleInvocation {
  /** Billed duration of an invocation with nothing to do, ms (warm; a few DynamoDB queries in parallel). */
  readonly billedMs: number;
  /** DynamoDB read request units it uses (16 index queries at 0.5, one consistent query at 1). */
  readonly readUnits: number;
  /** Log bytes it writes (START, END and REPORT lines, one EMF metrics line). */
  readonly logBytes: number;
  /** Custom metrics it keeps alive (PendingDeliveries, published every minute). */
  readonly customMetrics: number;
}

export const IDLE_INVOCATION: IdleInvocation = { billedMs: 50, readUnits: 9, logBytes: 800, customMetrics: 1 };

/** Invocations a month of an EventBridge `rate(...)` schedule. */
export function invocationsPerMonth(scheduleExpression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(scheduleExpression);
  if (!match) throw new Error(`cannot price schedule ${JSON.stringify(scheduleExpression)}: only rate(<n> minute|hour|day[s]) is understood`);
  const seconds = Number(match[1]) * { minute: 60, hour: 3600, day: 86_400 }[match[2].replace(/s$/, '') as 'minute' | 'hour' | 'day'];
  return SECONDS_PER_MONTH / seconds;
}

type Resource = CfnTemplate['Resources'][string];

function resourcesOf(template: CfnTemplate, type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** Shards of a provisioned stream in the template (0 for on-demand). */
function shardsOf(stream: Resource): number {
  return stream.Properties?.StreamModeDetails?.StreamMode === 'ON_DEMAND' ? 0 : Number(stream.Properties?.ShardCount ?? 1);
}

/** The id of the resource an `Fn::GetAtt` / `Ref` points at. */
function referenced(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['Fn::GetAtt'])) return String(v['Fn::GetAtt'][0]);
  if (typeof v.Ref === 'string') return v.Ref;
  return undefined;
}

/** The hourly price of a table's provisioned capacity, indexes included (0 on demand). */
export function provisionedTableUsdPerHour(table: Resource, prices: Prices = PRICES): number {
  const units = [table.Properties?.ProvisionedThroughput, ...(table.Properties?.GlobalSecondaryIndexes ?? []).map((index: Resource['Properties']) => index?.ProvisionedThroughput)];
  if (table.Properties?.BillingMode === 'PAY_PER_REQUEST') return 0;
  return units
    .filter((u): u is { ReadCapacityUnits: number; WriteCapacityUnits: number } => u !== undefined)
    .reduce((sum, u) => sum + u.ReadCapacityUnits * prices.dynamodbRcuHour.usd + u.WriteCapacityUnits * prices.dynamodbWcuHour.usd, 0);
}

/**
 * A stage's bill at zero traffic, read from its synthesized template: stream shards (and retention beyond 24 h) or
 * the on-demand stream hour, enhanced fan-out consumers, provisioned table capacity, KMS keys, secrets, alarm
 * metrics, dashboards, and each scheduled invocation (Lambda request and billed duration at the target's memory,
 * its X-Ray trace, logs, DynamoDB reads, the custom metric it keeps alive). Storage of events kept from earlier
 * traffic is not idle cost (it is $0.25 a GB-month of the event store, plus point-in-time recovery's $0.20).
 */
export function idleCostOf(template: CfnTemplate, prices: Prices = PRICES, idle: IdleInvocation = IDLE_INVOCATION): IdleCost {
  const lines: IdleLine[] = [];
  const add = (kind: IdleKind, resource: string, what: string, usdPerMonth: number) => lines.push({ kind, resource, what, usdPerMonth });
  const streams = new Map<string, Resource>(resourcesOf(template, 'AWS::Kinesis::Stream'));

  for (const [id, stream] of streams) {
    const shards = shardsOf(stream);
    const retention = Number(stream.Properties?.RetentionPeriodHours ?? 24);
    if (shards === 0) {
      add('stream', id, 'on-demand stream hour', HOURS_PER_MONTH * prices.kinesisOnDemandStreamHour.usd);
      continue;
    }
    add('stream', id, `${shards} shard(s) × ${HOURS_PER_MONTH} h`, shards * HOURS_PER_MONTH * prices.kinesisShardHour.usd);
    if (retention > 24) {
      add('stream', id, `retention ${retention} h: extended retention on ${shards} shard(s)`, shards * HOURS_PER_MONTH * prices.kinesisExtendedRetentionShardHour.usd);
    }
  }
  for (const [id, consumer] of resourcesOf(template, 'AWS::Kinesis::StreamConsumer')) {
    const stream = streams.get(referenced(consumer.Properties?.StreamARN) ?? '');
    const shards = stream ? shardsOf(stream) : 1;
    // On an on-demand stream a consumer is paid per GB read only.
    if (shards > 0) add('consumer', id, `enhanced fan-out consumer × ${shards} shard(s)`, shards * HOURS_PER_MONTH * prices.kinesisEfoConsumerShardHour.usd);
  }
  for (const [id, table] of resourcesOf(template, 'AWS::DynamoDB::Table')) {
    const hourly = provisionedTableUsdPerHour(table, prices);
    if (hourly > 0) add('table', id, 'provisioned capacity (table and indexes)', hourly * HOURS_PER_MONTH);
  }
  for (const [id] of resourcesOf(template, 'AWS::KMS::Key')) add('key', id, 'customer-managed key', prices.kmsKeyMonth.usd);
  for (const [id] of resourcesOf(template, 'AWS::SecretsManager::Secret')) add('secret', id, 'secret', prices.secretMonth.usd);
  for (const [id, alarm] of resourcesOf(template, 'AWS::CloudWatch::Alarm')) {
    // A metric-math alarm is billed per metric it reads.
    const metrics = alarm.Properties?.Metrics ? (alarm.Properties.Metrics as Array<{ MetricStat?: unknown }>).filter((m) => m.MetricStat).length : 1;
    add('alarm', id, `alarm (${metrics} metric${metrics === 1 ? '' : 's'})`, metrics * prices.alarmMetricMonth.usd);
  }
  for (const [id] of resourcesOf(template, 'AWS::CloudWatch::Dashboard')) add('dashboard', id, 'dashboard', prices.dashboardMonth.usd);

  const functions = new Map(resourcesOf(template, 'AWS::Lambda::Function'));
  for (const [id, rule] of resourcesOf(template, 'AWS::Events::Rule')) {
    const schedule = rule.Properties?.ScheduleExpression as string | undefined;
    if (!schedule) continue;
    const invocations = invocationsPerMonth(schedule);
    for (const target of (rule.Properties?.Targets ?? []) as Array<{ Arn: unknown }>) {
      const fn = functions.get(referenced(target.Arn) ?? '');
      if (!fn) continue;
      const gb = Number(fn.Properties?.MemorySize ?? 128) / 1024;
      const lambda = invocations * (prices.lambdaRequest.usd + (idle.billedMs / 1000) * gb * prices.lambdaGbSecondArm.usd);
      // Active tracing samples the first request each second: every once-a-minute invocation is traced.
      const traced = fn.Properties?.TracingConfig?.Mode === 'Active' ? invocations * prices.xrayTraceRecorded.usd : 0;
      const logs = (invocations * idle.logBytes * prices.logsIngestedGb.usd) / 1024 ** 3;
      const reads = invocations * idle.readUnits * prices.dynamodbReadRequestUnit.usd;
      add('schedule', id, `${Math.round(invocations).toLocaleString('en-US')} idle invocations (${idle.billedMs} ms at ${gb} GB, traced, logged, ${idle.readUnits} read units each)`, lambda + traced + logs + reads);
      add('metric', id, `${idle.customMetrics} custom metric(s) published every run`, idle.customMetrics * prices.customMetricMonth.usd);
    }
  }

  const usdPerMonth = lines.reduce((sum, line) => sum + line.usdPerMonth, 0);
  return { lines, usdPerMonth, cloudWatchFreeTierUsd: cloudWatchFreeTier(lines, prices) };
}

/** What CloudWatch's always-free tier takes off these lines. */
function cloudWatchFreeTier(lines: readonly IdleLine[], prices: Prices): number {
  const sum = (kind: IdleKind) => lines.filter((line) => line.kind === kind).reduce((total, line) => total + line.usdPerMonth, 0);
  const alarmMetrics = Math.round(sum('alarm') / prices.alarmMetricMonth.usd);
  const dashboards = Math.round(sum('dashboard') / prices.dashboardMonth.usd);
  const metrics = Math.round(sum('metric') / prices.customMetricMonth.usd);
  return (
    Math.min(alarmMetrics, CLOUDWATCH_FREE_TIER.alarmMetrics) * prices.alarmMetricMonth.usd +
    Math.min(dashboards, CLOUDWATCH_FREE_TIER.dashboards) * prices.dashboardMonth.usd +
    Math.min(metrics, CLOUDWATCH_FREE_TIER.customMetrics) * prices.customMetricMonth.usd
  );
}
