import { finalFailureOf } from '../delivery/failurePolicy';
import type { DeliveryLedger } from '../delivery/ledger/DeliveryLedger';
import type { DeliveryRef, LastAttempt } from '../delivery/ledger/types';
import { OUTCOME, type DeliveryOutcome } from '../delivery/types';
import type { CloudEventJson } from '../events/types';
import type { DisabledSubscriptionsCache } from './DisabledSubscriptionsCache';
import { ENGINE_METRIC, type EngineLog } from './types';

/*
 * What a delivery's outcome means (retry, dead, disable; the retry schedule) is decided in
 * `src/delivery/failurePolicy.ts`. This file shapes the log lines of attempts and carries out a final failure.
 */

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
 * Carries out a failure that ends a delivery without a retry (`finalFailureOf` decides), the same from the engine
 * and the redeliverer: a 410 disables the subscription (in the ledger, and at once in this process) before the
 * delivery is dead-lettered; `ref` carries the attempts made, this one included, and `last` goes to the
 * delivery log as that attempt.
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
  const final = finalFailureOf(outcome)!;
  if (final.disableSubscription) {
    await ledger.disableSubscription(ref.subscriptionId, `${outcome.status} from the target: ${outcome.error}`);
    recorder.disabled.add(ref.subscriptionId);
    log.error('subscription disabled: the target answered 410 Gone; re-enable it to resume', fields);
    recorder.count(ENGINE_METRIC.subscriptionDisabled);
  }
  await ledger.deadLetter(ref, event, final.deadReason, last, { attempted: true });
  if (!final.disableSubscription) log.error('delivery dead-lettered: it cannot succeed as configured', fields);
  recorder.count(ENGINE_METRIC.deadLettered);
}
