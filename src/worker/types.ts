import type { CloudEventJson } from '../events/types';

/**
 * What a handler learns about the event it is given, besides the event. `sequenceNumber` and `fencingToken`
 * let it make its own writes conditional, which is what keeps effects single even when it is re-run after
 * a crash between its effects and the idempotency record's completion (see `EventIdempotency`).
 */
export interface HandlerContext {
  consumer: string;
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  /** When Kinesis accepted the record (ISO 8601). */
  arrivedAt: string;
  /**
   * The lease counter of (consumer, shard) under which the event runs: it grows every time the lease changes
   * owner, so a write conditional on `fencingToken >= stored` refuses a previous owner's late write.
   * Events released from a parked lane run under the lane's drain counter instead.
   */
  fencingToken: number;
  /** 1 on the first run of this event; counts failed runs and runs lost to crashes. */
  attempt: number;
  /** Aborted when the worker loses the lease or is stopped past its grace period: stop and throw. */
  signal: AbortSignal;
}

/** The user's code: resolves when the event's effects are done; a throw is retried, then parked. */
export type EventHandler = (event: CloudEventJson, context: HandlerContext) => Promise<void>;

/**
 * Where a consumer starts on a shard it has never checkpointed. Resolved once, when the consumer's first
 * leases are created, and stored with them, so a worker taking a lease over later starts at the same place
 * (`latest` becomes "at the time the consumer was created"). Shards created by a reshard always start at
 * their beginning, after their parents.
 */
export type StartPosition =
  | { type: 'trim-horizon' }
  | { type: 'latest' }
  | { type: 'at-timestamp'; timestamp: Date }
  /** At this record on the shard that holds it; the other shards start at that record's arrival time. */
  | { type: 'at-sequence'; sequenceNumber: string };

/** A parked event: its key is blocked until it is released (retried) or skipped. */
export interface ParkedEvent {
  consumer: string;
  partitionKey: string;
  shardId: string;
  sequenceNumber: string;
  /** Absent when the record was not a CloudEvent. */
  source?: string;
  id?: string;
  type?: string;
  /** `handler_failed` after maxAttempts; `undecodable` when the record is not a CloudEvent. */
  reason: 'handler_failed' | 'undecodable';
  attempts: number;
  lastError: string;
  parkedAt: string;
  /** Events of the key held behind it (the parked one included). */
  laneLength?: number;
  /** A pending `release` or `skip` request. */
  action?: 'release' | 'skip';
}

/** Counters a worker reports; `addMetric` matches Powertools Metrics (`metrics.addMetric(name, MetricUnit.Count, n)`). */
export interface WorkerMetrics {
  addMetric(name: string, unit: 'Count', value: number): void;
}

export type WorkerLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string, detail?: Record<string, unknown>) => void;

/**
 * When a `ShardWorker` writes the completions of the events its handler finished (idempotency records with
 * BatchWriteItem, or the shard's lease; see `CompletionRecords`), always before the checkpoint that passes
 * them. Until a completion is written, a crash makes the event's handler run again on the next
 * owner of the shard: at most `maxEvents` events per shard are ever handled and not yet recorded, so after a
 * SIGKILL at most `maxEvents` events per shard the process held run twice (`attempt` counts the crashed run
 * only when it had been recorded as started, so the re-run may say `attempt: 1`). Effects made conditional
 * on `padSequence(context.sequenceNumber)` or `fencingToken` stay single whatever the setting.
 *
 * - `maxEvents`: events whose handler ran and whose completion is not written yet, per shard (events in
 *   flight included, so with `concurrencyPerShard` above it, only `maxEvents` run at once). `1` writes each
 *   completion before the next event starts: one event re-runs after a crash, and every event costs a
 *   DynamoDB request.
 * - `maxMs`: a completion waits at most this long before it is written, so slow handlers also keep a short
 *   re-run window in time. A flush also happens at the end of every GetRecords batch, before its checkpoint.
 *
 * @default `{ maxEvents: 25, maxMs: 1000 }` with `completionRecords: 'event'`: each flush is one BatchWriteItem
 * request (DynamoDB takes 25 items a request), and the worker bench (`npm run bench -- --only worker`) measured
 * the same events/s as with 100 (3,733 vs 3,802; 3,191 with 10; ~1,000 with 1), for a re-run window four times
 * smaller. With `completionRecords: 'shard'`, `{ maxEvents: batchSize, maxMs: 1000 }`: there every flush is a
 * lease write and a pause of the shard, so one per GetRecords batch (13,301 events/s; 6,275 with 25). In both,
 * `maxMs` keeps slow handlers from holding more than about a second of handled events unwritten.
 */
export interface CompletionFlush {
  /** Events of a shard run and not yet recorded, at most (in flight included); an integer >= 1. */
  maxEvents: number;
  /** Longest wait of a completion before it is written, in ms (>= 0). */
  maxMs: number;
}

/**
 * What a `ShardWorker` remembers about the events it finished, so that it never hands them over again.
 *
 * - `event`: an idempotency record per (consumer, source, id), read for each batch with BatchGetItem and written
 *   with BatchWriteItem. A copy of an event published again (same source and id, a new stream record) is
 *   skipped too, for `idempotencyRetentionSeconds`. One item read and one item written per event.
 * - `shard`: the sequence numbers done above the checkpoint, kept on the shard's lease and written with it:
 *   exactly once per stream record across crashes, restarts, lease moves and reshards, with no DynamoDB item
 *   per event (one lease write per flush). A copy of an event published again is a new record: the handler
 *   gets it again (dedupe on `source` + `id` in its own writes if copies matter).
 *
 * Events that failed, were parked, or ran under a claim after a crash use idempotency records in both modes.
 */
export type CompletionRecords = 'event' | 'shard';
