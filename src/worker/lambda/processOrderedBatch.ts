import type { Context, KinesisStreamBatchItemFailure, KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { decodeKinesisRecord, type StreamedEvent } from '../../stream/decodeKinesisRecord';
import { UndecodableRecordError } from '../../stream/errors';
import { ENGINE_METRIC } from '../../engine/types';
import { WORKER_METRIC } from '../../observability/constants';
import { EventInProgressError } from '../errors';
import type { OrderedBatchOptions } from './types';

/** Never wait for another run's in-progress claim closer than this to the invocation's end. */
const TIME_MARGIN_MS = 2_000;

/** Lambda holds no lease: nothing to fence, the token stays 0 (see `LambdaWorkerContext`). */
export const NO_LEASE_FENCING_TOKEN = 0;

/**
 * Handles one Kinesis batch of a Lambda worker with exactly-once effects per event and stream order.
 *
 * Each event runs through the consumer's idempotency record (claim → function → complete), so an event that
 * completed in an earlier invocation of a retried batch is skipped, not handled again. Events run one at a
 * time in stream order (`order: 'shard'`), or one at a time per partition key with keys side by side
 * (`order: 'key'`). The first failure stops its lane: that event and every later one of the lane are reported
 * as `batchItemFailures`, so the event source mapping retries from there and no event overtakes an earlier
 * one of its key. A record that is not a CloudEvent can never succeed; it is logged and passed over.
 */
export async function processOrderedBatch(
  records: readonly KinesisStreamRecord[],
  options: OrderedBatchOptions,
): Promise<KinesisStreamBatchResponse> {
  const lanes = options.order === 'key' ? lanesByKey(records) : [records];
  const failures = new Set<string>();
  await runLimited(lanes, options.order === 'key' ? (options.maxConcurrentKeys ?? 16) : 1, async (lane) => {
    for (let index = 0; index < lane.length; index++) {
      if (!(await handleRecord(lane[index], options))) {
        for (const rest of lane.slice(index)) failures.add(rest.kinesis.sequenceNumber);
        return;
      }
    }
  });
  // In stream order, as Lambda reads them (it retries from the lowest sequence number reported).
  const batchItemFailures: KinesisStreamBatchItemFailure[] = records
    .filter((record) => failures.has(record.kinesis.sequenceNumber))
    .map((record) => ({ itemIdentifier: record.kinesis.sequenceNumber }));
  return { batchItemFailures };
}

/** Handles one record; false when it failed (it and the rest of its lane are to be retried). */
async function handleRecord(record: KinesisStreamRecord, options: OrderedBatchOptions): Promise<boolean> {
  const { idempotency, handle, log, metrics, lambdaContext } = options;
  let streamed: StreamedEvent;
  try {
    streamed = decodeKinesisRecord(record);
  } catch (error) {
    if (!(error instanceof UndecodableRecordError)) throw error;
    // Only a writer bypassing ingest can put such a record in the stream; retrying can never help.
    log?.error('record is not a CloudEvent; passed over', { sequence: error.sequence, reason: error.message });
    metrics?.addMetric(ENGINE_METRIC.undecodableRecord, 'Count', 1);
    return true;
  }
  const { event, sequence, shard, partitionKey, arrivedAt } = streamed;
  for (;;) {
    const deadline = abortBeforeTimeout(lambdaContext);
    try {
      const run = await idempotency.runOnce(event, ({ attempt }) =>
        handle(event, {
          consumer: idempotency.consumer,
          shardId: shard,
          sequenceNumber: sequence,
          partitionKey,
          arrivedAt,
          fencingToken: NO_LEASE_FENCING_TOKEN,
          attempt,
          signal: deadline.signal,
          lambdaContext,
        }),
      );
      metrics?.addMetric(run.duplicate ? WORKER_METRIC.duplicatesSkipped : WORKER_METRIC.eventsHandled, 'Count', 1);
      return true;
    } catch (error) {
      // Another run holds the event: usually this batch's previous invocation, which timed out mid-event and
      // whose mark has not expired yet. Wait for it when the invocation has the time, else retry later.
      if (error instanceof EventInProgressError && fitsInInvocation(error.retryAfterMs, options)) {
        await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
        continue;
      }
      metrics?.addMetric(WORKER_METRIC.handlerFailures, 'Count', 1);
      log?.error('event failed; it and the events after it will be retried', {
        consumer: idempotency.consumer,
        sequence,
        shard,
        eventId: event.id,
        eventSource: event.source,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      return false;
    } finally {
      deadline.clear();
    }
  }
}

/** A signal that aborts `TIME_MARGIN_MS` before the invocation times out (never outside Lambda). */
function abortBeforeTimeout(lambdaContext: Context | undefined): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const remaining = lambdaContext?.getRemainingTimeInMillis();
  if (remaining === undefined) return { signal: controller.signal, clear: () => undefined };
  const timer = setTimeout(() => controller.abort(new Error('the invocation is about to time out')), Math.max(0, remaining - TIME_MARGIN_MS));
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

function fitsInInvocation(waitMs: number, options: OrderedBatchOptions): boolean {
  const remaining = options.lambdaContext?.getRemainingTimeInMillis();
  return remaining !== undefined && waitMs + TIME_MARGIN_MS < remaining;
}

/** The batch's records grouped by partition key, each group in stream order. */
function lanesByKey(records: readonly KinesisStreamRecord[]): KinesisStreamRecord[][] {
  const lanes = new Map<string, KinesisStreamRecord[]>();
  for (const record of records) {
    const lane = lanes.get(record.kinesis.partitionKey);
    if (lane) lane.push(record);
    else lanes.set(record.kinesis.partitionKey, [record]);
  }
  return [...lanes.values()];
}

/** Runs `work` over `items` with at most `limit` at once. */
async function runLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(runners);
}
