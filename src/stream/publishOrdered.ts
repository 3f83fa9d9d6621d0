import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { PublishIncompleteError, type PublishedRecord } from './errors';

/** One record to publish: its bytes and the partition key that fixes its shard and its order. */
export interface OutgoingRecord {
  partitionKey: string;
  data: Uint8Array;
}

export interface PublishOrderedOptions {
  kinesis: KinesisClient;
  streamName: string;
  /** Rounds of PutRecords before giving up on records that keep failing. @default 6 */
  maxRounds?: number;
  /** First backoff between rounds that had failures, doubled each round (with jitter). @default 50 */
  baseBackoffMs?: number;
  /** Injected for tests. @default setTimeout-based sleep */
  sleep?: (ms: number) => Promise<void>;
}

/** Kinesis limits on one PutRecords call. */
const MAX_RECORDS_PER_CALL = 500;
const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;

const THROTTLE_CODES = new Set(['ProvisionedThroughputExceededException', 'KMSThrottlingException']);

/**
 * Publishes records to Kinesis so that two records of one partition key can never land out of order.
 *
 * PutRecords does not promise order inside one call, and a call can fail part of its records. So each round
 * sends at most ONE record per partition key — the oldest one of that key not yet landed — and a key's next
 * record goes out only in a later round, after the previous one has landed. A failed record stays at the
 * head of its key's queue and holds back only that key. Keys are independent, so a batch of distinct keys
 * still goes out in one call.
 *
 * Returns where each record landed, in input order; throws `PublishIncompleteError` (carrying what did land)
 * when some records still fail after `maxRounds`.
 */
export async function publishOrdered(records: readonly OutgoingRecord[], options: PublishOrderedOptions): Promise<PublishedRecord[]> {
  const { kinesis, streamName } = options;
  const maxRounds = options.maxRounds ?? 6;
  const baseBackoffMs = options.baseBackoffMs ?? 50;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  // Per key, the indexes of its records not yet landed, oldest first (Map keeps first-seen key order).
  const pending = new Map<string, number[]>();
  records.forEach((record, index) => {
    const queue = pending.get(record.partitionKey);
    if (queue) queue.push(index);
    else pending.set(record.partitionKey, [index]);
  });

  const landed = new Map<number, PublishedRecord>();
  let failedRounds = 0;
  let lastFailure: { code: string; message: string; throttled: boolean } | undefined;

  while (pending.size > 0) {
    const round = [...pending.values()].map((queue) => queue[0]);
    let failedInRound = 0;
    let throttledOnly = true;
    for (const call of splitIntoCalls(round, records)) {
      const entries: PutRecordsRequestEntry[] = call.map((index) => ({
        PartitionKey: records[index].partitionKey,
        Data: records[index].data,
      }));
      let results;
      try {
        const { PutRecordsCommand } = kinesisSdk();
        results = (await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: entries }))).Records ?? [];
      } catch (error) {
        // The whole call failed (after the SDK's own retries): nothing of it landed, every key waits.
        const code = (error as { name?: string }).name ?? 'Error';
        lastFailure = { code, message: (error as Error).message, throttled: THROTTLE_CODES.has(code) };
        failedInRound += call.length;
        throttledOnly &&= lastFailure.throttled;
        continue;
      }
      call.forEach((index, position) => {
        const result = results[position];
        if (result?.SequenceNumber && result.ShardId && !result.ErrorCode) {
          landed.set(index, { sequence: result.SequenceNumber, shard: result.ShardId });
          const queue = pending.get(records[index].partitionKey)!;
          queue.shift();
          if (queue.length === 0) pending.delete(records[index].partitionKey);
        } else {
          const code = result?.ErrorCode ?? 'MissingResult';
          lastFailure = { code, message: result?.ErrorMessage ?? 'no result for record', throttled: THROTTLE_CODES.has(code) };
          throttledOnly &&= lastFailure.throttled;
          failedInRound += 1;
        }
      });
    }
    if (failedInRound === 0) continue;
    failedRounds += 1;
    if (failedRounds >= maxRounds) {
      const remaining = [...pending.values()].reduce((sum, queue) => sum + queue.length, 0);
      throw new PublishIncompleteError(
        `${remaining} of ${records.length} records not accepted by stream ${streamName} after ${failedRounds} failed rounds (last: ${lastFailure?.code}: ${lastFailure?.message})`,
        landed,
        throttledOnly,
      );
    }
    const backoff = baseBackoffMs * 2 ** (failedRounds - 1);
    await sleep(backoff / 2 + Math.random() * (backoff / 2));
  }

  return records.map((_, index) => landed.get(index)!);
}

/** Splits one round into PutRecords calls within the per-call record and byte limits. */
function splitIntoCalls(round: number[], records: readonly OutgoingRecord[]): number[][] {
  const calls: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const index of round) {
    const size = records[index].data.byteLength + Buffer.byteLength(records[index].partitionKey);
    if (current.length === MAX_RECORDS_PER_CALL || (current.length > 0 && bytes + size > MAX_BYTES_PER_CALL)) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(index);
    bytes += size;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

/** The Kinesis SDK package, loaded when something is first published (the router never publishes). */
function kinesisSdk(): typeof import('@aws-sdk/client-kinesis') {
  return require('@aws-sdk/client-kinesis') as typeof import('@aws-sdk/client-kinesis');
}
