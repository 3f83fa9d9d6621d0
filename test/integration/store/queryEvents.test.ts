import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createEventKeys, type EventKeys } from '../../../src/crypto';
import type { CloudEventJson } from '../../../src/events/types';
import {
  BY_TYPE_BUCKET_INDEX,
  DynamoDbEventStore,
  EVENT_TABLE_SCHEMA,
  indexItemBytes,
  InvalidQueryError,
  itemBytes,
  TYPE_BUCKETS,
  writeUnits,
  type EventQuery,
  type EventQueryPage,
} from '../../../src/store';
import { createAwsClients, type AwsClients } from '../../../src/wiring/awsClients';
import { startEmulators, type Emulators } from '../../../local/emulators';
import { ensureTable } from '../../../local/provision';

describe('DynamoDbEventStore.queryEvents on dynalite', () => {
  let emulators: Emulators;
  let clients: AwsClients;
  let keys: EventKeys;
  let sequence = 0n;

  beforeAll(async () => {
    emulators = await startEmulators();
    clients = createAwsClients({ ...process.env, ...emulators.env });
    keys = createEventKeys({ kms: clients.kms, keyId: emulators.kmsKeyId });
  });
  afterAll(async () => {
    clients?.dynamodb.destroy();
    clients?.kms.destroy();
    await emulators?.close();
  });

  /** A store on a table of its own, so `>` sees only what the test wrote. */
  async function freshStore(options: { clock?: () => number; documents?: AwsClients['documents']; tableName?: string } = {}) {
    const tableName = options.tableName ?? `events-${randomUUID()}`;
    if (!options.tableName) await ensureTable(clients.dynamodb, tableName, EVENT_TABLE_SCHEMA);
    return new DynamoDbEventStore({ documents: options.documents ?? clients.documents, tableName, keys, ...(options.clock ? { clock: options.clock } : {}) });
  }

  function cloudEvent(type: string, overrides: Partial<CloudEventJson> = {}): CloudEventJson {
    return { specversion: '1.0', id: randomUUID(), source: '/shop', type, data: { n: Math.random() }, ...overrides };
  }

  /** Stores events one stream batch at a time, each arriving at the given time. */
  async function store(target: DynamoDbEventStore, events: readonly { event: CloudEventJson; arrivedAt: string }[]) {
    const outcomes = await target.storeBatch(
      events.map(({ event, arrivedAt }) => ({ event, position: { sequence: String(10n ** 55n + ++sequence), shard: 'shardId-000000000000', arrivedAt } })),
    );
    expect(outcomes.every((outcome) => outcome === 'stored')).toBe(true);
  }

  const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
  const ids = (page: EventQueryPage) => page.events.map(({ event }) => event.id);

  describe('type patterns, source, window and direction', () => {
    let target: DynamoDbEventStore;
    const created = cloudEvent('order.created');
    const paid = cloudEvent('order.paid');
    const itemAdded = cloudEvent('order.item.added');
    const invoiced = cloudEvent('invoice.sent', { source: '/billing' });
    const createdElsewhere = cloudEvent('order.created', { source: '/shop-2' });
    // The arrival order: the order queries answer in, across types and buckets.
    const inOrder = [created, itemAdded, invoiced, paid, createdElsewhere];

    beforeAll(async () => {
      target = await freshStore();
      // Stored out of arrival order, in two batches.
      await store(target, [
        { event: paid, arrivedAt: at(4) },
        { event: created, arrivedAt: at(1) },
      ]);
      await store(target, [
        { event: createdElsewhere, arrivedAt: at(5) },
        { event: invoiced, arrivedAt: at(3) },
        { event: itemAdded, arrivedAt: at(2) },
      ]);
    });

    const query = async (q: EventQuery) => ids(await target.queryEvents(q));
    const idsOf = (...events: CloudEventJson[]) => events.map((event) => event.id);

    it('expands `*` to one token and `>` to the rest, in arrival order', async () => {
      expect(await query({ types: 'order.*' })).toEqual(idsOf(created, paid, createdElsewhere));
      expect(await query({ types: 'order.>' })).toEqual(idsOf(created, itemAdded, paid, createdElsewhere));
      expect(await query({ types: '>' })).toEqual(idsOf(...inOrder));
      expect(await query({})).toEqual(idsOf(...inOrder));
      expect(await query({ types: '*.*.added' })).toEqual(idsOf(itemAdded));
    });

    it('reads an exact type, and several patterns at once without repeating an event', async () => {
      expect(await query({ types: 'order.paid' })).toEqual(idsOf(paid));
      expect(await query({ types: ['invoice.sent', 'order.*', 'order.created'] })).toEqual(idsOf(created, invoiced, paid, createdElsewhere));
      expect(await query({ types: 'order.unknown' })).toEqual([]);
      expect(await query({ types: 'nothing.>' })).toEqual([]);
    });

    it('keeps one source, with patterns and with exact types', async () => {
      expect(await query({ types: 'order.*', source: '/shop' })).toEqual(idsOf(created, paid));
      expect(await query({ source: '/shop' })).toEqual(idsOf(created, itemAdded, paid));
      expect(await query({ types: 'order.created', source: '/shop-2' })).toEqual(idsOf(createdElsewhere));
      expect(await query({ source: '/billing' })).toEqual(idsOf(invoiced));
      // `/shop` is a prefix of `/shop-2`: still another source.
      expect(await query({ types: 'order.created', source: '/shop' })).toEqual(idsOf(created));
      expect(await query({ source: '/nobody' })).toEqual([]);
    });

    it('bounds by arrival: from inclusive, to exclusive; Dates or ISO strings', async () => {
      expect(await query({ from: at(2), to: at(4) })).toEqual(idsOf(itemAdded, invoiced));
      expect(await query({ from: new Date(at(4)) })).toEqual(idsOf(paid, createdElsewhere));
      expect(await query({ to: '2026-01-01T00:03:00+00:00' })).toEqual(idsOf(created, itemAdded));
      expect(await query({ from: at(3), to: at(3) })).toEqual([]);
    });

    it('lists newest first when asked', async () => {
      expect(await query({ descending: true })).toEqual(idsOf(...inOrder).reverse());
      expect(await query({ types: 'order.*', descending: true, limit: 2 })).toEqual(idsOf(createdElsewhere, paid));
    });

    it('returns the events decrypted, with their position and arrival', async () => {
      const { events } = await target.queryEvents({ types: 'order.paid' });
      expect(events).toEqual([expect.objectContaining({ event: paid, arrivedAt: at(4), shard: 'shardId-000000000000' })]);
    });

    it('pages forward with next, back with previous, every event once', async () => {
      const first = await target.queryEvents({ limit: 2 });
      expect(ids(first)).toEqual(idsOf(created, itemAdded));
      const second = await target.queryEvents({ limit: 2, cursor: first.next });
      expect(ids(second)).toEqual(idsOf(invoiced, paid));
      const third = await target.queryEvents({ limit: 2, cursor: second.next });
      expect(ids(third)).toEqual(idsOf(createdElsewhere));
      expect(third.next).toBeUndefined();
      // Back from the last page: the other way, newest first.
      const back = await target.queryEvents({ limit: 3, cursor: third.previous });
      expect(ids(back)).toEqual(idsOf(paid, invoiced, itemAdded));
      const backAgain = await target.queryEvents({ limit: 3, cursor: back.next });
      expect(ids(backAgain)).toEqual(idsOf(created));
      expect(backAgain.next).toBeUndefined();
      // From the first event back: nothing; an empty page has no previous.
      const before = await target.queryEvents({ limit: 3, cursor: first.previous });
      expect(before).toEqual({ events: [] });
    });

    it('says there is no next page when the page ends the query exactly', async () => {
      const page = await target.queryEvents({ types: 'order.*', source: '/shop', limit: 2 });
      expect(ids(page)).toEqual(idsOf(created, paid));
      expect(page.next).toBeUndefined();
    });

    it('refuses a cursor of another query, or one it did not issue, naming the cursor', async () => {
      const { next } = await target.queryEvents({ types: 'order.*', from: at(0), limit: 1 });
      expect(next).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
      // The page size and the pattern order may change; the query may not.
      await expect(target.queryEvents({ types: ['order.*'], from: at(0), limit: 5, cursor: next })).resolves.toBeDefined();
      for (const other of [{ types: 'order.>' }, { types: 'order.*', source: '/shop' }, { types: 'order.*', from: at(1) }, { types: 'order.*', from: at(0), to: at(9) }]) {
        const error = await target.queryEvents({ ...other, cursor: next }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidQueryError);
        expect(error).toMatchObject({ field: 'cursor', message: expect.stringMatching(/belongs to another query/) });
      }
      for (const forged of ['bm90IGEgY3Vyc29y', 'not a cursor!', '', Buffer.from('[1,"x","a","b","c"]').toString('base64url')]) {
        const error = await target.queryEvents({ cursor: forged }).catch((e: unknown) => e);
        expect(error).toMatchObject({ name: 'InvalidQueryError', field: 'cursor', message: expect.stringMatching(/not one this store issued/) });
      }
    });

    it.each([
      [{ limit: 0 }, 'limit', /limit must be an integer from 1 to 1000, got 0/],
      [{ limit: 1001 }, 'limit', /got 1001/],
      [{ limit: 2.5 }, 'limit', /got 2.5/],
      [{ from: 'yesterday' }, 'from', /from must be an ISO 8601 time.*got "yesterday"/],
      [{ to: '+020000-01-01T00:00:00Z' }, 'to', /to must be an ISO 8601 time/],
      [{ from: at(3), to: at(1) }, 'to', /is before from/],
      [{ types: 'order..created' }, 'types', /empty token/],
      [{ types: ['order.*', 'a.>.b'] }, 'types', /types\[1\] ">" must be the last token/],
      [{ types: [] }, 'types', /at least one/],
      [{ source: '' }, 'source', /source must be a non-empty string/],
    ] as [EventQuery, string, RegExp][])('refuses %j, naming the field', async (bad, field, message) => {
      const error = await target.queryEvents(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidQueryError);
      expect((error as InvalidQueryError).field).toBe(field);
      expect((error as Error).message).toMatch(message);
    });
  });

  it('gives an open-ended oldest-first query a resume cursor that polls for what is stored later', async () => {
    const target = await freshStore();
    const first = cloudEvent('poll.tick');
    await store(target, [{ event: first, arrivedAt: at(1) }]);
    const page = await target.queryEvents({ types: 'poll.*' });
    expect(ids(page)).toEqual([first.id]);
    expect(page.next).toBeUndefined();
    expect(page.resume).toBeDefined();
    // Nothing new yet: an empty page that hands the same position back.
    const idle = await target.queryEvents({ types: 'poll.*', cursor: page.resume });
    expect(idle.events).toEqual([]);
    expect(idle.resume).toBe(page.resume);
    const later = [cloudEvent('poll.tick'), cloudEvent('poll.tock')];
    await store(target, [
      { event: later[0]!, arrivedAt: at(2) },
      { event: later[1]!, arrivedAt: at(3) },
    ]);
    const polled = await target.queryEvents({ types: 'poll.*', cursor: idle.resume });
    expect(ids(polled)).toEqual(later.map((event) => event.id));
    // Bounded or newest-first queries finish: no resume.
    expect((await target.queryEvents({ types: 'poll.*', to: at(10) })).resume).toBeUndefined();
    expect((await target.queryEvents({ types: 'poll.*', descending: true })).resume).toBeUndefined();
  });

  it('finds an event whose key was hashed (over 2 KB) by its source', async () => {
    const target = await freshStore();
    const source = `/long/${'x'.repeat(2100)}`;
    const long = cloudEvent('order.created', { source });
    const other = cloudEvent('order.created', { source: `/long/${'y'.repeat(2100)}` });
    await store(target, [
      { event: long, arrivedAt: at(1) },
      { event: other, arrivedAt: at(2) },
    ]);
    expect(ids(await target.queryEvents({ types: 'order.created', source }))).toEqual([long.id]);
    expect(ids(await target.queryEvents({ source }))).toEqual([long.id]);
    expect(ids(await target.queryEvents({ types: 'order.created' }))).toEqual([long.id, other.id]);
  });

  it("spreads 1,000 events of one type over all the type's buckets", async () => {
    const target = await freshStore();
    const events = Array.from({ length: 1000 }, () => ({ event: cloudEvent('busy.type', { data: undefined }), arrivedAt: at(1) }));
    for (let i = 0; i < events.length; i += 250) await store(target, events.slice(i, i + 250));
    const counts: number[] = [];
    for (let bucket = 0; bucket < TYPE_BUCKETS; bucket++) {
      let count = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await clients.documents.send(
          new QueryCommand({
            TableName: (target as unknown as { tableName: string }).tableName,
            IndexName: BY_TYPE_BUCKET_INDEX,
            KeyConditionExpression: 'tb = :tb',
            ExpressionAttributeValues: { ':tb': `busy.type#${bucket}` },
            Select: 'COUNT',
            ExclusiveStartKey: start,
          }),
        );
        count += page.Count ?? 0;
        start = page.LastEvaluatedKey;
      } while (start);
      counts.push(count);
    }
    expect(TYPE_BUCKETS).toBe(4);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1000);
    // 250 each on average; a fair hash stays within ±100 of it (±7 standard deviations).
    for (const count of counts) expect(Math.abs(count - 250)).toBeLessThan(100);
    // And the query reads them all back, in (arrival, sequence) order: the storage order here.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await target.queryEvents({ types: 'busy.type', limit: 300, cursor });
      seen.push(...ids(page));
      cursor = page.next;
    } while (cursor);
    expect(seen).toEqual(events.map(({ event }) => event.id));
  });

  it('says what to do when the event table predates the byTypeBucket index', async () => {
    const tableName = `events-${randomUUID()}`;
    await ensureTable(clients.dynamodb, tableName, { partitionKey: 'pk', indexes: { byType: { partitionKey: 'type', sortKey: 'timeKey', projection: 'KEYS_ONLY' } } });
    const old = await freshStore({ tableName });
    for (const read of [() => old.queryEvents({ types: 'order.created' }), () => old.listTypes()]) {
      await expect(read()).rejects.toThrow(`event table ${tableName} has no byTypeBucket index (it was made before queries by type bucket)`);
    }
  });

  it('costs at most 2 write units per ~1 KB event: the item and its keys-only index item', async () => {
    const target = await freshStore();
    const event = cloudEvent('com.example.orders.created', {
      subject: `order-${randomUUID()}`,
      data: { lines: Array.from({ length: 5 }, (_, i) => ({ sku: `SKU-${i}-${randomUUID()}`, qty: i + 1, unitPrice: 12.5 * i })), note: 'n'.repeat(300) },
    });
    expect(Buffer.byteLength(JSON.stringify(event))).toBeGreaterThan(800);
    const item = (await target.buildItem(event, { sequence: String(10n ** 55n), shard: 'shardId-000000000000', arrivedAt: at(1) })) as unknown as Record<string, unknown>;
    const units = writeUnits(itemBytes(item)) + writeUnits(indexItemBytes(item, ['tb', 'timeKey', 'pk']));
    expect(units).toBe(2);
  });
});
