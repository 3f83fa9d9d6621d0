/** How long a source + id pair is remembered by ingest dedupe. */
export const DEFAULT_DEDUPE_WINDOW_SECONDS = 24 * 60 * 60;
/** After this long an unfinished claim is presumed crashed and may be taken over, so no event is dropped. */
export const DEFAULT_IN_PROGRESS_TIMEOUT_SECONDS = 30;
/** Events per `queryByType` page unless asked otherwise, and the most one page may hold. */
export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 1000;
/** DynamoDB's partition key limit; longer keys are hashed (see `itemKey`). */
export const MAX_KEY_BYTES = 2048;
/** Name of the event table's index by type and time (see tableSchemas.ts). */
export const BY_TYPE_INDEX = 'byType';

/** States of an ingest dedupe record. */
export const DedupeStatus = {
  inProgress: 'in_progress',
  completed: 'completed',
} as const;
export type DedupeStatus = (typeof DedupeStatus)[keyof typeof DedupeStatus];
