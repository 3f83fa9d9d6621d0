import type { FailureReason } from './types';

/** Base of every error from `src/delivery`; `reason` says how the engine should read it. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly reason: FailureReason,
    /** False when no retry can succeed as configured. */
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DeliveryError';
  }
}

/** `delivery.payload` is `encrypted` but the key is missing or unusable. Fix the configuration, then redrive. */
export class PayloadEncryptionError extends DeliveryError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'payload', false, options);
    this.name = 'PayloadEncryptionError';
  }
}

/** A webhook signing secret is not `whsec_` + base64 (or empty). */
export class WebhookSecretError extends DeliveryError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'secret', false, options);
    this.name = 'WebhookSecretError';
  }
}

/**
 * An HTTP exchange did not produce a response: refused address, invalid URL, timeout, connection error.
 * `reason` is one of `ssrf_refused`, `invalid_target`, `timeout`, `connection`.
 */
export class TransportError extends DeliveryError {
  constructor(message: string, reason: FailureReason, retryable: boolean, options?: ErrorOptions) {
    super(message, reason, retryable, options);
    this.name = 'TransportError';
  }
}

/** The OAuth token endpoint failed or answered nonsense. Never carries the client secret. */
export class TokenRequestError extends DeliveryError {
  constructor(
    message: string,
    retryable: boolean,
    /** The token endpoint's status, when it answered. */
    readonly status?: number,
    /** From the token endpoint's `Retry-After` on 429/503. */
    readonly retryAfterMs?: number,
    options?: ErrorOptions,
  ) {
    super(message, 'token', retryable, options);
    this.name = 'TokenRequestError';
  }
}
