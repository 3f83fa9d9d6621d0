import type { DeliveryLedger } from '../delivery/ledger/DeliveryLedger';
import { DEAD_REASON, type DeliveryRef, type LastAttempt } from '../delivery/ledger/types';
import { OUTCOME, type DeliveryOutcome } from '../delivery/types';
import type { CloudEventJson } from '../events/types';
import type { DisabledSubscriptionsCache } from './DisabledSubscriptionsCache';
import { ENGINE_METRIC, type EngineLog } from './types';

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

/** What `recordFinalFailure` needs: the ledger, this process's disabled set, and where to report. */
export interface FinalFailureRecorder {
  ledger: Pick<DeliveryLedger, 'deadLetter' | 'disableSubscription'>;
  disabled: Pick<DisabledSubscriptionsCache, 'add'>;
  log: Pick<EngineLog, 'error'>;
  count(metric: string): void;
}

/**
 * The outcomes that end a delivery without a retry, the same from the engine and the redeliverer: a 410
 * disables the subscription (in the ledger, and at once in this process) and the delivery is dead with
 * `subscription_disabled`; a delivery that cannot succeed as configured is dead with its own reason.
 * `ref` carries the attempts made, this one included.
 */
export async function recordFinalFailure(
  recorder: FinalFailureRecorder,
  ref: DeliveryRef,
  event: CloudEventJson,
  outcome: Extract<DeliveryOutcome, { kind: typeof OUTCOME.disable | typeof OUTCOME.deadLetter }>,
  last: LastAttempt,
  fields: Record<string, unknown>,
): Promise<void> {
  const { ledger, log } = recorder;
  if (outcome.kind === OUTCOME.disable) {
    await ledger.disableSubscription(ref.subscriptionId, `${outcome.status} from the target: ${outcome.error}`);
    recorder.disabled.add(ref.subscriptionId);
    log.error('subscription disabled: the target answered 410 Gone; re-enable it to resume', fields);
    recorder.count(ENGINE_METRIC.subscriptionDisabled);
    await ledger.deadLetter(ref, event, DEAD_REASON.subscriptionDisabled, last);
  } else {
    await ledger.deadLetter(ref, event, outcome.reason, last);
    log.error('delivery dead-lettered: it cannot succeed as configured', fields);
  }
  recorder.count(ENGINE_METRIC.deadLettered);
}
