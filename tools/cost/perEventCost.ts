import type { CostOptions } from '../../lib/StageCostOptions';
import type { BenchInputs } from './benchInputs';
import type { IdleCost } from './idleCost';
import { GIB, HOURS_PER_MONTH, PRICES, SECONDS_PER_MONTH, type Prices } from './prices';

/**
 * What the model assumes beyond the prices and the bench: AWS round trips the emulators do not have, how producers
 * call, how much headroom capacity keeps. Stated so a reader can change them (tools/cost/main.ts prints them).
 */
export interface Assumptions {
  /** Events per ingest request (a producer publishing one event at a time: the API's worst case). */
  readonly eventsPerRequest: number;
  /** Ingest time per request beyond the per-event work: in-region round trips (duplicate check, PutRecords), ms. */
  readonly ingestRequestOverheadMs: number;
  /** Router time per invocation beyond the per-event work: the store's BatchGet and BatchWrite, a webhook round trip, ms. */
  readonly routerInvocationOverheadMs: number;
  /** Records a polled shard hands the router per invocation at most (the stage's batch size). */
  readonly routerBatchSize: number;
  /** Fraction of a shard's write limits (1,000 records and 1 MiB a second) used before another shard is added. */
  readonly shardUtilization: number;
  /** Fraction of provisioned table capacity used at the given rate (the rest is headroom). */
  readonly tableUtilization: number;
  /** Read units per event: the router's consistent BatchGetItem dedupe (one item of at most 4 KB). */
  readonly readUnitsPerEvent: number;
  /** Log bytes per Lambda invocation (START, END, REPORT, one EMF metrics line); the hot path logs nothing per event. */
  readonly logBytesPerInvocation: number;
  /** Access-log bytes per HTTP API request (one JSON line). */
  readonly accessLogBytesPerRequest: number;
  /** Bytes per webhook post beyond the event (headers, signature). */
  readonly webhookOverheadBytes: number;
}

export const ASSUMPTIONS: Assumptions = {
  eventsPerRequest: 1,
  ingestRequestOverheadMs: 20,
  routerInvocationOverheadMs: 30,
  routerBatchSize: 100,
  shardUtilization: 0.8,
  tableUtilization: 0.7,
  readUnitsPerEvent: 1,
  logBytesPerInvocation: 800,
  accessLogBytesPerRequest: 400,
  webhookOverheadBytes: 500,
};

/** The memory of the functions the traffic runs through, GB (from the template). */
export interface FunctionMemory {
  readonly ingestGb: number;
  readonly routerGb: number;
}

/** One line of a month's bill at a rate. */
export interface CostLine {
  readonly item: string;
  readonly usdPerMonth: number;
}

/** A month at `eventsPerSecond`, one webhook subscriber. */
export interface RateCost {
  readonly eventsPerSecond: number;
  readonly lines: readonly CostLine[];
  readonly usdPerMonth: number;
  readonly usdPerMillionEvents: number;
}

/** Shards a provisioned stream needs for `eventsPerSecond` of `eventBytes` (at least the configured count). */
export function shardsFor(eventsPerSecond: number, eventBytes: number, configured: number, utilization: number): number {
  const byRecords = Math.ceil(eventsPerSecond / (1000 * utilization));
  const byBytes = Math.ceil((eventsPerSecond * eventBytes) / (1024 * 1024 * utilization));
  return Math.max(configured, byRecords, byBytes, 1);
}

/** Traces recorded a second under X-Ray's default sampling (the first request each second, then 5%). */
export function tracesPerSecond(requestsPerSecond: number): number {
  return Math.min(requestsPerSecond, 1) + 0.05 * Math.max(0, requestsPerSecond - 1);
}

/**
 * Router invocations a second on one shard carrying `perShard` events a second. Polled: Lambda reads each shard
 * about once a second, up to a batch each time. Enhanced fan-out: records are pushed as they arrive, so the router
 * runs back to back, one invocation at a time per shard: as many as fit in the second, never more than the events.
 */
export function routerInvocationsPerShard(perShard: number, lowLatency: boolean, msPerEvent: number, overheadMs: number, batchSize: number): number {
  if (perShard <= 0) return 0;
  if (!lowLatency) return Math.min(perShard, Math.max(1, perShard / batchSize));
  const busyFraction = (perShard * msPerEvent) / 1000;
  const backToBack = Math.max(perShard / batchSize, (1 - busyFraction) / (overheadMs / 1000));
  return Math.min(perShard, backToBack);
}

/**
 * A month's bill for `eventsPerSecond` with one webhook subscriber (every event delivered once, no retries): the
 * stage's fixed costs (its idle bill, less the stream and table lines, which are recomputed for the rate) plus
 * the stream, Lambda (ingest and router, at the bench's ms per event plus the stated overheads), X-Ray, logs,
 * DynamoDB (write units per event from the store, one read unit for the dedupe), the HTTP API, KMS, and the
 * webhook posts' data transfer.
 */
export function rateCost(
  eventsPerSecond: number,
  options: CostOptions & { readonly shardCount: number; readonly retentionHours: number },
  idle: IdleCost,
  memory: FunctionMemory,
  bench: BenchInputs,
  assumptions: Assumptions = ASSUMPTIONS,
  prices: Prices = PRICES,
): RateCost {
  const a = assumptions;
  const events = eventsPerSecond * SECONDS_PER_MONTH;
  const gb = (bytes: number) => bytes / GIB;
  const lines: CostLine[] = [];
  const add = (item: string, usdPerMonth: number) => lines.push({ item, usdPerMonth });

  const fixed = idle.lines.filter((line) => line.kind !== 'stream' && line.kind !== 'consumer' && line.kind !== 'table');
  add('fixed: keys, secrets, alarms, dashboards, idle schedule (idle bill less stream and tables)', fixed.reduce((sum, line) => sum + line.usdPerMonth, 0));

  // The stream, and the router's enhanced fan-out consumer.
  const kib = Math.ceil(bench.eventBytes / 1024);
  let shards = 1;
  if (options.stream === 'onDemand') {
    add('Kinesis on-demand stream hours', HOURS_PER_MONTH * prices.kinesisOnDemandStreamHour.usd);
    add('Kinesis on-demand data in (1 KB units)', gb(events * kib * 1024) * prices.kinesisOnDemandInGb.usd);
    const out = options.lowLatency ? prices.kinesisOnDemandEfoOutGb : prices.kinesisOnDemandOutGb;
    add(`Kinesis on-demand data out (router${options.lowLatency ? ', enhanced fan-out' : ''})`, gb(events * kib * 1024) * out.usd);
    shards = Math.max(4, shardsFor(eventsPerSecond, bench.eventBytes, 1, 1));
  } else {
    shards = shardsFor(eventsPerSecond, bench.eventBytes, options.shardCount, a.shardUtilization);
    add(`Kinesis ${shards} shard(s)`, shards * HOURS_PER_MONTH * prices.kinesisShardHour.usd);
    if (options.retentionHours > 24) add('Kinesis extended retention', shards * HOURS_PER_MONTH * prices.kinesisExtendedRetentionShardHour.usd);
    add('Kinesis PUT payload units', events * Math.ceil(bench.eventBytes / (25 * 1024)) * prices.kinesisPutPayloadUnit.usd);
    if (options.lowLatency) {
      add('enhanced fan-out consumer-shard hours', shards * HOURS_PER_MONTH * prices.kinesisEfoConsumerShardHour.usd);
      add('enhanced fan-out data read', gb(events * bench.eventBytes) * prices.kinesisEfoRetrievalGb.usd);
    }
  }

  // Lambda: ingest per request, the router per invocation.
  const requestsPerSecond = eventsPerSecond / a.eventsPerRequest;
  const ingestMsPerSecond = requestsPerSecond * (a.ingestRequestOverheadMs + a.eventsPerRequest * bench.ingestMsPerEvent);
  const perShard = eventsPerSecond / shards;
  const invocationsPerSecond =
    shards * routerInvocationsPerShard(perShard, options.lowLatency, bench.routerMsPerEvent, a.routerInvocationOverheadMs, a.routerBatchSize);
  const routerMsPerSecond = invocationsPerSecond * a.routerInvocationOverheadMs + eventsPerSecond * bench.routerMsPerEvent;
  const lambdaUsd = (msPerSecond: number, memoryGb: number) => ((msPerSecond / 1000) * memoryGb * SECONDS_PER_MONTH) * prices.lambdaGbSecondArm.usd;
  add('Lambda ingest (duration)', lambdaUsd(ingestMsPerSecond, memory.ingestGb));
  add('Lambda router (duration)', lambdaUsd(routerMsPerSecond, memory.routerGb));
  add('Lambda requests (ingest and router)', (requestsPerSecond + invocationsPerSecond) * SECONDS_PER_MONTH * prices.lambdaRequest.usd);
  add('X-Ray traces (1 a second, then 5%)', (tracesPerSecond(requestsPerSecond) + tracesPerSecond(invocationsPerSecond)) * SECONDS_PER_MONTH * prices.xrayTraceRecorded.usd);
  const accessLogBytes = options.ingest === 'httpApi' ? requestsPerSecond * a.accessLogBytesPerRequest : 0;
  add('CloudWatch Logs ingested', gb(((requestsPerSecond + invocationsPerSecond) * a.logBytesPerInvocation + accessLogBytes) * SECONDS_PER_MONTH) * prices.logsIngestedGb.usd);

  // The front door.
  if (options.ingest === 'httpApi') add('HTTP API requests', requestsPerSecond * SECONDS_PER_MONTH * prices.httpApiRequest.usd);

  // DynamoDB: the event store's writes and the dedupe read.
  const writesPerSecond = eventsPerSecond * bench.writeUnitsPerEvent;
  const readsPerSecond = eventsPerSecond * a.readUnitsPerEvent;
  if (options.tables === 'onDemand') {
    add('DynamoDB write request units', events * bench.writeUnitsPerEvent * prices.dynamodbWriteRequestUnit.usd);
    add('DynamoDB read request units', events * a.readUnitsPerEvent * prices.dynamodbReadRequestUnit.usd);
  } else {
    // The configured capacity of every table and index, or what the event store needs at this rate if more.
    const configured = idle.lines.filter((line) => line.kind === 'table').reduce((sum, line) => sum + line.usdPerMonth, 0);
    const needed =
      (Math.ceil(writesPerSecond / a.tableUtilization) * prices.dynamodbWcuHour.usd + Math.ceil(readsPerSecond / a.tableUtilization) * prices.dynamodbRcuHour.usd) *
      HOURS_PER_MONTH;
    add('DynamoDB provisioned capacity', Math.max(configured, needed));
  }
  add('KMS requests (event store data keys)', events * bench.kmsCallsPerEvent * prices.kmsRequest.usd);
  add('data transfer out (webhook posts)', gb(events * (bench.eventBytes + a.webhookOverheadBytes)) * prices.dataTransferOutGb.usd);

  const usdPerMonth = lines.reduce((sum, line) => sum + line.usdPerMonth, 0);
  return { eventsPerSecond, lines, usdPerMonth, usdPerMillionEvents: usdPerMonth / (events / 1e6) };
}

/** EventBridge for the same traffic: each event published to a custom bus, then to one API destination. */
export function eventBridgeUsdPerMillion(prices: Prices = PRICES): number {
  return (prices.eventBridgeEvent.usd + prices.eventBridgeApiDestination.usd) * 1e6;
}
