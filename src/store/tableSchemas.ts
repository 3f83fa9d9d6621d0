/**
 * Key schemas of the bus's DynamoDB tables, shared by the CDK constructs (lib/) and the local bus's
 * provisioning (local/), so the emulator tables and the deployed ones cannot drift apart.
 * Every attribute named here is a string.
 */
export interface TableSchema {
  partitionKey: string;
  sortKey?: string;
  indexes: Record<string, { partitionKey: string; sortKey?: string }>;
}

/** The event store: one item per event, keyed by source + id; `byType` serves queries by type and time. */
export const EVENT_TABLE_SCHEMA: TableSchema = {
  partitionKey: 'pk',
  indexes: { byType: { partitionKey: 'type', sortKey: 'timeKey' } },
};

/** Idempotency records: ingest dedupe on source + id (and, later, worker records per consumer). */
export const IDEMPOTENCY_TABLE_SCHEMA: TableSchema = {
  partitionKey: 'pk',
  indexes: {},
};

/**
 * The delivery ledger (see `src/delivery/ledger`): lanes of failed or held-back deliveries, dead letters and
 * disabled subscriptions, all in one table. `due` is sparse: only a lane's head awaiting its next attempt
 * carries `dueBucket` (one of a few fixed values, spreading the sweep) and `dueAt` (zero-padded epoch ms).
 */
export const DELIVERY_TABLE_SCHEMA: TableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: { due: { partitionKey: 'dueBucket', sortKey: 'dueAt' } },
};

/** Worker leases and checkpoints (see `src/worker`): one item per (consumer, shard) lease. */
export const WORKER_TABLE_SCHEMA: TableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: {},
};
