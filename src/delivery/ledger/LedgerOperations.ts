import type { Clock, EventKeys } from '../../crypto';
import { InvalidQueryError } from '../../store/errors';
import type { DeliveryLog } from './DeliveryLog';
import { checkSubscriptionId, DEAD_PK_PREFIX, deadPk, deadSk, LANE_PK_PREFIX, lanePk, sequenceSk, SUBSCRIPTIONS_PK } from './keys';
import type { LaneMachine } from './LaneMachine';
import { redriveLaneOf } from './laneOf';
import { decodeLedgerCursor, encodeLedgerCursor } from './ledgerCursor';
import { checkedItem, readableEntries, type OnUnreadable } from './ledgerEntries';
import type { DisabledItem, ItemKey, LedgerItem, LedgerStore, ListScope } from './LedgerStore';
import {
  ATTEMPT_OUTCOME,
  DEAD_REASON,
  type DeadReason,
  type DeliveryAttempt,
  type DeliveryHistory,
  type DeliveryListOptions,
  type DeliveryRef,
  type DisabledSubscription,
  type LedgerEntry,
  type LedgerPage,
  type ListOptions,
} from './types';

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** Which dead letters: those dead for a reason, and/or within a window of their death time (epoch ms). */
export interface DeadLetterFilter {
  reason?: DeadReason;
  /** Dead at or after. */
  since?: number;
  /** Dead before. */
  until?: number;
}

/** What {@link LedgerOperations} is built from. */
export interface LedgerOperationsParts {
  store: LedgerStore;
  keys: EventKeys;
  clock: Clock;
  lanes: LaneMachine;
  log: DeliveryLog;
  onUnreadable?: OnUnreadable;
}

/**
 * The delivery ledger for operators: listings of dead letters and pending deliveries, redrives, turning
 * subscriptions off and on, and one delivery's history from the delivery log. Never on a hot path: listings
 * across subscriptions may scan.
 */
export class LedgerOperations {
  constructor(private readonly parts: LedgerOperationsParts) {}

  /**
   * Dead letters, in key order within a subscription (lane, then sequence). With `subscriptionId`, one
   * Query; without, a Scan filtered on the `DEAD#` key prefix, which reads the whole table in the worst case
   * (acceptable for an operator's listing, not for a hot path).
   */
  async listDead(options: ListOptions = {}): Promise<LedgerPage> {
    return this.list(options.subscriptionId === undefined ? { pkPrefix: DEAD_PK_PREFIX } : { pk: deadPk(options.subscriptionId) }, options);
  }

  /**
   * Lane items, `pending` heads and `waiting` ones. A Scan filtered on the `LANE#` (or `LANE#<id>#`) prefix
   * either way: a subscription's lanes are separate partitions.
   */
  async listPending(options: ListOptions = {}): Promise<LedgerPage> {
    if (options.subscriptionId !== undefined) checkSubscriptionId(options.subscriptionId);
    return this.list({ pkPrefix: options.subscriptionId === undefined ? LANE_PK_PREFIX : `${LANE_PK_PREFIX}${options.subscriptionId}#` }, options);
  }

  /**
   * One subscription's deliveries in the ledger, filtered by state and time before anything is decrypted;
   * `more` says the limit cut the list short. Reads the subscription's dead letters (a Query) and lanes (a Scan).
   */
  async listDeliveries(subscriptionId: string, options: DeliveryListOptions = {}): Promise<{ entries: LedgerEntry[]; more: boolean }> {
    checkSubscriptionId(subscriptionId);
    const limit = options.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new InvalidQueryError('limit', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
    }
    const scopes: ListScope[] = [];
    if (options.status !== 'dead') scopes.push({ pkPrefix: `${LANE_PK_PREFIX}${subscriptionId}#` });
    if (options.status !== 'pending') scopes.push({ pk: deadPk(subscriptionId) });
    const items: LedgerItem[] = [];
    for (const scope of scopes) {
      let startKey: ItemKey | undefined;
      do {
        const page = await this.parts.store.listPage(scope, MAX_LIST_LIMIT, startKey);
        for (const raw of page.items) {
          const item = checkedItem(raw, this.parts.store.name);
          if (options.since !== undefined && troubleSince(item) < options.since) continue;
          if (items.length === limit) return { entries: await this.entriesOf(items), more: true };
          items.push(item);
        }
        startKey = page.lastKey;
      } while (startKey);
    }
    return { entries: await this.entriesOf(items), more: false };
  }

  /** Every dead letter of a subscription that `filter` admits, a page at a time. */
  async *deadLetters(subscriptionId: string, filter: DeadLetterFilter = {}): AsyncGenerator<LedgerEntry[]> {
    for await (const page of this.parts.store.partitionPages(deadPk(subscriptionId))) {
      const items = page.map((raw) => checkedItem(raw, this.parts.store.name)).filter((item) => admits(item, filter));
      yield readableEntries(items, this.parts.keys, this.parts.store.name, this.parts.onUnreadable);
    }
  }

  /**
   * Redrives one dead letter (`ref` as listed: its subscription, lane and sequence): it becomes a lane of its
   * own (`redrive:…`), due now, attempts and the 24 h window reset. It does not rejoin its key's lane — that
   * key's later events have moved on, and blocking them now would reorder them anyway. Answers the new
   * reference, or undefined when no such dead letter exists.
   */
  async redrive(ref: DeliveryRef): Promise<DeliveryRef | undefined> {
    const item = await this.parts.store.get<LedgerItem>({ pk: deadPk(ref.subscriptionId), sk: deadSk(ref.lane, ref.sequence) });
    return item ? this.parts.lanes.revive(checkedItem(item as unknown as Record<string, unknown>, this.parts.store.name)) : undefined;
  }

  /** Redrives every dead letter of a subscription that `filter` admits (only those dead for `reason`, …). Answers how many. */
  async redriveAll(subscriptionId: string, filter: DeadLetterFilter = {}): Promise<number> {
    let count = 0;
    for await (const page of this.parts.store.partitionPages(deadPk(subscriptionId))) {
      for (const raw of page) {
        const item = checkedItem(raw, this.parts.store.name);
        if (!admits(item, filter)) continue;
        await this.parts.lanes.revive(item);
        count++;
      }
    }
    return count;
  }

  /** Turns a subscription off (a 410, or by hand); its events go dead `subscription_disabled`. The first disable's time and reason stand. */
  async disableSubscription(subscriptionId: string, reason: string): Promise<void> {
    checkSubscriptionId(subscriptionId);
    const item: DisabledItem = { pk: SUBSCRIPTIONS_PK, sk: subscriptionId, subscriptionId, disabledAt: this.parts.clock(), reason };
    await this.parts.store.putIfAbsent(item);
  }

  /**
   * Turns a subscription back on; with `redrive`, then redrives its dead letters of reason
   * `subscription_disabled` (those the disablement caused). Engines notice within their disabled-set cache time.
   */
  async enableSubscription(subscriptionId: string, options: { redrive?: boolean } = {}): Promise<{ redriven: number }> {
    checkSubscriptionId(subscriptionId);
    await this.parts.store.delete({ pk: SUBSCRIPTIONS_PK, sk: subscriptionId });
    const redriven = options.redrive ? await this.redriveAll(subscriptionId, { reason: DEAD_REASON.subscriptionDisabled }) : 0;
    return { redriven };
  }

  /** Every disabled subscription: one (paged) consistent Query on pk `SUBSCRIPTIONS`. */
  async disabledSubscriptions(): Promise<DisabledSubscription[]> {
    const disabled: DisabledSubscription[] = [];
    for await (const page of this.parts.store.partitionPages(SUBSCRIPTIONS_PK)) {
      for (const raw of page) {
        const item = raw as unknown as DisabledItem;
        disabled.push({ subscriptionId: item.subscriptionId, disabledAt: item.disabledAt, reason: item.reason });
      }
    }
    return disabled;
  }

  /** Every logged attempt of one delivery (subscription, event source and id), oldest first: one Query. */
  async attempts(subscriptionId: string, source: string, id: string): Promise<DeliveryAttempt[]> {
    return this.parts.log.attempts(subscriptionId, source, id);
  }

  /** A subscription's logged attempts since `since` (epoch ms), oldest first (see `DeliveryLog.recentAttempts`). */
  recentAttempts(subscriptionId: string, since: number, limit?: number): Promise<{ attempts: (DeliveryAttempt & { source: string; id: string })[]; more: boolean }> {
    return this.parts.log.recentAttempts(subscriptionId, since, limit);
  }

  /**
   * One delivery's state and attempts, or undefined when the ledger holds neither: never failed (a
   * first-attempt success is not logged), never delivered to it, or its log expired. The attempts say where
   * it was last (lane and sequence), so its item is a few Gets away; a delivery never attempted (waiting
   * behind its key, or dead on arrival) is looked for among the subscription's lanes and dead letters.
   */
  async show(subscriptionId: string, source: string, id: string): Promise<DeliveryHistory | undefined> {
    checkSubscriptionId(subscriptionId);
    const attempts = await this.attempts(subscriptionId, source, id);
    const latest = attempts.at(-1);
    const entry = latest ? await this.entryAt(subscriptionId, latest) : await this.findEntry(subscriptionId, source, id);
    if (entry) return { subscriptionId, source, id, status: entry.state, entry, attempts };
    if (latest?.outcome === ATTEMPT_OUTCOME.delivered) return { subscriptionId, source, id, status: 'delivered_after_retry', attempts };
    if (latest) {
      // Between two steps of a move (a crash, or a sweep at work): the log is what is known.
      return { subscriptionId, source, id, status: latest.outcome === ATTEMPT_OUTCOME.dead ? 'dead' : 'pending', attempts };
    }
    return undefined;
  }

  /** The item where the last attempt left the delivery: its lane, its dead letter, or the lane a redrive moved it to. */
  private async entryAt(subscriptionId: string, at: Pick<DeliveryAttempt, 'lane' | 'sequence'>): Promise<LedgerEntry | undefined> {
    const places: ItemKey[] = [
      { pk: lanePk(subscriptionId, at.lane), sk: sequenceSk(at.sequence) },
      { pk: deadPk(subscriptionId), sk: deadSk(at.lane, at.sequence) },
      { pk: lanePk(subscriptionId, redriveLaneOf(at.lane, at.sequence)), sk: sequenceSk(at.sequence) },
    ];
    for (const key of places) {
      const item = await this.parts.store.get<LedgerItem>(key);
      if (item) return (await readableEntries([item], this.parts.keys, this.parts.store.name, this.parts.onUnreadable))[0];
    }
    return undefined;
  }

  /** A never-attempted delivery by its event's source and id: the subscription's dead letters, then its lanes. */
  private async findEntry(subscriptionId: string, source: string, id: string): Promise<LedgerEntry | undefined> {
    const scopes: ListScope[] = [{ pk: deadPk(subscriptionId) }, { pkPrefix: `${LANE_PK_PREFIX}${subscriptionId}#` }];
    for (const scope of scopes) {
      let startKey: ItemKey | undefined;
      do {
        const page = await this.parts.store.listPage(scope, MAX_LIST_LIMIT, startKey);
        const found = page.items.find((item) => item.source === source && item.id === id);
        if (found) return (await readableEntries([checkedItem(found, this.parts.store.name)], this.parts.keys, this.parts.store.name, this.parts.onUnreadable))[0];
        startKey = page.lastKey;
      } while (startKey);
    }
    return undefined;
  }

  private entriesOf(items: readonly LedgerItem[]): Promise<LedgerEntry[]> {
    return readableEntries(items, this.parts.keys, this.parts.store.name, this.parts.onUnreadable);
  }

  private async list(scope: ListScope, options: ListOptions): Promise<LedgerPage> {
    const limit = options.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new InvalidQueryError('limit', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
    }
    let startKey = options.cursor === undefined ? undefined : decodeLedgerCursor(options.cursor, 'pk' in scope ? scope.pk : undefined);
    const items: LedgerItem[] = [];
    // A read's limit bounds the items read, not those matched, so each round asks for no more than still fit the page.
    do {
      const page = await this.parts.store.listPage(scope, limit - items.length, startKey);
      items.push(...page.items.map((item) => checkedItem(item, this.parts.store.name)));
      startKey = page.lastKey;
    } while (startKey && items.length < limit);
    const entries = await readableEntries(items, this.parts.keys, this.parts.store.name, this.parts.onUnreadable);
    return { entries, ...(startKey ? { cursor: encodeLedgerCursor(startKey) } : {}) };
  }
}

/** When a delivery got into trouble: its death, its first failure, or its entry into a lane. */
function troubleSince(item: LedgerItem): number {
  return item.state === 'dead' ? (item.deadAt ?? item.recordedAt) : (item.firstFailedAt ?? item.recordedAt);
}

function admits(item: LedgerItem, filter: DeadLetterFilter): boolean {
  if (filter.reason !== undefined && item.deadReason !== filter.reason) return false;
  const deadAt = item.deadAt ?? item.recordedAt;
  if (filter.since !== undefined && deadAt < filter.since) return false;
  if (filter.until !== undefined && deadAt >= filter.until) return false;
  return true;
}
