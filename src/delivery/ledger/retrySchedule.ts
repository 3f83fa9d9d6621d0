import { DEAD_REASON } from './types';

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
