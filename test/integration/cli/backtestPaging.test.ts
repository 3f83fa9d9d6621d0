import { runBacktest } from '../../../src/cli/commands/runBacktest';
import type { CloudEventJson } from '../../../src/events/types';
import { MAX_QUERY_TYPES, type DynamoDbEventStore, type EventQuery } from '../../../src/store';
import { eventStoreFromEnvironment } from '../../../src/wiring/ingestFromEnvironment';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';
import { referenceMatch, type ReferenceSubscription } from '../../helpers/routing/referenceMatcher';

/**
 * runBacktest over the real event store (dynalite) with small pages: it reads only the window (by arrival
 * time) and only the types the subscriptions can match, follows the cursor to the end, reads more types than
 * one query may in several groups, counts as a brute-force evaluation does, and keeps the oldest matches.
 */
const TYPES = ['com.example.orders.created', 'com.example.orders.paid', 'com.example.users.signup'];
/** More distinct types than one query reads, so reading every type takes two groups. */
const BULK_TYPES = MAX_QUERY_TYPES + 10;
const START = Date.parse('2026-12-01T00:00:00.000Z');
const MINUTE = 60_000;

let emulators: TestEmulators;
let store: DynamoDbEventStore;
const events: { event: CloudEventJson; arrivedAt: number }[] = [];

beforeAll(async () => {
  emulators = await startTestEmulators({ shards: 1 });
  store = eventStoreFromEnvironment(emulators.env, emulators.clients);
  // One event a minute from START...
  for (let i = 0; i < 130; i++) {
    const event = { specversion: '1.0', id: `paging-${i}`, source: i % 3 === 0 ? '/eu' : '/us', type: TYPES[i % TYPES.length], data: { total: (i * 13) % 100, odd: i % 2 === 1 } };
    events.push({ event: event as CloudEventJson, arrivedAt: START + i * MINUTE });
  }
  // ...and one of each bulk type, a few seconds apart, newest first by type number.
  for (let i = 0; i < BULK_TYPES; i++) {
    const event = { specversion: '1.0', id: `bulk-${i}`, source: '/bulk', type: `com.bulk.t${i}`, data: { total: i } };
    events.push({ event: event as CloudEventJson, arrivedAt: START + 12 * MINUTE + (BULK_TYPES - i) * 7_000 });
  }
  for (let start = 0; start < events.length; start += 25) {
    const batch = events.slice(start, start + 25).map(({ event, arrivedAt }, k) => ({
      event,
      position: { sequence: String(49_000_000 + start + k), shard: 'shardId-000000000000', arrivedAt: new Date(arrivedAt).toISOString() },
    }));
    await store.storeBatch(batch);
  }
}, 120_000);
afterAll(() => emulators.close());

// Minutes 10 (inclusive) to 110 (exclusive): 100 of the minute events, and every bulk one.
const window = { from: new Date(START + 10 * MINUTE), to: new Date(START + 110 * MINUTE) };
const inWindow = () => events.filter(({ arrivedAt }) => arrivedAt >= window.from.getTime() && arrivedAt < window.to.getTime());

/** What a brute-force evaluation expects: counts, and the oldest three matches as samples. */
function expected(subscriptions: ReferenceSubscription[]) {
  const oldestFirst = [...inWindow()].sort((a, b) => a.arrivedAt - b.arrivedAt).map(({ event }) => event);
  return subscriptions.map(({ id }) => {
    const matching = oldestFirst.filter((event) => referenceMatch(subscriptions, event).includes(id));
    return { id, matched: matching.length, samples: matching.slice(0, 3).map(({ source, id: eventId, type }) => ({ source, id: eventId, type })) };
  });
}

test('reads only the types the subscriptions list, page after page, and counts as a brute-force evaluation does', async () => {
  const subscriptions: ReferenceSubscription[] = [
    { id: 'orders', types: ['com.example.orders.>'] },
    { id: 'large-orders', types: ['com.example.orders.created'], filter: { data: { total: [{ numeric: ['>=', 60] }] } } },
    { id: 'none', types: [] },
  ];
  const queries: EventQuery[] = [];
  const progress: number[] = [];
  const result = await runBacktest({
    listTypes: () => store.listTypes(),
    queryEvents: (query) => {
      queries.push(query);
      return store.queryEvents(query);
    },
    subscriptions,
    window,
    samples: 3,
    pageSize: 9,
    onPage: (_scanned, done) => progress.push(done),
  });
  const orders = inWindow().filter(({ event }) => event.type.startsWith('com.example.orders.'));
  expect(result.types).toBe(2);
  expect(result.scanned).toBe(orders.length);
  expect(queries.length).toBeGreaterThanOrEqual(Math.ceil(orders.length / 9));
  expect(new Set(queries.map((query) => JSON.stringify(query.types)))).toEqual(new Set([JSON.stringify(['com.example.orders.created', 'com.example.orders.paid'])]));
  expect(progress[progress.length - 1]).toBe(1);
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
  expect(result.subscriptions).toEqual(expected(subscriptions));
});

test('reads every type, in groups of at most MAX_QUERY_TYPES, when a subscription lists none; samples are the oldest matches of all groups', async () => {
  const subscriptions: ReferenceSubscription[] = [
    { id: 'eu-or-odd', filter: { $or: [{ source: ['/eu'] }, { data: { odd: [true] } }] } },
    { id: 'bulk', types: ['com.bulk.*'] },
    { id: 'everything' },
  ];
  const queries: EventQuery[] = [];
  const result = await runBacktest({
    listTypes: () => store.listTypes(),
    queryEvents: (query) => {
      queries.push(query);
      return store.queryEvents(query);
    },
    subscriptions,
    window,
    samples: 3,
    pageSize: 200,
  });
  expect(result.types).toBe(TYPES.length + BULK_TYPES);
  expect(result.scanned).toBe(inWindow().length);
  const groups = [...new Set(queries.map((query) => JSON.stringify(query.types)))].map((text) => JSON.parse(text) as string[]);
  expect(groups.map((group) => group.length)).toEqual([MAX_QUERY_TYPES, TYPES.length + BULK_TYPES - MAX_QUERY_TYPES]);
  expect(result.subscriptions).toEqual(expected(subscriptions));
  // The oldest events of the window are bulk ones read in the second group: samples must still be them.
  expect(result.subscriptions[2].samples.map((sample) => sample.id)).toEqual(expected(subscriptions)[2].samples.map((sample) => sample.id));
});
