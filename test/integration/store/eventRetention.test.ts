import { randomBytes, randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { CloudEventJson } from '../../../src/events/types';
import { EVENT_TTL_ATTRIBUTE, itemBytes, itemKey } from '../../../src/store';
import { ENV } from '../../../src/wiring/environment';
import { eventStoreFromEnvironment } from '../../../src/wiring/ingestFromEnvironment';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';

/**
 * Retention of the event store (stage setting `retentionDays` → `EVENT_RETENTION_DAYS`): each event item carries
 * `ttl`, its storage time plus the retention in epoch seconds, for DynamoDB TTL. dynalite ignores TTL, so these
 * tests check the value the items carry, and that the attribute keeps a ~1 KB event within its write units.
 */
describe('event store retention (ttl on event items, dynalite)', () => {
  let bus: TestEmulators;
  const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
  let sequence = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000n;

  beforeAll(async () => {
    bus = await startTestEmulators({ shards: 1 });
  });
  afterAll(() => bus?.close());

  const event = (data: unknown = { orderId: 7 }): CloudEventJson => ({
    specversion: '1.0',
    id: randomUUID(),
    source: '/shop/orders',
    type: 'com.example.orders.created',
    datacontenttype: 'application/json',
    data,
  });
  const position = () => ({ sequence: String(++sequence), shard: 'shardId-000000000000', arrivedAt: new Date(NOW).toISOString() });

  async function storedItem(stored: CloudEventJson): Promise<Record<string, unknown>> {
    const { Item } = await bus.clients.documents.send(new GetCommand({ TableName: bus.names.eventTable, Key: { pk: itemKey(stored.source, stored.id) }, ConsistentRead: true }));
    return Item!;
  }

  it('stamps each stored event with ttl = storage time + EVENT_RETENTION_DAYS days, in epoch seconds', async () => {
    const store = eventStoreFromEnvironment({ ...bus.env, [ENV.eventRetentionDays]: '30' }, bus.clients);
    const batch = [event(), event({ big: 'x'.repeat(2000) })];
    const before = Math.floor(Date.now() / 1000);
    await store.storeBatch(batch.map((e) => ({ event: e, position: position() })));
    const after = Math.floor(Date.now() / 1000);
    for (const stored of batch) {
      const item = await storedItem(stored);
      // Storage time, not arrival: the item's `at` (ms) and its ttl (s) agree exactly.
      expect(item[EVENT_TTL_ATTRIBUTE]).toBe(Math.floor((item.at as number) / 1000) + 30 * 86_400);
      expect(item[EVENT_TTL_ATTRIBUTE]).toBeGreaterThanOrEqual(before + 30 * 86_400);
      expect(item[EVENT_TTL_ATTRIBUTE]).toBeLessThanOrEqual(after + 30 * 86_400);
    }
    // The events read back as they went in: ttl is the store's own, never part of the event.
    expect((await store.get(batch[0].source, batch[0].id))?.event).toEqual(batch[0]);
  });

  it('writes no ttl without a retention (events kept until deleted), and refuses a retention that is not a positive integer', async () => {
    const store = eventStoreFromEnvironment(bus.env, bus.clients);
    const kept = event();
    await store.storeBatch([{ event: kept, position: position() }]);
    expect(await storedItem(kept)).not.toHaveProperty(EVENT_TTL_ATTRIBUTE);
    expect(() => eventStoreFromEnvironment({ ...bus.env, [ENV.eventRetentionDays]: '0' }, bus.clients)).toThrow(
      'environment variable EVENT_RETENTION_DAYS must be a positive integer, got "0"',
    );
  });

  it('keeps a ~1 KB event within 2 write units: ttl adds at most 10 bytes to its item', async () => {
    const withTtl = eventStoreFromEnvironment({ ...bus.env, [ENV.eventRetentionDays]: '3650' }, bus.clients);
    const without = eventStoreFromEnvironment(bus.env, bus.clients);
    // ~1 KB of JSON that does not deflate (random hex), as the write-unit bench sizes events.
    const oneKb = event({ note: randomBytes(440).toString('hex') });
    expect(Buffer.byteLength(JSON.stringify(oneKb))).toBeGreaterThan(1000);
    const a = { ...(await withTtl.buildItem(oneKb, position())) };
    const b = { ...(await without.buildItem(oneKb, position())) };
    expect(itemBytes(a) - itemBytes(b)).toBeGreaterThan(0);
    expect(itemBytes(a) - itemBytes(b)).toBeLessThanOrEqual(10);
    expect(Math.ceil(itemBytes(a) / 1024)).toBeLessThanOrEqual(2);
  });
});
