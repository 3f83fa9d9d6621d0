import fc from 'fast-check';
import { TokenRequestError, TransportError, WebhookSecretError } from '../../../src/delivery/errors';
import {
  classifyStatus,
  failureOutcome,
  finalFailureOf,
  lastAttemptOf,
  nextAttempt,
  RETRY_DELAYS_MS,
  RETRY_WINDOW_MS,
  retryDelayMs,
} from '../../../src/delivery/failurePolicy';

// The failure policy in one file: what an answer or an error means, what a failure leaves behind, when to retry.

describe('classifyStatus', () => {
  it('counts only 2xx as delivered', () => {
    for (const status of [200, 201, 202, 204, 299]) expect(classifyStatus(status, undefined, 5)).toEqual({ kind: 'delivered', status, durationMs: 5 });
  });

  it('disables on 410', () => {
    expect(classifyStatus(410, undefined, 1)).toMatchObject({ kind: 'disable', status: 410, reason: 'gone' });
  });

  it('retries 3xx as a redirect that is not followed', () => {
    for (const status of [301, 302, 303, 307, 308]) expect(classifyStatus(status, undefined, 1)).toMatchObject({ kind: 'retry', status, reason: 'redirect' });
  });

  it('honours Retry-After on 429 and 503 only', () => {
    expect(classifyStatus(429, '3', 1)).toMatchObject({ kind: 'retry', status: 429, reason: 'throttled', retryAfterMs: 3000 });
    expect(classifyStatus(503, '3', 1)).toMatchObject({ kind: 'retry', status: 503, retryAfterMs: 3000 });
    expect(classifyStatus(500, '3', 1)).not.toHaveProperty('retryAfterMs');
    expect(classifyStatus(429, undefined, 1)).not.toHaveProperty('retryAfterMs');
  });

  it('retries every other status', () => {
    for (const status of [100, 400, 401, 403, 404, 409, 422, 500, 502, 504]) {
      expect(classifyStatus(status, undefined, 1)).toMatchObject({ kind: 'retry', status, reason: 'http_status' });
    }
  });
});

describe('failureOutcome', () => {
  it('dead-letters a delivery error that no retry can mend, with its reason and no status', () => {
    expect(failureOutcome(new WebhookSecretError('no secret'), 3)).toEqual({ kind: 'deadLetter', reason: 'secret', error: 'no secret', durationMs: 3 });
  });

  it('retries a retryable delivery error, with the token endpoint\'s Retry-After when it gave one', () => {
    expect(failureOutcome(new TransportError('connect ECONNREFUSED', 'connection', true), 7)).toEqual({
      kind: 'retry',
      reason: 'connection',
      error: 'connect ECONNREFUSED',
      durationMs: 7,
    });
    expect(failureOutcome(new TokenRequestError('token endpoint answered 429', true, 429, 2_000), 1)).toMatchObject({ kind: 'retry', reason: 'token', retryAfterMs: 2_000 });
  });

  it('retries anything unexpected as internal, so a bug never loses an event', () => {
    expect(failureOutcome(new TypeError('x is undefined'), 0)).toMatchObject({ kind: 'retry', reason: 'internal', error: expect.stringContaining('x is undefined') });
  });
});

describe('lastAttemptOf and finalFailureOf', () => {
  it('keeps status, reason, error, Retry-After and the duration of a failed attempt', () => {
    expect(lastAttemptOf({ kind: 'retry', status: 429, reason: 'throttled', error: 'HTTP 429', retryAfterMs: 900, durationMs: 12 }, 1_000)).toEqual({
      at: 1_000,
      status: 429,
      reason: 'throttled',
      error: 'HTTP 429',
      retryAfterMs: 900,
      durationMs: 12,
    });
    expect(lastAttemptOf({ kind: 'deadLetter', reason: 'ssrf_refused', error: 'refused', durationMs: 0 }, 5)).toEqual({ at: 5, reason: 'ssrf_refused', error: 'refused', durationMs: 0 });
  });

  it('ends a delivery at once on 410 (disabling the subscription) and on a target that cannot work, never on a retryable failure', () => {
    expect(finalFailureOf({ kind: 'disable', status: 410, reason: 'gone', error: 'gone', durationMs: 1 })).toEqual({ deadReason: 'subscription_disabled', disableSubscription: true });
    expect(finalFailureOf({ kind: 'deadLetter', reason: 'invalid_target', error: 'bad url', durationMs: 1 })).toEqual({ deadReason: 'invalid_target', disableSubscription: false });
    expect(finalFailureOf({ kind: 'retry', status: 500, reason: 'http_status', error: 'HTTP 500', durationMs: 1 })).toBeUndefined();
  });
});
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const T0 = Date.UTC(2026, 0, 1);

describe('retry schedule', () => {
  it('waits 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h, 12 h, then 12 h again', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 50].map(retryDelayMs)).toEqual([
      5 * S, 30 * S, 2 * M, 10 * M, 30 * M, 1 * H, 3 * H, 6 * H, 12 * H, 12 * H, 12 * H, 12 * H,
    ]);
    expect(RETRY_DELAYS_MS).toHaveLength(9);
  });

  it('refuses attempt counts below 1 and maxAttempts below 1', () => {
    expect(() => retryDelayMs(0)).toThrow(RangeError);
    expect(() => nextAttempt({ attempts: 1, firstFailedAt: T0, now: T0, maxAttempts: 0 })).toThrow(RangeError);
  });

  it('retries after the first failure 5 s later, and reports dead at maxAttempts', () => {
    expect(nextAttempt({ attempts: 1, firstFailedAt: T0, now: T0, maxAttempts: 12 })).toEqual({ kind: 'retry', at: T0 + 5 * S });
    expect(nextAttempt({ attempts: 3, firstFailedAt: T0, now: T0 + 35 * S, maxAttempts: 3 })).toEqual({ kind: 'dead', reason: 'exhausted' });
    expect(nextAttempt({ attempts: 1, firstFailedAt: T0, now: T0, maxAttempts: 1 })).toEqual({ kind: 'dead', reason: 'exhausted' });
  });

  it('honours a Retry-After longer than the schedule and ignores a shorter one', () => {
    expect(nextAttempt({ attempts: 1, firstFailedAt: T0, now: T0, maxAttempts: 12, retryAfterMs: 90 * S })).toEqual({ kind: 'retry', at: T0 + 90 * S });
    expect(nextAttempt({ attempts: 4, firstFailedAt: T0, now: T0, maxAttempts: 12, retryAfterMs: 1 * S })).toEqual({ kind: 'retry', at: T0 + 10 * M });
  });

  it('is dead when the next attempt would fall past 24 h after the first failure', () => {
    // 22 h 42 min 35 s in, after the 10th attempt: +12 h is beyond the window.
    expect(nextAttempt({ attempts: 10, firstFailedAt: T0, now: T0 + 81_755 * S, maxAttempts: 12 })).toEqual({ kind: 'dead', reason: 'exhausted' });
    // Exactly at the window's end is still allowed.
    expect(nextAttempt({ attempts: 9, firstFailedAt: T0, now: T0 + 12 * H, maxAttempts: 12 })).toEqual({ kind: 'retry', at: T0 + RETRY_WINDOW_MS });
    expect(nextAttempt({ attempts: 1, firstFailedAt: T0, now: T0, maxAttempts: 12, retryAfterMs: 25 * H })).toEqual({ kind: 'dead', reason: 'exhausted' });
  });

  it('with the defaults, a delivery that always fails is attempted 10 times over 22 h 42 min 35 s', () => {
    const times = simulate({ maxAttempts: 12, retryAfters: [] });
    expect(times).toHaveLength(10);
    expect(times.at(-1)! - T0).toBe(81_755 * S);
  });

  const inputs = fc.record({
    attempts: fc.integer({ min: 1, max: 40 }),
    maxAttempts: fc.integer({ min: 1, max: 40 }),
    firstFailedAt: fc.integer({ min: 0, max: 2 ** 42 }),
    elapsed: fc.integer({ min: 0, max: RETRY_WINDOW_MS }),
    retryAfterMs: fc.option(fc.integer({ min: 0, max: 30 * H }), { nil: undefined }),
  });

  it('never schedules beyond 24 h after the first failure, never sooner than the schedule or Retry-After', () => {
    fc.assert(
      fc.property(inputs, ({ attempts, maxAttempts, firstFailedAt, elapsed, retryAfterMs }) => {
        const now = firstFailedAt + elapsed;
        const next = nextAttempt({ attempts, maxAttempts, firstFailedAt, now, retryAfterMs });
        if (attempts >= maxAttempts) return next.kind === 'dead';
        const earliest = now + Math.max(retryDelayMs(attempts), retryAfterMs ?? 0);
        if (earliest > firstFailedAt + RETRY_WINDOW_MS) return next.kind === 'dead';
        return next.kind === 'retry' && next.at === earliest && next.at <= firstFailedAt + RETRY_WINDOW_MS && next.at > now;
      }),
    );
  });

  it('is monotonic: one more attempt never waits less, and once dead stays dead', () => {
    fc.assert(
      fc.property(inputs, ({ attempts, maxAttempts, firstFailedAt, elapsed, retryAfterMs }) => {
        const now = firstFailedAt + elapsed;
        const a = nextAttempt({ attempts, maxAttempts, firstFailedAt, now, retryAfterMs });
        const b = nextAttempt({ attempts: attempts + 1, maxAttempts, firstFailedAt, now, retryAfterMs });
        if (a.kind === 'dead') return b.kind === 'dead';
        return b.kind === 'dead' || b.at >= a.at;
      }),
    );
    fc.assert(fc.property(fc.integer({ min: 1, max: 100 }), (n) => retryDelayMs(n + 1) >= retryDelayMs(n)));
  });

  it('bounds attempts: an always-failing delivery ends dead within maxAttempts and 24 h, attempt times strictly increasing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.option(fc.integer({ min: 0, max: 8 * H }), { nil: undefined }), { maxLength: 30 }),
        (maxAttempts, retryAfters) => {
          const times = simulate({ maxAttempts, retryAfters });
          expect(times.length).toBeGreaterThanOrEqual(1);
          expect(times.length).toBeLessThanOrEqual(maxAttempts);
          expect(times.at(-1)!).toBeLessThanOrEqual(T0 + RETRY_WINDOW_MS);
          times.slice(1).forEach((time, index) => expect(time).toBeGreaterThan(times[index]!));
        },
      ),
    );
  });
});

/** Attempt times of a delivery failing at every attempt, the first at T0, until the schedule says dead. */
function simulate({ maxAttempts, retryAfters }: { maxAttempts: number; retryAfters: (number | undefined)[] }): number[] {
  const times = [T0];
  for (;;) {
    const next = nextAttempt({ attempts: times.length, firstFailedAt: T0, now: times.at(-1)!, maxAttempts, retryAfterMs: retryAfters[times.length - 1] });
    if (next.kind === 'dead') return times;
    times.push(next.at);
    if (times.length > 1000) throw new Error('schedule never ended');
  }
}
