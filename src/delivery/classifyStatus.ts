import { describeStatus } from './describeStatus';
import { parseRetryAfter } from './parseRetryAfter';
import { FAILURE_REASON, OUTCOME, type DeliveryOutcome } from './types';

/**
 * The outcome of an HTTP answer (DESIGN "Delivery"): only 2xx is success; 410 disables the subscription;
 * 429 and 503 are retried after `Retry-After` when given; 3xx (never followed) and every other status
 * are retried on the schedule.
 */
export function classifyStatus(
  status: number,
  retryAfter: string | undefined,
  durationMs: number,
  now: number = Date.now(),
): DeliveryOutcome {
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
