import type { ConfigError } from './types';

/** Base class of the errors raised while loading subscriptions.json or resolving its secrets. */
export class SubscriptionsConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SubscriptionsConfigError';
  }
}

/**
 * No valid subscriptions.json was ever loaded and the latest version is invalid; `errors` lists every
 * problem with its path.
 */
export class InvalidSubscriptionsError extends SubscriptionsConfigError {
  readonly errors: readonly ConfigError[];
  /** ETag of the refused S3 object, when it came from S3. */
  readonly etag?: string;

  constructor(errors: readonly ConfigError[], etag?: string, options?: ErrorOptions) {
    const shown = errors
      .slice(0, 5)
      .map((error) => `${error.path || '(root)'}: ${error.message}`)
      .join('; ');
    const more = errors.length > 5 ? ` (and ${errors.length - 5} more)` : '';
    super(`invalid subscriptions.json: ${shown}${more}`, options);
    this.name = 'InvalidSubscriptionsError';
    this.errors = errors;
    this.etag = etag;
  }
}

/** No valid subscriptions.json was ever loaded because it could not be read (missing object, S3 failure). */
export class SubscriptionsUnavailableError extends SubscriptionsConfigError {
  readonly bucket: string;
  readonly key: string;

  constructor(bucket: string, key: string, reason: string, options?: ErrorOptions) {
    super(`subscriptions s3://${bucket}/${key} could not be loaded: ${reason}`, options);
    this.name = 'SubscriptionsUnavailableError';
    this.bucket = bucket;
    this.key = key;
  }
}

/**
 * A secret reference could not be resolved. `reference` describes the reference (never the value);
 * `cause` is the AWS error when there is one.
 */
export class SecretResolutionError extends SubscriptionsConfigError {
  readonly reference: string;

  constructor(reference: string, reason: string, options?: ErrorOptions) {
    super(`secret ${reference} could not be resolved: ${reason}`, options);
    this.name = 'SecretResolutionError';
    this.reference = reference;
  }
}
