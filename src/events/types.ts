/**
 * A CloudEvent 1.0 in its JSON form (structured mode): the shape the bus stores, streams and delivers.
 * Extension attributes sit beside the context attributes, as the JSON event format requires.
 */
export interface CloudEventJson {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  /** JSON data, or a string for non-JSON text data. */
  data?: unknown;
  /** Binary data, base64-encoded (mutually exclusive with `data`). */
  data_base64?: string;
  /** Extension attributes, e.g. `partitionkey`. */
  [extension: string]: unknown;
}

/** One validation failure: which event of the request (0 for a single event), which field, what rule. */
export interface FieldError {
  index: number;
  field: string;
  message: string;
}

/** Limits applied while parsing a request; defaults in `constants.ts`. */
export interface EventLimits {
  /** Largest event, measured as its serialized JSON in bytes. @default 262144 (256 KiB) */
  maxEventBytes?: number;
  /** Largest request body in bytes. @default 4194304 (4 MiB) */
  maxRequestBytes?: number;
  /** Most events in one batch request. @default 500 */
  maxBatchSize?: number;
}
