import { SubscriptionMatcher } from '../routing/SubscriptionMatcher';
import type { Subscription } from '../routing/subscriptionTypes';
import { queryOf, type ReplayEventSource } from './ReplayRunner';
import type { ReplayRequest } from './types';

/** What a window holds for one subscription. */
export interface ReplayCount {
  /** Stored events of the window read (of the types the subscription may match). */
  scanned: number;
  /** Those the subscription matches: what a replay of the window would deliver. */
  matched: number;
}

/**
 * Counts the stored events of a replay's window that its subscription matches, reading the store exactly as the
 * runner will (same query, same matcher) and delivering nothing: `replay --dry-run`, and the total of the progress bar.
 */
export async function countReplayMatches(
  store: ReplayEventSource,
  request: Pick<ReplayRequest, 'from' | 'to' | 'rate' | 'types'>,
  subscription: Subscription,
  onPage?: (count: ReplayCount) => void,
): Promise<ReplayCount> {
  const matcher = new SubscriptionMatcher([subscription]);
  const count: ReplayCount = { scanned: 0, matched: 0 };
  let cursor: string | undefined;
  do {
    // Pages of the largest size: a count reads as fast as the store answers, whatever the replay's rate.
    const page = await store.queryEvents({ ...queryOf(request, subscription, cursor), limit: 1000 });
    count.scanned += page.events.length;
    count.matched += page.events.filter((stored) => matcher.match(stored.event).length > 0).length;
    onPage?.(count);
    cursor = page.next;
  } while (cursor !== undefined);
  return count;
}
