import type { Clock } from '../../crypto';
import { webhookIdOf } from '../webhookIdOf';
import { ATTEMPTS_PK_PREFIX, attemptSk, attemptsPk, checkSubscriptionId } from './keys';
import type { ItemKey } from './LedgerStore';
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

  /**
   * Every logged attempt of one subscription's deliveries that ended at or after `since` (epoch ms), with its
   * event's source and id, oldest first: a Scan filtered on the subscription's `ATTEMPTS#` prefix, for the
   * operator console's last-hour figures (never a hot path). At most `limit` attempts, `more` when cut short.
   */
  async recentAttempts(subscriptionId: string, since: number, limit = 10_000): Promise<{ attempts: (DeliveryAttempt & { source: string; id: string })[]; more: boolean }> {
    checkSubscriptionId(subscriptionId);
    const found: (DeliveryAttempt & { source: string; id: string })[] = [];
    let startKey: ItemKey | undefined;
    do {
      const page = await this.store.listPage({ pkPrefix: `${ATTEMPTS_PK_PREFIX}${subscriptionId}#` }, 1000, startKey);
      for (const raw of page.items) {
        const item = raw as unknown as AttemptItem;
        if (item.at < since) continue;
        if (found.length === limit) return { attempts: found.sort((a, b) => a.at - b.at), more: true };
        found.push({ ...this.attemptOf(item), source: item.source, id: item.id });
      }
      startKey = page.lastKey;
    } while (startKey);
    return { attempts: found.sort((a, b) => a.at - b.at), more: false };
  }

  /** Every logged attempt of one delivery, oldest first: one (paged) consistent Query. */
  async attempts(subscriptionId: string, source: string, id: string): Promise<DeliveryAttempt[]> {
    const attempts: DeliveryAttempt[] = [];
    for await (const page of this.store.partitionPages(attemptsPk(subscriptionId, webhookIdOf(source, id)))) {
      for (const raw of page) {
        attempts.push(this.attemptOf(raw as unknown as AttemptItem));
      }
    }
    return attempts;
  }

  private attemptOf(item: AttemptItem): DeliveryAttempt {
    return withoutUndefined({
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
    });
  }
}
