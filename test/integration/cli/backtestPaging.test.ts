import { runBacktest } from '../../../src/cli/commands/runBacktest';
import type { CloudEventJson } from '../../../src/events/types';
import { SubscriptionMatcher } from '../../../src/routing';
import type { DynamoDbEventStore } from '../../../src/store';
import { eventStoreFromEnvironment } from '../../../src/wiring/ingestFromEnvironment';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';
import { referenceMatch, type ReferenceSubscription } from '../../helpers/routing/referenceMatcher';

/**
 * runBacktest over the real event store (dynalite) with small pages: it follows the cursor to the end of the
 * window, reads only the window (by arrival time), counts as a brute-force evaluation does, and keeps the
 * oldest matches as samples.
 */
const SUBSCRIPTIONS: ReferenceSubscription[] = [
  { id: 'orders', types: ['com.example.orders.>'] },
  { id: 'large', filter: { data: { total: [{ numeric: ['>=', 60] }] } } },
  { id: 'eu-or-odd', filter: { $or: [{ source: ['/eu'] }, { data: { odd: [true] } }] } },
];
const TYPES = ['com.example.orders.created', 'com.example.orders.paid', 'com.example.users.signup'];
const START = Date.parse('2026-12-01T00:00:00.000Z');

let emulators: TestEmulators;
let store: DynamoDbEventStore;
const events: { event: CloudEventJson; arrivedAt: string }[] = [];

beforeAll(async () => {
  emulators = await startTestEmulators({ shards: 1 });
  store = eventStoreFromEnvironment(emulators.env, emulators.clients);
  for (let i = 0; i < 130; i++) {
    const event = {
      specversion: '1.0',
      id: `paging-${i}`,
      source: i % 3 === 0 ? '/eu' : '/us',
      type: TYPES[i % TYPES.length],
      data: { total: (i * 13) % 100, odd: i % 2 === 1 },
    } as CloudEventJson;
    // One event a minute from START.
    events.push({ event, arrivedAt: new Date(START + i * 60_000).toISOString() });
  }
  for (let start = 0; start < events.length; start += 25) {
    const batch = events.slice(start, start + 25).map(({ event, arrivedAt }, k) => ({
      event,
      position: { sequence: String(49_000_000 + start + k), shard: 'shardId-000000000000', arrivedAt },
    }));
    await store.storeBatch(batch);
  }
}, 60_000);
afterAll(() => emulators.close());

test('follows the cursor through a window of many small pages and counts as a brute-force evaluation does', async () => {
  // Minutes 10 (inclusive) to 110 (exclusive): 100 of the 130 events.
  const window = { from: new Date(START + 10 * 60_000), to: new Date(START + 110 * 60_000) };
  const inWindow = events.filter(({ arrivedAt }) => Date.parse(arrivedAt) >= window.from.getTime() && Date.parse(arrivedAt) < window.to.getTime()).map(({ event }) => event);
  expect(inWindow).toHaveLength(100);
  const pages: number[] = [];
  const result = await runBacktest({
    queryEvents: (query) => store.queryEvents(query),
    matcher: new SubscriptionMatcher(SUBSCRIPTIONS),
    window,
    samples: 3,
    pageSize: 9,
    onPage: (scanned) => pages.push(scanned),
  });
  expect(result.scanned).toBe(100);
  expect(pages.length).toBeGreaterThanOrEqual(12);
  expect(pages[pages.length - 1]).toBe(100);
  expect(result.subscriptions).toEqual(
    SUBSCRIPTIONS.map(({ id }) => {
      const matching = inWindow.filter((event) => referenceMatch(SUBSCRIPTIONS, event).includes(id));
      // Oldest first: the samples are the first matches of the window.
      return { id, matched: matching.length, samples: matching.slice(0, 3).map(({ source, id: eventId, type }) => ({ source, id: eventId, type })) };
    }),
  );
});
