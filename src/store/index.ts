export * from './constants';
export * from './errors';
export type * from './types';
export { itemKey } from './itemKey';
export { TypeCatalog, type CatalogedSource, type TypeCatalogOptions } from './TypeCatalog';
export { typeBucketKey } from './typeBucketKey';
export {
  DynamoDbEventStore,
  type EventItem,
  type EventStore,
  type DynamoDbEventStoreOptions,
  type KnownPosition,
  type StoreEntry,
  type StoreOutcome,
} from './EventStore';
export { attributeValueBytes, indexItemBytes, itemBytes, writeUnits } from './itemSize';
export { DELIVERY_TABLE_SCHEMA, EVENT_TABLE_SCHEMA, IDEMPOTENCY_TABLE_SCHEMA, WORKER_TABLE_SCHEMA, type IndexSchema, type TableSchema } from './tableSchemas';
export { trimEventsPerType, type TrimEventsPerTypeOptions, type TrimmedType } from './trimEventsPerType';
