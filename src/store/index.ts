export * from './constants';
export * from './errors';
export type * from './types';
export { itemKey } from './itemKey';
export { DynamoDbEventStore, type EventStore, type DynamoDbEventStoreOptions } from './EventStore';
export { IngestDedupe, type IngestDedupeOptions } from './IngestDedupe';
export { DELIVERY_TABLE_SCHEMA, EVENT_TABLE_SCHEMA, IDEMPOTENCY_TABLE_SCHEMA, WORKER_TABLE_SCHEMA, type TableSchema } from './tableSchemas';
