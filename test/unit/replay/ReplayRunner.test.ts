import { randomBytes } from 'node:crypto';
import { createDeliveryDeps } from '../../../src/delivery/createDeliveryDeps';
import { DeliveryLedger } from '../../../src/delivery/ledger';
import type { CloudEventJson } from '../../../src/events/types';
import type { ReplayJobs } from '../../../src/replay/ReplayJobs';
import { ReplayRunner, type ReplayEventSource } from '../../../src/replay/ReplayRunner';
import { NO_COUNTS, type ReplayCounts, type ReplayJob } from '../../../src/replay/types';
import type { Subscription, SubscriptionsConfig } from '../../../src/routing/subscriptionTypes';
import { InvalidQueryError } from '../../../src/store/errors';
import type { EventQuery, EventQueryPage, StoredEvent } from '../../../src/store/types';
import { makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../../integration/delivery/support/Receiver';
import { MemoryLedgerStore } from '../delivery/ledger/support/MemoryLedgerStore';
import { memoryEventKeys } from '../delivery/ledger/support/memoryEventKeys';

/**
 * The runner's bookkeeping with the store and the jobs in memory (a real receiver, real `deliver`, the real ledger
 * over its in-memory storage hooks): resuming from the last checkpoint after a failure, and the ways a job ends.
 */
const SECRET = 'whsec_' + randomBytes(32).toString('base64');

/** The jobs' table in memory: one job, its lease, what the runner wrote. */
class MemoryJobs implements Pick<ReplayJobs, 'claimable' | 'claim' | 'checkpoint' | 'finish' | 'release'> {
  owner?: string;
  cancelled = false;
  constructor(public job: ReplayJob) {}
  async claimable(): Promise<ReplayJob[]> {
    return this.job.state === 'running' && this.owner === undefined ? [{ ...this.job, counts: { ...this.job.counts } }] : [];
  }
  async claim(_jobId: string, owner: string): Promise<boolean> {
    if (this.job.state !== 'running' || (this.owner !== undefined && this.owner !== owner)) return false;
    this.owner = owner;
    return true;
  }
  async checkpoint(_jobId: string, owner: string, progress: { cursor: string; counts: ReplayCounts }): Promise<boolean> {
    if (this.cancelled) this.job.state = 'cancelled';
    if (this.job.state !== 'running' || this.owner !== owner) return false;
    this.job = { ...this.job, cursor: progress.cursor, counts: { ...progress.counts } };
    return true;
  }
  async finish(_jobId: string, owner: string, outcome: { state: 'done' | 'failed'; counts: ReplayCounts; error?: string }): Promise<boolean> {
    if (this.job.state !== 'running' || this.owner !== owner) return false;
    this.job = { ...this.job, state: outcome.state, counts: { ...outcome.counts }, ...(outcome.error ? { error: outcome.error } : {}) };
    this.owner = undefined;
    return true;
  }
  async release(_jobId: string, owner: string): Promise<void> {
    if (this.owner === owner) this.owner = undefined;
  }
}

/** Stored events in arrival order; the cursor is the index of the next one. `failOnce` throws at that cursor once. */
class MemoryStore implements ReplayEventSource {
  readonly queries: EventQuery[] = [];
  constructor(
    readonly events: StoredEvent[],
    public failOnce?: { at: number; error: Error },
  ) {}
  async queryEvents(query: EventQuery): Promise<EventQueryPage> {
    this.queries.push(query);
    const start = query.cursor === undefined ? 0 : Number(query.cursor);
    if (this.failOnce && this.failOnce.at === start) {
      const { error } = this.failOnce;
      this.failOnce = undefined;
      throw error;
    }
    const end = Math.min(this.events.length, start + (query.limit ?? 100));
    return { events: this.events.slice(start, end), ...(end < this.events.length ? { next: String(end) } : {}) };
  }
}

let receiver: Receiver;
beforeAll(async () => {
  receiver = await Receiver.start();
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(() => {
  receiver.reset();
  receiver.answer((_request, response) => response.writeHead(204).end());
});

function subscriptionOf(overrides: Partial<Subscription> = {}): Subscription {
  return {
    id: 'billing',
    types: ['com.example.orders.>'],
    target: { kind: 'webhook', webhook: { url: receiver.url('/hooks'), secrets: [SECRET] } },
    delivery: { ordered: false, payload: 'full', mode: 'structured', maxAttempts: 12, timeoutSeconds: 5, concurrency: 4 },
    ...overrides,
  };
}

function stored(events: CloudEventJson[]): StoredEvent[] {
  return events.map((event, index) => ({ event, sequence: String(1000 + index), shard: 'shardId-000000000000', storedAt: new Date().toISOString() }));
}

function setUp(events: StoredEvent[], options: { subscriptions?: Subscription[]; rate?: number } = {}) {
  const job: ReplayJob = {
    jobId: 'job-1',
    subscriptionId: 'billing',
    from: '2026-12-06T00:00:00.000Z',
    to: '2026-12-06T01:00:00.000Z',
    rate: options.rate ?? 1000,
    types: ['com.example.orders.>'],
    state: 'running',
    counts: { ...NO_COUNTS },
    startedAt: 0,
    updatedAt: 0,
  };
  const config: SubscriptionsConfig = { subscriptions: options.subscriptions ?? [subscriptionOf()] };
  const jobs = new MemoryJobs(job);
  const store = new MemoryStore(events);
  const ledgerStore = new MemoryLedgerStore();
  const ledger = new DeliveryLedger({ store: ledgerStore, keys: memoryEventKeys() });
  const runner = new ReplayRunner({
    jobs,
    store,
    source: { current: async () => config },
    ledger,
    deliveryDeps: createDeliveryDeps({ resolveSecret: async (ref) => String(ref), webhooks: { allowPrivateNetworks: true } }),
    intervalMs: 10,
  });
  const runOnce = () => runner.run({ untilMs: Date.now() + 300 });
  return { jobs, store, ledger, runner, runOnce };
}

const ids = () => receiver.requests.map((request) => (JSON.parse(request.body.toString('utf8')) as CloudEventJson).id);

describe('ReplayRunner', () => {
  test('a page that fails to read is not lost: the job is let go of and taken again from its last checkpoint', async () => {
    // 1000 a second: pages of 100; the third page's read fails once.
    const events = stored(Array.from({ length: 250 }, () => makeEvent()));
    const { jobs, store, runner } = setUp(events);
    store.failOnce = { at: 200, error: new Error('ProvisionedThroughputExceededException') };
    await runner.run({ untilMs: Date.now() + 3_000 });
    expect(jobs.job).toMatchObject({ state: 'done', counts: { scanned: 250, matched: 250, delivered: 250, failed: 0 } });
    expect(jobs.owner).toBeUndefined();
    // Each event once, in order: the third page was asked for again from the checkpoint before it.
    expect(ids()).toEqual(events.map((event) => event.event.id));
    expect(store.queries.map((query) => query.cursor)).toEqual([undefined, '100', '200', '200']);
    // The store is asked for the subscription's types, the job's window, ascending.
    expect(store.queries[0]).toEqual({ types: ['com.example.orders.>'], from: '2026-12-06T00:00:00.000Z', to: '2026-12-06T01:00:00.000Z', limit: 100 });
  });

  test('delivers only what the subscription matches now, counting what it read', async () => {
    const events = stored([
      makeEvent({ data: { total: 5 } }),
      makeEvent({ data: { total: 500 } }),
      makeEvent({ type: 'com.example.users.created', data: { total: 500 } }),
    ]);
    const { jobs, runOnce } = setUp(events, { subscriptions: [subscriptionOf({ filter: { data: { total: [{ numeric: ['>', 100] }] } } })] });
    await runOnce();
    expect(jobs.job).toMatchObject({ state: 'done', counts: { scanned: 3, matched: 1, delivered: 1, failed: 0 } });
    expect(ids()).toEqual([events[1].event.id]);
  });

  test('a job whose subscription left subscriptions.json fails, saying so', async () => {
    const { jobs, runOnce } = setUp(stored([makeEvent()]), { subscriptions: [subscriptionOf({ id: 'other' })] });
    await runOnce();
    expect(jobs.job).toMatchObject({ state: 'failed', error: 'subscription billing is no longer in subscriptions.json' });
    expect(receiver.requests).toHaveLength(0);
  });

  test('a query the store refuses fails the job instead of retrying it for ever', async () => {
    const { jobs, store, runOnce } = setUp(stored([makeEvent()]));
    store.failOnce = { at: 0, error: new InvalidQueryError('cursor', 'cursor belongs to another query') };
    await runOnce();
    expect(jobs.job).toMatchObject({ state: 'failed', error: 'the event store refused the query: InvalidQueryError: cursor belongs to another query' });
  });

  test('a 410 dead-letters that event in the replay lane, leaves the rest of the page alone and fails the job', async () => {
    const events = stored([makeEvent(), makeEvent(), makeEvent()]);
    receiver.answer((_request, response) => response.writeHead(410).end());
    // One at a time, so nothing after the 410 is attempted.
    const { jobs, ledger, runOnce } = setUp(events, { subscriptions: [subscriptionOf({ delivery: { ...subscriptionOf().delivery, concurrency: 1 } })] });
    await runOnce();
    expect(jobs.job).toMatchObject({ state: 'failed', error: expect.stringMatching(/^the target answered 410 Gone: /), counts: { delivered: 0, failed: 1 } });
    expect(receiver.requests).toHaveLength(1);
    const dead = await ledger.listDead({ subscriptionId: 'billing' });
    expect(dead.entries.map((entry) => [entry.lane.startsWith('replay:job-1:event:'), entry.deadReason, entry.event.id])).toEqual([[true, 'subscription_disabled', events[0].event.id]]);
  });

  test('a retryable failure goes to the ledger as pending in the replay lane; the job goes on', async () => {
    const events = stored([makeEvent(), makeEvent()]);
    receiver.answer((request, response) => response.writeHead(receiver.requests.indexOf(request) === 0 ? 503 : 204).end());
    const { jobs, ledger, runOnce } = setUp(events, { subscriptions: [subscriptionOf({ delivery: { ...subscriptionOf().delivery, concurrency: 1 } })] });
    await runOnce();
    expect(jobs.job).toMatchObject({ state: 'done', counts: { matched: 2, delivered: 1, failed: 1 } });
    const pending = await ledger.listPending({ subscriptionId: 'billing' });
    expect(pending.entries.map((entry) => [entry.lane.startsWith('replay:job-1:event:'), entry.state, entry.attempts, entry.event.id])).toEqual([
      [true, 'pending', 1, events[0].event.id],
    ]);
  });

  test('a cancelled job stops at its next checkpoint', async () => {
    const events = stored(Array.from({ length: 30 }, () => makeEvent()));
    // 50 a second: pages of 10.
    const { jobs, runOnce } = setUp(events, { rate: 50 });
    jobs.cancelled = true;
    await runOnce();
    expect(jobs.job).toMatchObject({ state: 'cancelled', counts: NO_COUNTS });
    expect(receiver.requests).toHaveLength(10);
  });
});
