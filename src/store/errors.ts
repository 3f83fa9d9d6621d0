/** Base of every error from `src/store`. A stored event that fails to decrypt throws crypto's `DecryptionError`. */
export class StoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** A query argument that cannot be used: names the field and the value received. */
export class InvalidQueryError extends StoreError {
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'InvalidQueryError';
  }
}

/** An item in the table without the attributes this code writes (written by something else, or damaged). */
export class CorruptItemError extends StoreError {
  constructor(
    readonly tableName: string,
    readonly pk: string,
    message: string,
  ) {
    super(message);
    this.name = 'CorruptItemError';
  }
}

/**
 * Whether a DynamoDB error is a failed condition, by name rather than class: the class differs between
 * copies of the SDK in one bundle.
 */
export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

/**
 * A query error that says what to do when the event table lacks the `byTypeBucket` index (a table made before
 * it: DynamoDB adds one index per update, dynalite none); any other error is returned as it is.
 */
export function explainMissingIndex(tableName: string, indexName: string, error: unknown): unknown {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  if (name !== 'ValidationException' || !/specified index/i.test(message ?? '')) return error;
  return new StoreError(
    `event table ${tableName} has no ${indexName} index (it was made before queries by type bucket): add the index, or locally start with a fresh data dir (SWITCHYARD_DATA_DIR)`,
    { cause: error },
  );
}
