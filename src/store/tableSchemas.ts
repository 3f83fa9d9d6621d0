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
