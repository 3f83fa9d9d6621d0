import type { SecretRef } from '../routing/subscriptionTypes';

/** Resolves a secret of subscriptions.json to its value (the loader's `SecretResolver`); values are never logged. */
export type ResolveSecret = (ref: SecretRef) => Promise<string>;

/** What the engine does with a delivery attempt. */
export const OUTCOME = {
  /** A 2xx, or a successful Lambda invoke. */
  delivered: 'delivered',
  /** Failed; try again on the schedule (or after `retryAfterMs`). */
  retry: 'retry',
  /** 410 Gone: disable the subscription until re-enabled. */
  disable: 'disable',
  /** Cannot succeed as configured (refused address, bad URL, unusable key): dead-letter now; redrive after a fix. */
  deadLetter: 'deadLetter',
} as const;
export type OutcomeKind = (typeof OUTCOME)[keyof typeof OUTCOME];

/** Why an attempt failed; for metrics and the ledger. */
export const FAILURE_REASON = {
  /** A non-2xx status other than 3xx/410/429/503. */
  httpStatus: 'http_status',
  /** 3xx: redirects are never followed. */
  redirect: 'redirect',
  /** 429 or 503. */
  throttled: 'throttled',
  /** 410. */
  gone: 'gone',
  /** 401 again after renewing the OAuth token. */
  unauthorized: 'unauthorized',
  timeout: 'timeout',
  /** Refused, reset, DNS failure, TLS failure. */
  connection: 'connection',
  /** The address is private, loopback, link-local or metadata, and private networks are not allowed. */
  ssrfRefused: 'ssrf_refused',
  /** Not an http(s) URL, plain http where https is required, an unusable header. */
  invalidTarget: 'invalid_target',
  /** The OAuth token could not be obtained. */
  token: 'token',
  /** A secret could not be resolved or is unusable. */
  secret: 'secret',
  /** The payload could not be shaped (encryption key missing or invalid). */
  payload: 'payload',
  /** The Lambda function returned an error (or a local module threw). */
  functionError: 'function_error',
  /** Lambda's Invoke API failed. */
  lambda: 'lambda',
  /** Anything unforeseen (a bug): retried, so no event is lost to it. */
  internal: 'internal',
} as const;
export type FailureReason = (typeof FAILURE_REASON)[keyof typeof FAILURE_REASON];

/** The result of one delivery attempt. Messages never contain a secret, a token or event data. */
export type DeliveryOutcome =
  | {
      kind: typeof OUTCOME.delivered;
      /** HTTP status, or the Lambda invoke status (202 for `Event`, 200 for `RequestResponse`). */
      status: number;
      durationMs: number;
    }
  | {
      kind: typeof OUTCOME.retry;
      status?: number;
      reason: FailureReason;
      error: string;
      /** From `Retry-After` (429/503 only) or a Lambda throttle; the engine waits at least this long. */
      retryAfterMs?: number;
      durationMs: number;
    }
  | { kind: typeof OUTCOME.disable; status: 410; reason: typeof FAILURE_REASON.gone; error: string; durationMs: number }
  | { kind: typeof OUTCOME.deadLetter; status?: number; reason: FailureReason; error: string; durationMs: number };

/** The Standard Webhooks headers; `webhook-signature` is absent on an OAuth webhook that has no secret. */
export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature'?: string;
}
