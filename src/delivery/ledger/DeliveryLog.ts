import type { Clock } from '../../crypto';
import { webhookIdOf } from '../webhookIdOf';
import { attemptSk, attemptsPk } from './keys';
import type { AttemptItem, LedgerStore } from './LedgerStore';
import type { DeliveryAttempt, DeliveryRef } from './types';
import { withoutUndefined } from './withoutUndefined';

/** How long logged attempts are kept before DynamoDB's TTL may remove them. */
export const DEFAULT_ATTEMPT_RETENTION_DAYS = 30;
const DAY_SECONDS = 24 * 3600;

/** What identifies the delivery an attempt belongs to: its place in the ledger and the event's source and id. */
export type AttemptRef = DeliveryRef & { source: string; id: string };

/** An attempt to log: everything but where the delivery was, which `AttemptRef` gives. */
export type LoggedAttempt = Omit<DeliveryAttempt, 'lane' | 'sequence'>;

/**
 * The delivery log: every attempt of every delivery that failed at least once, as items of the delivery table
 * under pk `ATTEMPTS#<subscription>#<webhookIdOf(source, id)>`, sk the attempt's time, number and a tag — so one
 * delivery's history is one Query, and redrives of it add to the same history.
 *
 * Only the failure path writes here: the router's first failed attempt, then each retry and its end (success
 * or death). A first-attempt success is NOT logged: it would add a write to every delivery, doubling the bus's
 * write cost per event for the common case; those successes are counted in metrics (`Delivered`) and logged.
 * Items carry `expiresAt` (epoch seconds) for a TTL on the table in AWS; dynalite ignores it.
 */
export class DeliveryLog {
  constructor(
    private readonly store: LedgerStore,
    private readonly clock: Clock,
    private readonly retentionDays = DEFAULT_ATTEMPT_RETENTION_DAYS,
  ) {
    if (!(retentionDays > 0)) throw new RangeError(`attemptRetentionDays must be > 0, got ${retentionDays}`);
  }

  /** Logs one attempt (an item of its own: nothing earlier in the log is touched). */
  async record(ref: AttemptRef, attempt: LoggedAttempt): Promise<void> {
    const item: AttemptItem = {
      pk: attemptsPk(ref.subscriptionId, webhookIdOf(ref.source, ref.id)),
      sk: attemptSk(attempt.at, attempt.attempt),
      subscriptionId: ref.subscriptionId,
      source: ref.source,
      id: ref.id,
      lane: ref.lane,
      sequence: ref.sequence,
      attempt: attempt.attempt,
      at: attempt.at,
      outcome: attempt.outcome,
      status: attempt.status,
      durationMs: attempt.durationMs,
      reason: attempt.reason,
      error: attempt.error,
      deadReason: attempt.deadReason,
      expiresAt: Math.floor(this.clock() / 1000) + this.retentionDays * DAY_SECONDS,
    };
    await this.store.put(item);
  }

  /** Every logged attempt of one delivery, oldest first: one (paged) consistent Query. */
  async attempts(subscriptionId: string, source: string, id: string): Promise<DeliveryAttempt[]> {
    const attempts: DeliveryAttempt[] = [];
    for await (const page of this.store.partitionPages(attemptsPk(subscriptionId, webhookIdOf(source, id)))) {
      for (const raw of page) {
        const item = raw as unknown as AttemptItem;
        attempts.push(
          withoutUndefined({
            at: item.at,
            attempt: item.attempt,
            outcome: item.outcome,
            status: item.status,
            durationMs: item.durationMs,
            reason: item.reason,
            error: item.error,
            deadReason: item.deadReason,
            lane: item.lane,
            sequence: item.sequence,
          }),
        );
      }
    }
    return attempts;
  }
}
