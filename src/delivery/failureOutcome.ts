import { errorMessage } from './errorMessage';
import { DeliveryError, TokenRequestError } from './errors';
import { FAILURE_REASON, OUTCOME, type DeliveryOutcome } from './types';

/**
 * The outcome of an attempt that threw: a `DeliveryError` says whether a retry can help; anything else is
 * unexpected and retried (reason `internal`), so a bug never loses an event. No `status` is set: that field
 * is the receiver's, and these failures happened before or beside it (a token endpoint's status is in the
 * message).
 */
export function failureOutcome(error: unknown, durationMs: number): DeliveryOutcome {
  const message = errorMessage(error);
  if (!(error instanceof DeliveryError)) {
    return { kind: OUTCOME.retry, reason: FAILURE_REASON.internal, error: message, durationMs };
  }
  if (!error.retryable) return { kind: OUTCOME.deadLetter, reason: error.reason, error: message, durationMs };
  const retryAfterMs = error instanceof TokenRequestError ? error.retryAfterMs : undefined;
  return { kind: OUTCOME.retry, reason: error.reason, error: message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), durationMs };
}
