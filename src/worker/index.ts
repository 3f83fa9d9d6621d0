/**
 * Workers: ordered processing of the event stream with exactly-once effects (DESIGN.md "Workers").
 * `ShardWorker` is the native Node consumer, writing completions in batches (`completionFlush`,
 * `completionRecords`); `EventIdempotency` is the per-event record it reads and writes (and the Lambda variant
 * runs each event under, claim and completion).
 */
export * from './errors';
export type * from './types';
export * from './EventIdempotency';
export { ShardWorker, type ShardWorkerOptions } from './ShardWorker';
export { ParkedLanes, type ParkedLanesOptions } from './ParkedLanes';
export { LeaseTable, SHARD_END, type Lease, type HeldLease, type LeaseTableOptions } from './LeaseTable';
export { parseStartPosition } from './startPosition';
export { padSequence, compareSequences } from './sequence';
export { shardWorkerFromEnvironment } from '../wiring/workerFromEnvironment';
export * from './lambda';
export { ConsumerRegistry, DEFAULT_MAX_WORKER_CONSUMERS, type ConsumerRegistryOptions, type RegisteredConsumer } from './ConsumerRegistry';
