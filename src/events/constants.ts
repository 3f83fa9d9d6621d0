export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;
export const DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_BATCH_SIZE = 500;

/** Content types of `POST /events`. */
export const CONTENT_TYPE = {
  structured: 'application/cloudevents+json',
  batch: 'application/cloudevents-batch+json',
  json: 'application/json',
} as const;
