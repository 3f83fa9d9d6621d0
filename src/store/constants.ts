/** Events per `queryByType` page unless asked otherwise, and the most one page may hold. */
export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 1000;
/** DynamoDB's partition key limit; longer keys are hashed (see `itemKey`). */
export const MAX_KEY_BYTES = 2048;
/** Name of the event table's index by type and time (see tableSchemas.ts). */
export const BY_TYPE_INDEX = 'byType';
