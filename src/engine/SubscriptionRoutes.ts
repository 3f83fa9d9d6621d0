import type { SubscriptionsSource } from '../routing/config/SubscriptionsSource';
import { SubscriptionMatcher } from '../routing/SubscriptionMatcher';
import type { Subscription, SubscriptionsConfig } from '../routing/subscriptionTypes';

/** One version of subscriptions.json, compiled for routing. */
export interface CompiledSubscriptions {
  config: SubscriptionsConfig;
  matcher: SubscriptionMatcher;
  byId: ReadonlyMap<string, Subscription>;
}

/**
 * The subscriptions being served, compiled once per version: the source answers from memory between its
 * S3 checks, and a new valid version (a new config object) gets a new matcher on first use.
 */
export class SubscriptionRoutes {
  private compiled?: CompiledSubscriptions;

  constructor(private readonly source: Pick<SubscriptionsSource, 'current'>) {}

  /** The current version; throws while no valid subscriptions.json was ever loaded (see `SubscriptionsSource`). */
  async current(): Promise<CompiledSubscriptions> {
    const config = await this.source.current();
    if (this.compiled?.config !== config) {
      this.compiled = {
        config,
        // The loader validated every pattern already, so this does not throw for a served config.
        matcher: new SubscriptionMatcher(config.subscriptions),
        byId: new Map(config.subscriptions.map((subscription) => [subscription.id, subscription])),
      };
    }
    return this.compiled;
  }
}
