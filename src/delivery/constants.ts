/** Per-attempt timeout when a subscription names none (DESIGN: `timeoutSeconds` defaults to 15). */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** Content type of a structured-mode delivery (DESIGN "Delivery"). */
export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json';

/** Standard Webhooks header names, lower-case as HTTP/2 and the verifier expect. */
export const WEBHOOK_HEADER = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** Sent on every webhook and token request, so receivers can tell the bus from other callers. */
export const DEFAULT_USER_AGENT = 'Switchyard-Webhooks/0.1';

/** Keep-alive sockets per origin; bounds what one slow receiver can hold. */
export const DEFAULT_MAX_SOCKETS_PER_HOST = 64;

/**
 * A response body is read and dropped so the socket can be reused; past this many bytes it is cheaper
 * to destroy the socket than to keep reading a receiver's essay.
 */
export const MAX_DRAINED_BODY_BYTES = 1024 * 1024;

/** Largest token-endpoint response read; real ones are a few KiB. */
export const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/** A cached OAuth token is renewed this long before its `expires_in` runs out (clock skew, request time). */
export const DEFAULT_TOKEN_SAFETY_MARGIN_MS = 30_000;

/** Lifetime assumed for a token whose response omits `expires_in` (RFC 6749 makes it optional). */
export const DEFAULT_TOKEN_LIFETIME_MS = 5 * 60_000;

/** Token requests get their own deadline: one request serves many deliveries with different timeouts. */
export const DEFAULT_TOKEN_TIMEOUT_MS = 10_000;

/** A receiver's `Retry-After` is honoured up to this (the whole retry schedule spans 24 h). */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60_000;

/** Delay suggested after a Lambda throttle that names none. */
export const DEFAULT_THROTTLE_RETRY_MS = 1_000;

/** Error text taken from a receiver or a function is cut to this length. */
export const MAX_ERROR_DETAIL_CHARS = 300;

/** `datacontenttype` of an encrypted payload, per format. */
export const ENCRYPTED_CONTENT_TYPE = {
  /** RFC 7516 §9 media type of a compact JWE. */
  jwe: 'application/jose',
  /** cryptr output is hex text. */
  cryptr: 'text/plain',
} as const;

/**
 * Extension attributes added to an encrypted event. Names stay within the CloudEvents 20-character
 * limit the bus itself enforces, so a delivered event could be published again unchanged.
 */
export const ENCRYPTION_EXTENSION = {
  /** The content type of the plaintext (the event's original `datacontenttype`). */
  plainContentType: 'plaincontenttype',
  /** `jwe` or `cryptr`. */
  format: 'dataencryption',
} as const;

/** Bytes of an A256GCM content-encryption key (`dir` uses the key as is). */
export const JWE_KEY_BYTES = 32;

/** `arn:aws:lambda:local:000000000000:function:NAME[:qualifier]` names a module of `local.functions`. */
export const LOCAL_LAMBDA_ARN = /^arn:aws:lambda:local:000000000000:function:([^:]+)(?::[^:]+)?$/;
