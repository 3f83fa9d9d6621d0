/** Events per `queryByType` page unless asked otherwise, and the most one page may hold. */
export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 1000;
/** DynamoDB's partition key limit; longer keys are hashed (see `itemKey`). */
export const MAX_KEY_BYTES = 2048;
/** Name of the event table's index by type and time (see tableSchemas.ts). */
export const BY_TYPE_INDEX = 'byType';
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
