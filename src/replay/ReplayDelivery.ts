import { deliver, type DeliveryDeps } from '../delivery/deliver';
import type { DeliveryLedger, DeliveryRef } from '../delivery/ledger';
import { finalFailureOf, lastAttemptOf } from '../delivery/failurePolicy';
import { OUTCOME } from '../delivery/types';
import type { DeliveryLimiter } from '../engine/DeliveryLimiter';
import { partitionKeyOf } from '../events/partitionKeyOf';
import type { Subscription } from '../routing/subscriptionTypes';
import type { StoredEvent } from '../store/types';
import type { ReplayPacer } from './ReplayPacer';
import { replayLaneOf } from './replayLaneOf';

/** What a replay writes to the delivery ledger: the engine's own calls, under the replay's lanes. */
export type ReplayLedger = Pick<DeliveryLedger, 'isLaneOccupied' | 'recordFailure' | 'enqueueWaiting' | 'deadLetter'>;

/** What became of one page's deliveries. */
export interface PageOutcome {
  delivered: number;
  /** Not delivered by the replay itself: failed (now in the ledger, retried there, or dead), or held behind a failed one of its key. */
  failed: number;
  /** The target answered 410 Gone: the rest of the page was not attempted, and the job stops. */
  gone?: string;
}

/** What one page needs: the job, its subscription as served now, its pacer. */
export interface PageContext {
  jobId: string;
  subscription: Subscription;
  /** Spaces the job's starts: `rate` per second. */
  pacer: Pick<ReplayPacer, 'take'>;
  /** Lanes of this job known to hold something in the ledger: later events of their key queue behind. */
  blockedLanes: Set<string>;
  /** Lanes of this job already looked up in the ledger during this run. */
  checkedLanes: Set<string>;
}

/**
 * Delivers one page of a replay in stream order per partition key: one event at a time per key, keys in parallel,
 * under the replay's own limiter (the subscription's `concurrency` in flight) and pacer (`rate` starts per second), so live
 * deliveries of the same subscription never wait for a slot behind a replay. A failed attempt goes to the ledger
 * in the replay's lane (`replayLaneOf`): `recordFailure`, and for an ordered subscription the key's later events
 * `enqueueWaiting` behind it; the redeliverer retries them like any other. A ledger write that fails throws: the
 * page is then not checkpointed, and is delivered again when the job resumes.
 */
export class ReplayDelivery {
  constructor(
    private readonly ledger: ReplayLedger,
    private readonly deps: DeliveryDeps,
    private readonly limiter: DeliveryLimiter,
    private readonly now: () => number = Date.now,
  ) {}

  async deliverPage(events: readonly StoredEvent[], context: PageContext): Promise<PageOutcome> {
    const outcome: PageOutcome = { delivered: 0, failed: 0 };
    const chains = new Map<string, Promise<void>>();
    for (const stored of events) {
      const key = partitionKeyOf(stored.event);
      const previous = chains.get(key) ?? Promise.resolve();
      chains.set(key, previous.then(() => this.deliverOne(stored, key, context, outcome)));
    }
    await Promise.all(chains.values());
    return outcome;
  }

  private async deliverOne(stored: StoredEvent, key: string, context: PageContext, outcome: PageOutcome): Promise<void> {
    if (outcome.gone !== undefined) return;
    const { subscription, jobId } = context;
    const event = stored.event;
    const ref: DeliveryRef = { subscriptionId: subscription.id, lane: replayLaneOf(jobId, subscription, event, key), sequence: stored.sequence };
    if (subscription.delivery.ordered) {
      if (!context.checkedLanes.has(ref.lane)) {
        context.checkedLanes.add(ref.lane);
        // A run before this one may have left a failed event of this key in the lane (a resumed job).
        if (await this.ledger.isLaneOccupied(ref.subscriptionId, ref.lane)) context.blockedLanes.add(ref.lane);
      }
      if (context.blockedLanes.has(ref.lane)) {
        await this.ledger.enqueueWaiting(ref, event);
        outcome.failed += 1;
        return;
      }
    }
    // The subscription's concurrency under the replay's own limiter; starts spaced by the job's pacer.
    const limit = { id: `replay:${jobId}`, delivery: { concurrency: subscription.delivery.concurrency } };
    const result = await this.limiter.run(limit, async () => {
      await context.pacer.take();
      return deliver(event, subscription, this.deps);
    });
    if (result.kind === OUTCOME.delivered) {
      outcome.delivered += 1;
      return;
    }
    outcome.failed += 1;
    const last = lastAttemptOf(result, this.now());
    const final = finalFailureOf(result);
    if (final === undefined) {
      if ((await this.ledger.recordFailure(ref, event, last, subscription.delivery.maxAttempts)) === 'pending' && subscription.delivery.ordered) {
        context.blockedLanes.add(ref.lane);
      }
      return;
    }
    await this.ledger.deadLetter(ref, event, final.deadReason, last);
    // A 410: the receiver is gone. The live engine disables the subscription on its next delivery; the replay stops here.
    if (final.disableSubscription) outcome.gone = `the target answered 410 Gone: ${result.error}`;
  }
}
