export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;
export const DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_BATCH_SIZE = 500;

/** Content types of `POST /events`. */
export const CONTENT_TYPE = {
  structured: 'application/cloudevents+json',
  batch: 'application/cloudevents-batch+json',
  json: 'application/json',
} as const;

/** Prefix of the HTTP headers that carry context attributes in binary mode (CloudEvents HTTP binding §3.1.3). */
export const BINARY_HEADER_PREFIX = 'ce-';

/** Kinesis accepts partition keys of 1..256 characters; longer keys are replaced by a hash of themselves. */
export const MAX_PARTITION_KEY_LENGTH = 256;

/** Longest extension attribute name the bus accepts (the CloudEvents spec's interoperability limit). */
export const MAX_EXTENSION_NAME_LENGTH = 20;

/** `code` of the error answer to each refusal of `POST /events` (the classes in `errors.ts`; mapped in `src/http/httpErrorOf.ts`). */
export const EVENT_ERROR_CODE = {
  invalidEvent: 'invalid_event',
  invalidJson: 'invalid_json',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
} as const;
