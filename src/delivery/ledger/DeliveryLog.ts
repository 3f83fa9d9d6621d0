import type { Clock } from '../../crypto';
import { webhookIdOf } from '../webhookIdOf';
import { RECENT_HOUR_MS, attemptSk, attemptTag, attemptsPk, checkSubscriptionId, dueAtKey, recentPk } from './keys';
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

/** The most hours `recentAttempts` reads back (one Query, or more when paged, per hour). */
export const MAX_RECENT_HOURS = 48;

/** A logged attempt with its event's source and id, as `recentAttempts` answers it. */
export type RecentAttempt = DeliveryAttempt & { source: string; id: string };

/**
 * The delivery log: every attempt of every delivery that failed at least once, as items of the delivery table
 * under pk `ATTEMPTS#<subscription>#<webhookIdOf(source, id)>`, sk the attempt's time, number and a tag — so one
 * delivery's history is one Query, and redrives of it add to the same history. Each attempt is written twice:
 * the same item again under pk `RECENT#<subscription>#<yyyy-mm-ddThh of its time>` (same sk), so one
 * subscription's recent attempts are a Query per hour instead of a Scan of the table.
 *
 * Only the failure path writes here: the router's first failed attempt, then each retry and its end (success
 * or death). A first-attempt success is NOT logged: it would add two writes to every delivery, doubling the bus's
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

  /**
   * Logs one attempt: two items of their own (nothing earlier in the log is touched), written by two PutItems
   * at once (the ledger's role has no BatchWriteItem). Both sort keys end in a tag derived from the delivery, so
   * writing the same attempt again replaces the two items rather than adding to them.
   */
  async record(ref: AttemptRef, attempt: LoggedAttempt): Promise<void> {
    const webhookId = webhookIdOf(ref.source, ref.id);
    const item: AttemptItem = {
      pk: attemptsPk(ref.subscriptionId, webhookId),
      sk: attemptSk(attempt.at, attempt.attempt, attemptTag(webhookId, ref.lane, ref.sequence)),
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
    await Promise.all([this.store.put(item), this.store.put({ ...item, pk: recentPk(ref.subscriptionId, attempt.at) })]);
  }

  /**
   * Every logged attempt of one subscription's deliveries that ended at or after `since` (epoch ms), with its
   * event's source and id, oldest first: a consistent Query of each hour's `RECENT#` partition from `since`'s hour
   * to now's (two for the operator console's last hour; at most {@link MAX_RECENT_HOURS}), from `since` on.
   * At most `limit` attempts (the oldest), `more` when cut short.
   *
   * Attempts logged by versions before the `RECENT#` copy have only their `ATTEMPTS#` item and are not counted
   * here (they still show in a delivery's history, `attempts`); after an upgrade the figures fill in as new
   * attempts are logged, and all such items have expired 30 days later.
   */
  async recentAttempts(subscriptionId: string, since: number, limit = 10_000): Promise<{ attempts: RecentAttempt[]; more: boolean }> {
    checkSubscriptionId(subscriptionId);
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    if (!Number.isSafeInteger(since) || since < 0) throw new RangeError(`since must be a non-negative integer epoch ms, got ${since}`);
    const firstHour = Math.floor(since / RECENT_HOUR_MS);
    const lastHour = Math.max(firstHour, Math.floor(this.clock() / RECENT_HOUR_MS));
    if (lastHour - firstHour + 1 > MAX_RECENT_HOURS) {
      throw new RangeError(`since must be within the last ${MAX_RECENT_HOURS} hours (it spans ${lastHour - firstHour + 1} hours), got ${new Date(since).toISOString()}`);
    }
    const skFrom = dueAtKey(since);
    const found: RecentAttempt[] = [];
    for (let hour = firstHour; hour <= lastHour; hour++) {
      const pk = recentPk(subscriptionId, hour * RECENT_HOUR_MS);
      let startKey: ItemKey | undefined;
      do {
        const page = await this.store.listPage({ pk, skFrom }, Math.min(1000, limit - found.length + 1), startKey);
        for (const raw of page.items) {
          const item = raw as unknown as AttemptItem;
          if (found.length === limit) return { attempts: found, more: true };
          found.push({ ...this.attemptOf(item), source: item.source, id: item.id });
        }
        startKey = page.lastKey;
      } while (startKey);
    }
    return { attempts: found, more: false };
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
