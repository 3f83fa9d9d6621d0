import type { SubscriptionMatcher } from '../../routing/SubscriptionMatcher';
import type { EventQuery, EventQueryPage, StoredEvent } from '../../store/types';
import type { BacktestWindow } from './backtestWindow';

/** Events asked for per page: the most a query allows, so a long window costs as few reads as possible. */
const PAGE_SIZE = 1000;

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
  /** The first of them, oldest first, at most `samples`. */
  samples: BacktestSample[];
}

export interface BacktestResult {
  /** Stored events read in the window. */
  scanned: number;
  /** One per subscription, in the file's order. */
  subscriptions: BacktestCount[];
}

export interface RunBacktestOptions {
  /** The store's query (`DynamoDbEventStore.queryEvents`). */
  queryEvents(query: EventQuery): Promise<EventQueryPage>;
  /** Built from the proposed file; only matched, nothing is delivered. */
  matcher: SubscriptionMatcher;
  window: BacktestWindow;
  /** Sample events kept per subscription. */
  samples: number;
  /** Events asked for per page. @default 1000, the most a query allows */
  pageSize?: number;
  /** Called after each page with the events scanned so far and the last one read. */
  onPage?(scanned: number, last: StoredEvent | undefined): void;
}

/**
 * Runs subscriptions against the stored events of a window (every type, oldest first, page by page) and counts
 * what each would have matched, keeping a few samples. Reads and matches only: no delivery, no ledger entry.
 */
export async function runBacktest(options: RunBacktestOptions): Promise<BacktestResult> {
  const { matcher, window } = options;
  const counts: BacktestCount[] = matcher.ids.map((id) => ({ id, matched: 0, samples: [] }));
  const byId = new Map(counts.map((count) => [count.id, count]));
  let scanned = 0;
  let cursor: string | undefined;
  do {
    const page = await options.queryEvents({ types: '>', from: window.from, to: window.to, limit: options.pageSize ?? PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    for (const stored of page.events) {
      scanned++;
      for (const id of matcher.match(stored.event)) {
        const count = byId.get(id) as BacktestCount;
        count.matched++;
        if (count.samples.length < options.samples) count.samples.push({ source: stored.event.source, id: stored.event.id, type: stored.event.type });
      }
    }
    options.onPage?.(scanned, page.events[page.events.length - 1]);
    cursor = page.next;
  } while (cursor !== undefined);
  return { scanned, subscriptions: counts };
}
