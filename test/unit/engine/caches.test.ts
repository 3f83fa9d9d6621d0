import { DisabledSubscriptionsCache } from '../../../src/engine/DisabledSubscriptionsCache';
import { RecurringProblem } from '../../../src/engine/RecurringProblem';
import { SubscriptionRoutes } from '../../../src/engine/SubscriptionRoutes';
import type { Subscription, SubscriptionsConfig } from '../../../src/routing/subscriptionTypes';

describe('DisabledSubscriptionsCache', () => {
  it('reads the ledger at most once per TTL, shares concurrent reads, and learns local disables at once', async () => {
    let time = 0;
    let reads = 0;
    let stored = [{ subscriptionId: 'a' }];
    const cache = new DisabledSubscriptionsCache(
      {
        disabledSubscriptions: async () => {
          reads += 1;
          return stored;
        },
      },
      5_000,
      () => time,
    );
    const [first, second] = await Promise.all([cache.current(), cache.current()]);
    expect([...first]).toEqual(['a']);
    expect(second).toBe(first);
    expect(reads).toBe(1);

    stored = [];
    cache.add('b');
    time = 4_999;
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(true);
    expect([...(await cache.current())].sort()).toEqual(['a', 'b']);
    expect(reads).toBe(1);

    time = 5_000;
    expect([...(await cache.current())]).toEqual([]);
    expect(reads).toBe(2);
  });

  it('propagates a failed read and tries again on the next call', async () => {
    let fail = true;
    const cache = new DisabledSubscriptionsCache({
      disabledSubscriptions: async () => {
        if (fail) throw new Error('ledger unreachable');
        return [];
      },
    });
    await expect(cache.current()).rejects.toThrow('ledger unreachable');
    fail = false;
    await expect(cache.current()).resolves.toEqual(new Set());
  });
});

describe('SubscriptionRoutes', () => {
  const subscription = (id: string, types: string[]): Subscription => ({
    id,
    types,
    target: { kind: 'webhook', webhook: { url: 'https://example.com', secrets: ['whsec_x'] } },
    delivery: { ordered: false, payload: 'full', mode: 'structured', maxAttempts: 12, timeoutSeconds: 15, concurrency: 16 },
  });

  it('compiles a matcher once per served version', async () => {
    let config: SubscriptionsConfig = { subscriptions: [subscription('orders', ['com.example.orders.*'])] };
    const routes = new SubscriptionRoutes({ current: async () => config });
    const first = await routes.current();
    expect(first.matcher.match({ type: 'com.example.orders.created' })).toEqual(['orders']);
    expect(first.byId.get('orders')?.id).toBe('orders');
    expect(await routes.current()).toBe(first);

    config = { subscriptions: [subscription('users', ['com.example.users.>'])] };
    const second = await routes.current();
    expect(second).not.toBe(first);
    expect(second.matcher.matchJson('{"type":"com.example.users.a.b"}')).toEqual(['users']);
    expect(second.byId.has('orders')).toBe(false);
  });
});

describe('RecurringProblem', () => {
  it('reports a problem when it appears, when it changes, once per interval while it lasts, and at once after it cleared', () => {
    let time = 0;
    const problem = new RecurringProblem(60_000, () => time);
    expect(problem.shouldReport('no subscriptions.json')).toBe(true);
    time = 1_000;
    expect(problem.shouldReport('no subscriptions.json')).toBe(false);
    expect(problem.shouldReport('ledger unreachable')).toBe(true);
    time = 61_000;
    expect(problem.shouldReport('ledger unreachable')).toBe(true);
    time = 62_000;
    expect(problem.shouldReport('ledger unreachable')).toBe(false);
    problem.clear();
    expect(problem.shouldReport('ledger unreachable')).toBe(true);
  });
});
