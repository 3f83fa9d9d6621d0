import { SubscriptionMatcher } from '../routing/SubscriptionMatcher';
import type { Subscription } from '../routing/subscriptionTypes';
import type { EventStore } from '../store/EventStore';
import type { DeliveryLedger } from '../delivery/ledger/DeliveryLedger';

/** The window the console's figures and charts cover. */
export const ACTIVITY_WINDOW_MS = 60 * 60 * 1000;
const MINUTE_MS = 60 * 1000;
/** Stored events read per figure: beyond it the counts say `partial`. */
const MAX_EVENTS = 5000;

/** One minute of a subscription's deliveries. */
export interface ActivityMinute {
  /** Epoch ms of the minute's start. */
  at: number;
  /** Events arriving this minute that the subscription matches, with no failure logged: delivered at their first attempt (or still in flight). */
  firstAttempt: number;
  /** Logged attempts ending this minute, by outcome: a failure to retry, a retry that delivered, a death. */
  retry: number;
  delivered: number;
  dead: number;
  /** Latency of the logged attempts (first-attempt successes are not logged, so not measured). */
  p50Ms?: number;
  p99Ms?: number;
}

export interface SubscriptionActivity {
  subscriptionId: string;
  minutes: ActivityMinute[];
  totals: { matched: number; firstAttempt: number; retry: number; delivered: number; dead: number };
  p50Ms?: number;
  p99Ms?: number;
  /** The store or the log held more than was read: the figures are a lower bound. */
  partial: boolean;
}

/** Which stored events of the window each subscription matches, read once for all of them (the store's type index, never a scan). */
export async function matchedEvents(store: EventStore, subscriptions: readonly Subscription[], since: number, until: number) {
  const matcher = new SubscriptionMatcher(subscriptions);
  const matched = new Map<string, { key: string; at: number }[]>(subscriptions.map((s) => [s.id, []]));
  let read = 0;
  let cursor: string | undefined;
  do {
    const page = await store.queryEvents({ from: new Date(since), to: new Date(until), limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const stored of page.events) {
      const at = Date.parse(stored.arrivedAt ?? stored.storedAt);
      for (const id of matcher.match(stored.event)) matched.get(id)?.push({ key: keyOf(stored.event.source, stored.event.id), at });
    }
    read += page.events.length;
    cursor = page.next;
  } while (cursor !== undefined && read < MAX_EVENTS);
  return { matched, partial: cursor !== undefined };
}

/**
 * A subscription's last hour per minute: what the bus can count. Retries, deliveries after a retry and deaths
 * come from the delivery log with their latency; first-attempt successes are not logged (see `DeliveryLog`), so
 * they are inferred: events stored in that minute that the subscription matches and that have no logged attempt.
 */
export async function subscriptionActivity(
  ledger: DeliveryLedger,
  subscriptionId: string,
  matched: readonly { key: string; at: number }[],
  now: number,
  partialEvents = false,
): Promise<SubscriptionActivity> {
  const since = now - ACTIVITY_WINDOW_MS;
  const start = Math.floor(since / MINUTE_MS) * MINUTE_MS;
  const minutes: ActivityMinute[] = [];
  for (let at = start; at <= now; at += MINUTE_MS) minutes.push({ at, firstAttempt: 0, retry: 0, delivered: 0, dead: 0 });
  const slot = (at: number) => minutes[Math.min(minutes.length - 1, Math.max(0, Math.floor((at - start) / MINUTE_MS)))]!;
  const { attempts, more } = await ledger.recentAttempts(subscriptionId, since);
  const failed = new Set(attempts.map((a) => keyOf(a.source, a.id)));
  const latencies = new Map<ActivityMinute, number[]>();
  for (const attempt of attempts) {
    const minute = slot(attempt.at);
    minute[attempt.outcome]++;
    if (attempt.durationMs !== undefined) latencies.set(minute, [...(latencies.get(minute) ?? []), attempt.durationMs]);
  }
  for (const event of matched) if (!failed.has(event.key) && event.at >= since) slot(event.at).firstAttempt++;
  for (const [minute, values] of latencies) Object.assign(minute, percentiles(values));
  const sum = (name: 'firstAttempt' | 'retry' | 'delivered' | 'dead') => minutes.reduce((total, m) => total + m[name], 0);
  const all = percentiles(attempts.flatMap((a) => (a.durationMs === undefined ? [] : [a.durationMs])));
  return {
    subscriptionId,
    minutes,
    totals: { matched: matched.length, firstAttempt: sum('firstAttempt'), retry: sum('retry'), delivered: sum('delivered'), dead: sum('dead') },
    ...all,
    partial: more || partialEvents,
  };
}

/** p50 and p99 (nearest rank) of some latencies; nothing when there are none. */
export function percentiles(values: readonly number[]): { p50Ms?: number; p99Ms?: number } {
  if (values.length === 0) return {};
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { p50Ms: rank(50), p99Ms: rank(99) };
}

export function keyOf(source: string, id: string): string {
  return JSON.stringify([source, id]);
}
