/**
 * Key schemas of the bus's DynamoDB tables, shared by the CDK constructs (lib/) and the local bus's
 * provisioning (local/), so the emulator tables and the deployed ones cannot drift apart.
 * Every attribute named here is a string.
 */
export interface TableSchema {
  partitionKey: string;
  sortKey?: string;
  indexes: Record<string, IndexSchema>;
}

/** A global secondary index: its keys, and what it projects (`ALL` unless it says `KEYS_ONLY`). */
export interface IndexSchema {
  partitionKey: string;
  sortKey?: string;
  /** @default 'ALL' */
  projection?: 'ALL' | 'KEYS_ONLY';
}

/**
 * The event store: one item per event, keyed by source + id. `byTypeBucket` serves queries by type and arrival
 * time: partition `tb` = `<type>#<bucket>` (4 buckets per type by a hash of `pk`, so one busy type is not one hot
 * partition), sort key `timeKey` = `<arrival ISO>#<sequence>`. It projects only the keys (a query reads the page's
 * keys, then the items with one BatchGetItem), so an event's index item stays far under 1 KB: one write unit, not
 * a second copy of the sealed payload. The type catalog's items sit in it too, under the partitions `$types` and
 * `$sources` (see `TypeCatalog`).
 */
export const EVENT_TABLE_SCHEMA: TableSchema = {
  partitionKey: 'pk',
  indexes: { byTypeBucket: { partitionKey: 'tb', sortKey: 'timeKey', projection: 'KEYS_ONLY' } },
};

/** Idempotency records: worker completions per consumer, source and id (ingest no longer writes here). */
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
