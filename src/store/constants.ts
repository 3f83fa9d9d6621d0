/** Events per `queryEvents` page unless asked otherwise, and the most one page may hold. */
export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 1000;
/** DynamoDB's partition key limit; longer keys are hashed (see `itemKey`). */
export const MAX_KEY_BYTES = 2048;
/** DynamoDB's sort key limit (an index's too): longer types are stored but not indexed (found by id only). */
export const MAX_SORT_KEY_BYTES = 1024;
/** Name of the event table's index by type, bucket and arrival time (see tableSchemas.ts). */
export const BY_TYPE_BUCKET_INDEX = 'byTypeBucket';
/**
 * Index partitions per type. DynamoDB takes at most 1,000 writes/s into one partition key; an index partition
 * per type alone would cap one busy type at that. Spread over 4 buckets (by a hash of the event's key), one type
 * takes 4,000 events/s; a query reads the 4 partitions and merges them. Changing it re-buckets only new events:
 * older ones stay where they are, so a query must read every bucket ever used (keep it fixed).
 */
export const TYPE_BUCKETS = 4;
/** The index partitions of the type catalog (event partitions always end in `#<bucket>`, so never meet these). */
export const CATALOG_PARTITION = { types: '$types', sources: '$sources' } as const;
/**
 * How long a store instance trusts what it read of the catalog: a type first seen after that read shows in
 * pattern queries (`order.*`, `>`) of that instance up to this much later. Exact types never wait.
 */
export const CATALOG_CACHE_MS = 30_000;
/** Most types one query may expand to (4 index partitions each): a broader pattern is refused as too broad. */
export const MAX_QUERY_TYPES = 250;
/** Index queries of one page in flight at once. */
export const QUERY_CONCURRENCY = 16;
/** DynamoDB's largest item, 400 KB (the binary length of names and values, 1 KB = 1,024 bytes). */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;
/**
 * Room kept in an item for what the store or the ledger adds to the event's own bytes: keys, stream position,
 * storage time, the sealing fields (IV, tag, data key reference) and, in a delivery ledger item, the subscription,
 * lane, attempt record and the event's source, id and type in clear. An event's attributes take no more bytes in
 * an item than in its JSON (no quotes, no separators), and its data no more (sealed as it is, or deflated when
 * that is smaller).
 */
export const EVENT_ITEM_OVERHEAD_BYTES = 16 * 1024;
/** The largest `maxEventBytes` a stage may set: every accepted event fits the store's and the ledger's items. */
export const MAX_STORABLE_EVENT_BYTES = DYNAMODB_MAX_ITEM_BYTES - EVENT_ITEM_OVERHEAD_BYTES;
/**
 * The event items' DynamoDB TTL attribute (epoch seconds): an event expires `retentionDays` after it was stored.
 * Kept short (3 bytes of name, about 6 of value) since every byte of an event item counts toward its write units.
 * Data key items carry none: a key outlives the events sealed with it.
 */
export const EVENT_TTL_ATTRIBUTE = 'ttl';
