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
