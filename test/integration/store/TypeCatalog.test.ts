import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createEventKeys, type EventKeys } from '../../../src/crypto';
import type { CloudEventJson } from '../../../src/events/types';
import { CATALOG_CACHE_MS, DynamoDbEventStore, EVENT_TABLE_SCHEMA } from '../../../src/store';
import { createAwsClients, type AwsClients } from '../../../src/wiring/awsClients';
import { startEmulators, type Emulators } from '../../../local/emulators';
import { ensureTable } from '../../../local/provision';

/** The type catalog as the store writes and reads it: once per entry per process, read through a cache. */
describe('the type catalog of DynamoDbEventStore on dynalite', () => {
  let emulators: Emulators;
  let clients: AwsClients;
  let keys: EventKeys;
  let tableName: string;
  let sequence = 0n;

  beforeAll(async () => {
    emulators = await startEmulators();
    clients = createAwsClients({ ...process.env, ...emulators.env });
    keys = createEventKeys({ kms: clients.kms, keyId: emulators.kmsKeyId });
  });
  beforeEach(async () => {
    tableName = `events-${randomUUID()}`;
    await ensureTable(clients.dynamodb, tableName, EVENT_TABLE_SCHEMA);
  });
  afterAll(async () => {
    clients?.dynamodb.destroy();
    clients?.kms.destroy();
    await emulators?.close();
  });

  /** A store with a client of its own that counts the catalog puts it sends (a process of its own). */
  function countingStore(options: { clock?: () => number } = {}) {
    const { dynamodb } = createAwsClients({ ...process.env, ...emulators.env });
    const catalogPuts: string[] = [];
    const catalogReads: string[] = [];
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Item?: { pk?: { S?: string } }; ExpressionAttributeValues?: { ':tb'?: { S?: string } } };
        if (context.commandName === 'PutItemCommand' && input.Item?.pk?.S?.startsWith('cat#')) catalogPuts.push(input.Item.pk.S);
        const tb = input.ExpressionAttributeValues?.[':tb']?.S;
        if (context.commandName === 'QueryCommand' && tb?.startsWith('$')) catalogReads.push(tb);
        return next(args);
      },
      { step: 'build', name: 'countCatalogRequests' },
    );
    const store = new DynamoDbEventStore({ documents: DynamoDBDocumentClient.from(dynamodb), tableName, keys, ...options });
    return { store, catalogPuts, catalogReads, close: () => dynamodb.destroy() };
  }

  const event = (source: string, type: string): CloudEventJson => ({ specversion: '1.0', id: randomUUID(), source, type });
  const position = () => ({ sequence: String(10n ** 55n + ++sequence), shard: 'shardId-000000000000', arrivedAt: new Date().toISOString() });
  const batch = (events: CloudEventJson[]) => events.map((e) => ({ event: e, position: position() }));

  it('writes each type and each source + type pair once per process, however many events carry it', async () => {
    const writer = countingStore();
    try {
      for (let round = 0; round < 3; round++) {
        await writer.store.storeBatch(batch([event('/shop', 'order.created'), event('/shop', 'order.created'), event('/shop', 'order.paid'), event('/billing', 'order.paid')]));
      }
      await writer.store.archive(event('/shop', 'order.paid'), position());
      // 2 types, 3 pairs: 5 puts for 13 events.
      expect(writer.catalogPuts).toHaveLength(5);
      expect(new Set(writer.catalogPuts).size).toBe(5);

      // Another process sends each entry it meets once (its conditional put finds it there), then never again:
      // 2 types, 2 pairs.
      const other = countingStore();
      try {
        await other.store.storeBatch(batch([event('/shop', 'order.created'), event('/billing', 'order.paid')]));
        await other.store.storeBatch(batch([event('/shop', 'order.created'), event('/billing', 'order.paid')]));
        expect(other.catalogPuts).toHaveLength(4);
        expect(new Set(other.catalogPuts).size).toBe(4);
      } finally {
        other.close();
      }

      const reader = countingStore();
      try {
        expect(await reader.store.listTypes()).toEqual(['order.created', 'order.paid']);
        expect(await reader.store.listSources()).toEqual([
          { source: '/billing', types: ['order.paid'] },
          { source: '/shop', types: ['order.created', 'order.paid'] },
        ]);
        expect(reader.catalogPuts).toEqual([]);
      } finally {
        reader.close();
      }
    } finally {
      writer.close();
    }
  });

  it('writes nothing to the catalog for a batch of duplicates, and keeps sources apart that JSON would confuse', async () => {
    const writer = countingStore();
    try {
      const first = event('/a"b', 'x.y');
      await writer.store.storeBatch(batch([first, event('/a', 'b".x'), event('/a\\', 'z')]));
      const puts = writer.catalogPuts.length;
      expect(await writer.store.storeBatch(batch([first]))).toEqual(['duplicate']);
      expect(writer.catalogPuts).toHaveLength(puts);
      expect(await writer.store.listSources()).toEqual([
        { source: '/a', types: ['b".x'] },
        { source: '/a"b', types: ['x.y'] },
        { source: '/a\\', types: ['z'] },
      ]);
      expect((await writer.store.queryEvents({ source: '/a"b', types: '>' })).events.map((s) => s.event.id)).toEqual([first.id]);
    } finally {
      writer.close();
    }
  });

  it('serves patterns from a cached read: a type new to another process shows once the cache expires; exact types at once, with no catalog read', async () => {
    let now = Date.now();
    const reader = countingStore({ clock: () => now });
    const writer = countingStore();
    try {
      await writer.store.storeBatch(batch([event('/shop', 'order.created')]));
      expect((await reader.store.queryEvents({ types: 'order.*' })).events).toHaveLength(1);

      await writer.store.storeBatch(batch([event('/shop', 'order.shipped')]));
      expect((await reader.store.queryEvents({ types: 'order.*' })).events).toHaveLength(1);
      expect(await reader.store.listTypes()).toEqual(['order.created']);
      const reads = reader.catalogReads.length;
      expect((await reader.store.queryEvents({ types: 'order.shipped' })).events).toHaveLength(1);
      expect((await reader.store.queryEvents({ types: ['order.shipped', 'order.created'], source: '/shop' })).events).toHaveLength(2);
      expect(reader.catalogReads).toHaveLength(reads);

      now += CATALOG_CACHE_MS + 1;
      expect((await reader.store.queryEvents({ types: 'order.*' })).events).toHaveLength(2);
      expect(await reader.store.listTypes()).toEqual(['order.created', 'order.shipped']);
      // The writer's own reads see its new types at once (a new entry clears its cache).
      await writer.store.listTypes();
      await writer.store.storeBatch(batch([event('/shop', 'order.returned')]));
      expect(await writer.store.listTypes()).toEqual(['order.created', 'order.returned', 'order.shipped']);
    } finally {
      reader.close();
      writer.close();
    }
  });

  it('fails the batch when a catalog write fails, and writes the entry on the retry', async () => {
    const { dynamodb } = createAwsClients({ ...process.env, ...emulators.env });
    let failCatalog = true;
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Item?: { pk?: { S?: string } } };
        if (failCatalog && context.commandName === 'PutItemCommand' && input.Item?.pk?.S?.startsWith('cat#')) {
          throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
        }
        return next(args);
      },
      { step: 'build', name: 'failCatalogPuts' },
    );
    try {
      const store = new DynamoDbEventStore({ documents: DynamoDBDocumentClient.from(dynamodb), tableName, keys });
      const entries = batch([event('/shop', 'order.failed')]);
      await expect(store.storeBatch(entries)).rejects.toThrow(/throttled/);
      failCatalog = false;
      expect(await store.storeBatch(entries)).toEqual(['again']);
      expect(await store.listTypes()).toEqual(['order.failed']);
    } finally {
      dynamodb.destroy();
    }
  });
});
