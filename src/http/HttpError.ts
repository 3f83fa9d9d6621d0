import type { FieldError } from '../events/types';

/** The JSON error body every route answers with: `{"error":{"code","message","details"?}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: FieldError[] };
}

/**
 * An error with its HTTP mapping. Every 4xx/5xx the API returns is built from one of these, so the ingest
 * Lambda behind API Gateway and the local front answer in the same shape.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: FieldError[],
    /** Extra response headers, e.g. `Retry-After` on 429/503. */
    readonly headers: Record<string, string> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HttpError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}
