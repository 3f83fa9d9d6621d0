import { matchesSubject } from '../../routing/matchesSubject';
import { SubscriptionMatcher } from '../../routing/SubscriptionMatcher';
import type { MatchableSubscription } from '../../routing/types';
import { MAX_QUERY_LIMIT, MAX_QUERY_TYPES } from '../../store/constants';
import type { EventQuery, EventQueryPage, StoredEvent } from '../../store/types';
import type { BacktestWindow } from './backtestWindow';

/** An event a subscription matched, as a backtest shows it (never its data). */
export interface BacktestSample {
  source: string;
  id: string;
  type: string;
}

export interface BacktestCount {
  id: string;
  /** Events of the window the subscription matches. */
  matched: number;
  /** The oldest of them (by arrival), at most `samples`. */
  samples: BacktestSample[];
}

export interface BacktestResult {
  /** Event types read: those the file can match, of the catalog's. */
  types: number;
  /** Stored events of those types read in the window. */
  scanned: number;
  /** One per subscription, in the file's order. */
  subscriptions: BacktestCount[];
}

export interface RunBacktestOptions {
  /** The store's catalog of the event types seen (`DynamoDbEventStore.listTypes`). */
  listTypes(): Promise<string[]>;
  /** The store's query (`DynamoDbEventStore.queryEvents`). */
  queryEvents(query: EventQuery): Promise<EventQueryPage>;
  /** The proposed subscriptions: only matched, nothing is delivered. */
  subscriptions: readonly MatchableSubscription[];
  window: BacktestWindow;
  /** Sample events kept per subscription. */
  samples: number;
  /** Events asked for per page. @default 1000, the most a query allows */
  pageSize?: number;
  /** Called with the number of types to read, once known. */
  onTypes?(types: number): void;
  /**
   * Called after each page with the events scanned so far and how far through the reading it is (0 to 1): the
   * groups of types done, and the arrival time of the page's last event within the window (events come oldest
   * first), which is what gives an ETA.
   */
  onPage?(scanned: number, done: number): void;
}

/**
 * Runs subscriptions against the stored events of a window and counts what each would have matched, keeping
 * the oldest few as samples. Reads and matches only: no delivery, no ledger entry. Only the event types some
 * subscription can match are read (all of them when a subscription has no `types`), through the type
 * catalog, in groups of at most MAX_QUERY_TYPES per query (one query cannot read more), page by page.
 */
export async function runBacktest(options: RunBacktestOptions): Promise<BacktestResult> {
  const matcher = new SubscriptionMatcher(options.subscriptions);
  const counts: BacktestCount[] = matcher.ids.map((id) => ({ id, matched: 0, samples: [] }));
  const byId = new Map(counts.map((count) => [count.id, count]));
  // Arrival of each kept sample, to keep the oldest when several groups of types are read one after another.
  const sampleArrivals = new Map<string, string[]>(counts.map((count) => [count.id, []]));
  const types = typesToRead(options.subscriptions, await options.listTypes());
  options.onTypes?.(types.length);
  let scanned = 0;
  const groups = Math.ceil(types.length / MAX_QUERY_TYPES);
  for (let start = 0; start < types.length; start += MAX_QUERY_TYPES) {
    const query: EventQuery = { types: types.slice(start, start + MAX_QUERY_TYPES), from: options.window.from, to: options.window.to, limit: options.pageSize ?? MAX_QUERY_LIMIT };
    let cursor: string | undefined;
    do {
      const page = await options.queryEvents(cursor === undefined ? query : { ...query, cursor });
      for (const stored of page.events) {
        scanned++;
        for (const id of matcher.match(stored.event)) {
          const count = byId.get(id) as BacktestCount;
          count.matched++;
          keepOldest(count.samples, sampleArrivals.get(id) as string[], stored, options.samples);
        }
      }
      cursor = page.next;
      const within = cursor === undefined ? 1 : timeFraction(options.window, page.events[page.events.length - 1]);
      options.onPage?.(scanned, (start / MAX_QUERY_TYPES + within) / groups);
    } while (cursor !== undefined);
  }
  return { types: types.length, scanned, subscriptions: counts };
}

/** The catalog's types some subscription can match: all of them unless every subscription lists `types`. */
function typesToRead(subscriptions: readonly MatchableSubscription[], catalog: readonly string[]): string[] {
  if (subscriptions.some((subscription) => subscription.types === undefined)) return [...catalog];
  const patterns = subscriptions.flatMap((subscription) => subscription.types ?? []);
  return catalog.filter((type) => patterns.some((pattern) => matchesSubject(pattern, type)));
}

/** Where an event's arrival falls in the window, 0 to 1 (0 when unknown). */
function timeFraction(window: BacktestWindow, last: StoredEvent | undefined): number {
  const at = last === undefined ? NaN : Date.parse(last.arrivedAt ?? last.storedAt);
  const span = window.to.getTime() - window.from.getTime();
  return Number.isNaN(at) ? 0 : Math.min(1, Math.max(0, (at - window.from.getTime()) / span));
}

/** Inserts the event among the samples in arrival order, keeping at most `limit`. */
function keepOldest(samples: BacktestSample[], arrivals: string[], stored: StoredEvent, limit: number): void {
  const arrival = stored.arrivedAt ?? stored.storedAt;
  if (samples.length >= limit && (limit === 0 || arrival >= arrivals[arrivals.length - 1])) return;
  let at = samples.length;
  while (at > 0 && arrivals[at - 1] > arrival) at--;
  samples.splice(at, 0, { source: stored.event.source, id: stored.event.id, type: stored.event.type });
  arrivals.splice(at, 0, arrival);
  if (samples.length > limit) {
    samples.pop();
    arrivals.pop();
  }
}
