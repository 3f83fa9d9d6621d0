import type { EventKeys } from '../../crypto';
import { CorruptItemError } from '../../store/errors';
import type { LedgerItem } from './LedgerStore';
import { openLedgerEvent } from './sealLedgerEvent';
import type { DeliveryRef, LedgerEntry } from './types';
import { withoutUndefined } from './withoutUndefined';

/** Called with an item whose event does not open; without one, the error is thrown. */
export type OnUnreadable = (ref: DeliveryRef, error: unknown) => void;

/** A stored item as a lane item or dead letter, or `CorruptItemError` naming what it lacks. */
export function checkedItem(raw: Record<string, unknown>, storeName: string): LedgerItem {
  const item = raw as Partial<LedgerItem>;
  if (!item.subscriptionId || !item.lane || !item.sequence || !item.state || !item.source || !item.id || !item.sealed || typeof item.attempts !== 'number') {
    throw new CorruptItemError(storeName, String(item.pk), `ledger item ${String(item.pk)} ${String(item.sk)} lacks its reference, state, event or attempts`);
  }
  return item as LedgerItem;
}

/** Decrypts items into entries; an unreadable one goes to `onUnreadable` (or throws) rather than hiding the rest. */
export async function readableEntries(items: readonly LedgerItem[], keys: EventKeys, storeName: string, onUnreadable?: OnUnreadable): Promise<LedgerEntry[]> {
  const settled = await Promise.allSettled(items.map(async (item) => toEntry(checkedItem(item as unknown as Record<string, unknown>, storeName), keys)));
  const entries: LedgerEntry[] = [];
  settled.forEach((result, index) => {
    if (result.status === 'fulfilled') {
      entries.push(result.value);
      return;
    }
    const item = items[index]!;
    if (!onUnreadable) throw result.reason;
    onUnreadable({ subscriptionId: item.subscriptionId, lane: item.lane, sequence: item.sequence }, result.reason);
  });
  return entries;
}

async function toEntry(item: LedgerItem, keys: EventKeys): Promise<LedgerEntry> {
  const event = await openLedgerEvent(item, keys);
  return withoutUndefined({
    subscriptionId: item.subscriptionId,
    lane: item.lane,
    sequence: item.sequence,
    state: item.state,
    event,
    attempts: item.attempts,
    firstFailedAt: item.firstFailedAt,
    nextAttemptAt: item.state === 'pending' && item.dueAt !== undefined ? Number(item.dueAt) : undefined,
    last: item.last,
    deadAt: item.deadAt,
    deadReason: item.deadReason,
    leaseUntil: item.leaseUntil,
    redrivenFrom: item.redrivenFrom,
  }) as LedgerEntry;
}
