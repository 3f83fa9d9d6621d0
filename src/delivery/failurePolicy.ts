import { describeStatus } from './describeStatus';
import { errorMessage } from './errorMessage';
import { DeliveryError, TokenRequestError } from './errors';
import { DEAD_REASON, type DeadReason, type FailedAttempt } from './ledger/types';
import { parseRetryAfter } from './parseRetryAfter';
import { FAILURE_REASON, OUTCOME, type DeliveryOutcome } from './types';

/**
 * The failure policy of deliveries, in one place: what an answer or an error means (`classifyStatus`,
 * `failureOutcome`), what a failed attempt leaves in the ledger (`lastAttemptOf`), which failures end a
 * delivery at once (`finalFailureOf`), and when a retryable one is tried again (`nextAttempt`).
 */

// ── What an attempt's result means ─────────────────────────────────────────────────────────────────────────

/**
 * The outcome of an HTTP answer (DESIGN "Delivery"): only 2xx is success; 410 disables the subscription;
 * 429 and 503 are retried after `Retry-After` when given; 3xx (never followed) and every other status
 * are retried on the schedule.
 */
export function classifyStatus(status: number, retryAfter: string | undefined, durationMs: number, now: number = Date.now()): DeliveryOutcome {
  if (status >= 200 && status < 300) return { kind: OUTCOME.delivered, status, durationMs };
  if (status === 410) {
    return { kind: OUTCOME.disable, status, reason: FAILURE_REASON.gone, error: 'receiver answered 410 Gone: disable the subscription', durationMs };
  }
  if (status === 429 || status === 503) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return {
      kind: OUTCOME.retry,
      status,
      reason: FAILURE_REASON.throttled,
      error: `receiver answered ${describeStatus(status)}${retryAfterMs !== undefined ? `, retry after ${retryAfterMs} ms` : ''}`,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      durationMs,
    };
  }
  if (status >= 300 && status < 400) {
    return { kind: OUTCOME.retry, status, reason: FAILURE_REASON.redirect, error: `receiver answered ${describeStatus(status)}; redirects are not followed`, durationMs };
  }
  return { kind: OUTCOME.retry, status, reason: FAILURE_REASON.httpStatus, error: `receiver answered ${describeStatus(status)}`, durationMs };
}

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

// ── What a failure leaves behind ───────────────────────────────────────────────────────────────────────────

/** An outcome other than `delivered`. */
export type FailedOutcome = Exclude<DeliveryOutcome, { kind: typeof OUTCOME.delivered }>;

/** The failed attempt as the ledger keeps it; Retry-After passed along for the next attempt time, the duration for the delivery log. */
export function lastAttemptOf(outcome: FailedOutcome, at: number): FailedAttempt {
  return {
    at,
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    reason: outcome.reason,
    error: outcome.error,
    ...(outcome.kind === OUTCOME.retry && outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
    durationMs: outcome.durationMs,
  };
}

/** How a failure that no retry can mend ends a delivery: the reason it is dead with, and whether its subscription is disabled. */
export interface FinalFailure {
  deadReason: DeadReason;
  disableSubscription: boolean;
}

/**
 * The outcomes that end a delivery without a retry, the same from the engine and the redeliverer: a 410
 * disables the subscription and the delivery is dead with `subscription_disabled`; a delivery that cannot
 * succeed as configured is dead with its own reason. Undefined for a retryable failure.
 */
export function finalFailureOf(outcome: FailedOutcome): FinalFailure | undefined {
  switch (outcome.kind) {
    case OUTCOME.disable:
      return { deadReason: DEAD_REASON.subscriptionDisabled, disableSubscription: true };
    case OUTCOME.deadLetter:
      return { deadReason: outcome.reason, disableSubscription: false };
    default:
      return undefined;
  }
}

// ── When to try again ──────────────────────────────────────────────────────────────────────────────────────

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Wait after the 1st, 2nd, … failed attempt; past the end the last delay repeats. Short first steps ride out
 * a blip, the long tail spans an outage of several hours within the 24 h window.
 */
export const RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  5 * SECOND,
  30 * SECOND,
  2 * MINUTE,
  10 * MINUTE,
  30 * MINUTE,
  1 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
]);

/** A delivery is dead once its next attempt would fall later than this after its first failure. */
export const RETRY_WINDOW_MS = 24 * HOUR;

/** The schedule's wait after `attempts` failed attempts (1 = the first failure). */
export function retryDelayMs(attempts: number): number {
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be an integer >= 1, got ${attempts}`);
  return RETRY_DELAYS_MS[Math.min(attempts, RETRY_DELAYS_MS.length) - 1]!;
}

export interface NextAttemptInput {
  /** Attempts made so far, the one that just failed included (>= 1). */
  attempts: number;
  /** Epoch ms of the first failed attempt. */
  firstFailedAt: number;
  /** Epoch ms now (the failure just observed). */
  now: number;
  /** The subscription's `delivery.maxAttempts` (>= 1). */
  maxAttempts: number;
  /** From `Retry-After` (429/503): the next attempt is never sooner than this. */
  retryAfterMs?: number;
}

export type NextAttempt = { kind: 'retry'; at: number } | { kind: 'dead'; reason: typeof DEAD_REASON.exhausted };

/**
 * When to try a failed delivery again, or that it is dead: `now` + max(schedule, Retry-After), unless
 * `maxAttempts` attempts were made or that time would fall past `firstFailedAt` + 24 h.
 */
export function nextAttempt(input: NextAttemptInput): NextAttempt {
  const { attempts, firstFailedAt, now, maxAttempts, retryAfterMs } = input;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be an integer >= 1, got ${maxAttempts}`);
  if (attempts >= maxAttempts) return { kind: 'dead', reason: DEAD_REASON.exhausted };
  const wait = Math.max(retryDelayMs(attempts), retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : 0);
  const at = now + wait;
  if (at > firstFailedAt + RETRY_WINDOW_MS) return { kind: 'dead', reason: DEAD_REASON.exhausted };
  return { kind: 'retry', at };
}
