import type { DeliveryRef, LastAttempt } from '../delivery/ledger/types';
import { OUTCOME, type DeliveryOutcome } from '../delivery/types';
import type { CloudEventJson } from '../events/types';

/** An outcome other than `delivered`. */
export type FailedOutcome = Exclude<DeliveryOutcome, { kind: typeof OUTCOME.delivered }>;

/** The failed attempt as the ledger keeps it (Retry-After passed along for the next attempt time). */
export function lastAttemptOf(outcome: FailedOutcome, at: number): LastAttempt & { retryAfterMs?: number } {
  return {
    at,
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    reason: outcome.reason,
    error: outcome.error,
    ...(outcome.kind === OUTCOME.retry && outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
  };
}

/** The fields every delivery log line carries: enough to find the event and the ledger item, never its data. */
export function deliveryFields(ref: DeliveryRef, event: Pick<CloudEventJson, 'id' | 'source' | 'type'>): Record<string, unknown> {
  return {
    subscriptionId: ref.subscriptionId,
    eventId: event.id,
    eventSource: event.source,
    eventType: event.type,
    lane: ref.lane,
    sequence: ref.sequence,
  };
}

/** What a failed outcome adds to a log line. */
export function outcomeFields(outcome: DeliveryOutcome): Record<string, unknown> {
  if (outcome.kind === OUTCOME.delivered) return { status: outcome.status, durationMs: outcome.durationMs };
  return {
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    reason: outcome.reason,
    error: outcome.error,
    durationMs: outcome.durationMs,
    ...(outcome.kind === OUTCOME.retry && outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
  };
}

/** `deliveryFields` and `outcomeFields` in one object: built for every attempt, so without intermediate copies. */
export function attemptFields(ref: DeliveryRef, event: Pick<CloudEventJson, 'id' | 'source' | 'type'>, outcome: DeliveryOutcome): Record<string, unknown> {
  const fields = deliveryFields(ref, event);
  if (outcome.kind === OUTCOME.delivered) {
    fields.status = outcome.status;
    fields.durationMs = outcome.durationMs;
    return fields;
  }
  return Object.assign(fields, outcomeFields(outcome));
}
