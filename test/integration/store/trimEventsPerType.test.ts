import { randomUUID } from 'node:crypto';
import type { CloudEventJson } from '../../../src/events/types';
import { trimEventsPerType } from '../../../src/store';
import { eventStoreFromEnvironment } from '../../../src/wiring/ingestFromEnvironment';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';

/**
 * The per-type maximum (CHEFS `max_msgs`), enforced without scans on dynalite: counts by COUNT queries of each
 * type's index partitions, the oldest by arrival beyond the maximum deleted, other types untouched.
 */
describe('trimEventsPerType (dynalite)', () => {
  let bus: TestEmulators;
  let sequence = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000n;
  beforeAll(async () => {
    bus = await startTestEmulators({ shards: 1 });
  });
  afterAll(() => bus?.close());

  const event = (type: string, n: number): CloudEventJson => ({ specversion: '1.0', id: randomUUID(), source: '/trim', type, data: { n } });

  it('deletes the oldest events of each type beyond the maximum, keeps the newest and other types, and leaves a type at the maximum alone', async () => {
    const store = eventStoreFromEnvironment(bus.env, bus.clients);
    const start = Date.UTC(2026, 11, 1);
    const orders = Array.from({ length: 30 }, (_, n) => event('orders.created', n));
    const users = Array.from({ length: 5 }, (_, n) => event('users.joined', n));
    // Arrival one second apart, in the order given: the oldest are the first.
    await store.storeBatch(
      [...orders, ...users].map((e, i) => ({ event: e, position: { sequence: String(++sequence), shard: 'shardId-000000000000', arrivedAt: new Date(start + i * 1000).toISOString() } })),
    );

    const trimmed = await trimEventsPerType({ documents: bus.clients.documents, tableName: bus.names.eventTable, maxEventsPerType: 5 });
    expect(trimmed).toEqual([{ type: 'orders.created', stored: 30, deleted: 25 }]);

    const kept = await store.queryEvents({ types: 'orders.created', limit: 100 });
    expect(kept.events.map((stored) => (stored.event.data as { n: number }).n)).toEqual([25, 26, 27, 28, 29]);
    expect(await store.get(orders[0].source, orders[0].id)).toBeUndefined();
    expect((await store.queryEvents({ types: 'users.joined', limit: 100 })).events).toHaveLength(5);

    // A second run finds nothing over the maximum.
    expect(await trimEventsPerType({ documents: bus.clients.documents, tableName: bus.names.eventTable, maxEventsPerType: 5 })).toEqual([]);
  });

  it('deletes at most maxDeletesPerType a run, so a backlog is trimmed over several runs; refuses a maximum below 1', async () => {
    const store = eventStoreFromEnvironment(bus.env, bus.clients);
    const batch = Array.from({ length: 12 }, (_, n) => event('audit.logged', n));
    await store.storeBatch(batch.map((e, i) => ({ event: e, position: { sequence: String(++sequence), shard: 'shardId-000000000000', arrivedAt: new Date(Date.UTC(2026, 11, 2) + i).toISOString() } })));
    const options = { documents: bus.clients.documents, tableName: bus.names.eventTable, maxEventsPerType: 5, maxDeletesPerType: 4 };
    expect(await trimEventsPerType(options)).toEqual([{ type: 'audit.logged', stored: 12, deleted: 4 }]);
    expect(await trimEventsPerType(options)).toEqual([{ type: 'audit.logged', stored: 8, deleted: 3 }]);
    expect(await trimEventsPerType(options)).toEqual([]);
    await expect(trimEventsPerType({ ...options, maxEventsPerType: 0 })).rejects.toThrow('trimEventsPerType: maxEventsPerType must be a positive integer, got 0');
  });
});
