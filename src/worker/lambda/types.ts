import type { Context } from 'aws-lambda';
import type { CloudEventJson } from '../../events/types';
import type { EngineMetrics } from '../../engine/types';
import type { LogSink } from '../../wiring/types';
import type { EventIdempotency } from '../EventIdempotency';
import type { HandlerContext } from '../types';

/**
 * What a Lambda worker's function learns about its event: the same as a `ShardWorker` handler's, so one module
 * can run under both. Lambda has no leases (the event source mapping runs one batch per shard at a time, per
 * key with a parallelization factor above 1), so there is no previous owner to fence out: `fencingToken` is
 * always 0, and conditional writes use `sequenceNumber` (see `padSequence`). `signal` aborts shortly before
 * the invocation would time out.
 */
export interface LambdaWorkerContext extends HandlerContext {
  /** The Lambda invocation's context (remaining time, request id); absent outside Lambda. */
  lambdaContext?: Context;
}

/**
 * The user's function: handles one CloudEvent. Resolving marks the event completed for this consumer (it is
 * never handed over again); throwing makes the event source mapping retry it, with every later event of the
 * batch (of its key, with `order: 'key'`). A `ShardWorker` `EventHandler` fits.
 */
export type LambdaWorkerFunction = (event: CloudEventJson, context: LambdaWorkerContext) => Promise<void>;

/** In what order the events of one batch are handled. */
export const WorkerBatchOrder = {
  /** One at a time in stream order: every event of a shard after the one before it. */
  shard: 'shard',
  /** One at a time per partition key, keys concurrently: order kept per key only. */
  key: 'key',
} as const;
export type WorkerBatchOrder = (typeof WorkerBatchOrder)[keyof typeof WorkerBatchOrder];

/** Options of `processOrderedBatch`. */
export interface OrderedBatchOptions {
  /** The consumer's idempotency records. */
  idempotency: EventIdempotency;
  /** The user's function. */
  handle: LambdaWorkerFunction;
  /** @default 'shard' */
  order?: WorkerBatchOrder;
  /** With `order: 'key'`, at most this many keys are handled at once. @default 16 */
  maxConcurrentKeys?: number;
  /** Where failures and skipped records are reported (Powertools Logger in Lambda). @default none */
  log?: LogSink;
  /** Counts `EventsHandled`, `DuplicatesSkipped`, `HandlerFailures`, `UndecodableRecord` (Powertools Metrics in Lambda). @default none */
  metrics?: EngineMetrics;
  /** Passed on to the function. */
  lambdaContext?: Context;
}

/** Options of `orderedWorkerHandler`. */
export interface OrderedWorkerHandlerOptions {
  /** @default 'shard' */
  order?: WorkerBatchOrder;
  /** @default 16 */
  maxConcurrentKeys?: number;
  /**
   * The idempotency records to use; tests and the local bus pass their own.
   * @default built from `WORKER_CONSUMER_NAME`, `IDEMPOTENCY_TABLE_NAME` and `WORKER_IN_PROGRESS_TIMEOUT_MS` on first use
   */
  idempotency?: EventIdempotency;
  /** @default a Powertools Logger named after `POWERTOOLS_SERVICE_NAME` (each line about an event has its id as `correlation_id`) */
  log?: LogSink;
  /** @default Powertools Metrics in `POWERTOOLS_METRICS_NAMESPACE` (the stage's, set by `StageObservability.addWorker`), flushed after each batch */
  metrics?: EngineMetrics;
  /** Environment to read the settings from. @default process.env */
  env?: NodeJS.ProcessEnv;
}
