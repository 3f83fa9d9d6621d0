import { describeUrl } from '../../delivery/describeUrl';
import type { Subscription } from '../../routing/subscriptionTypes';
import { notFound } from '../consoleError';
import { ACTIVITY_WINDOW_MS, matchedEvents, subscriptionActivity } from '../subscriptionActivity';
import type { ConsoleDeps, ConsoleRequest } from '../types';

/** What a subscription delivers to, without secrets: a URL's scheme, host and path, or a function ARN. */
export function targetOf(subscription: Subscription): { kind: string; to: string } {
  const target = subscription.target as unknown as Record<string, { url?: string; arn?: string } | undefined>;
  for (const kind of ['webhook', 'oauthWebhook', 'lambda']) {
    const t = target[kind];
    if (t) return { kind, to: t.url ? describeUrl(t.url) : (t.arn ?? '') };
  }
  const [kind] = Object.keys(target);
  return { kind: kind ?? 'unknown', to: '' };
}

/** A subscription of the live file as the page shows it: rules, target, state. */
function describe(subscription: Subscription, index: number, disabled: Map<string, { disabledAt: number; reason: string }>) {
  const off = disabled.get(subscription.id);
  return {
    id: subscription.id,
    path: `/subscriptions/${index}`,
    types: subscription.types,
    subjects: subscription.subjects,
    filter: subscription.filter,
    target: targetOf(subscription),
    delivery: { ordered: subscription.delivery.ordered, maxAttempts: subscription.delivery.maxAttempts, timeoutSeconds: subscription.delivery.timeoutSeconds, payload: subscription.delivery.payload },
    state: off ? 'disabled' : 'enabled',
    ...(off ? { disabled: { at: new Date(off.disabledAt).toISOString(), reason: off.reason } } : {}),
  };
}

/**
 * `GET /subscriptions`: every subscription of the live file with its state, its last hour by outcome, p50/p99
 * latency of the logged attempts, and its pending and dead counts in the ledger.
 */
export async function listSubscriptions(deps: ConsoleDeps) {
  const now = (deps.now ?? Date.now)();
  const [config, disabledList] = await Promise.all([deps.subscriptions(), deps.ledger.disabledSubscriptions()]);
  const disabled = new Map(disabledList.map((d) => [d.subscriptionId, d]));
  const events = await matchedEvents(deps.store, config.subscriptions, now - ACTIVITY_WINDOW_MS, now);
  const subscriptions = await Promise.all(
    config.subscriptions.map(async (subscription, index) => {
      const [activity, ledger] = await Promise.all([
        subscriptionActivity(deps.ledger, subscription.id, events.matched.get(subscription.id) ?? [], now, events.partial),
        deps.ledger.listDeliveries(subscription.id, { limit: 1000 }),
      ]);
      const count = (state: string) => ledger.entries.filter((entry) => entry.state === state).length;
      return {
        ...describe(subscription, index, disabled),
        lastHour: { ...activity.totals, ...(activity.p50Ms !== undefined ? { p50Ms: activity.p50Ms, p99Ms: activity.p99Ms } : {}), partial: activity.partial },
        pending: count('pending') + count('waiting'),
        dead: count('dead'),
        ledgerPartial: ledger.more,
      };
    }),
  );
  return { description: deps.description, subscriptions };
}

/** `GET /subscriptions/:id`: one subscription's description and its last hour per minute (the chart). */
export async function showSubscription(deps: ConsoleDeps, _request: ConsoleRequest, id: string) {
  const now = (deps.now ?? Date.now)();
  const [config, disabledList] = await Promise.all([deps.subscriptions(), deps.ledger.disabledSubscriptions()]);
  const index = config.subscriptions.findIndex((s) => s.id === id);
  if (index < 0) throw notFound(`the live subscriptions.json has no subscription ${JSON.stringify(id)}`);
  const subscription = config.subscriptions[index]!;
  const events = await matchedEvents(deps.store, [subscription], now - ACTIVITY_WINDOW_MS, now);
  const activity = await subscriptionActivity(deps.ledger, id, events.matched.get(id) ?? [], now, events.partial);
  return { subscription: describe(subscription, index, new Map(disabledList.map((d) => [d.subscriptionId, d]))), activity };
}
