import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { createAwsClients } from '../../../src/wiring/awsClients';
import { createEventKeys } from '../../../src/crypto';
import type { CloudEventJson } from '../../../src/events/types';
import { partitionKeyOf } from '../../../src/events/partitionKeyOf';
import { Router } from '../../../src/router/Router';
import { DynamoDbEventStore } from '../../../src/store';
import { kinesisStreamRecord } from '../../../src/stream/kinesisStreamRecord';
import { makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../delivery/support/Receiver';
import { EngineHarness, kinesisRecords, webhookSubscription } from '../engine/support/EngineHarness';

const SECRET = 'whsec_' + randomBytes(32).toString('base64');

let harness: EngineHarness;
let receiver: Receiver;
/** BatchWriteItem calls (1-based) that fail, on the store's own client. */
const failingWrites = new Set<number>();
let writeCalls = 0;
let batchGets = 0;
/** Keys of the type catalog's puts, on the store's own client. */
const catalogPuts: string[] = [];
let store: DynamoDbEventStore;
let router: Router;

beforeAll(async () => {
  harness = await EngineHarness.start({ env: { HOOK_SECRET: SECRET } });
  receiver = await Receiver.start();
  // The store on clients of its own, wrapped to fail chosen BatchWriteItem calls: dynalite never fails one.
  const clients = createAwsClients(harness.test.env);
  clients.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchGetItemCommand') batchGets += 1;
      if (context.commandName === 'BatchWriteItemCommand' && failingWrites.has(++writeCalls)) {
        throw Object.assign(new Error('injected: the table is unavailable'), { name: 'InternalServerError' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectBatchWriteFailures' },
  );
  clients.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      const pk = (args.input as { Item?: { pk?: { S?: string } } }).Item?.pk?.S;
      if (context.commandName === 'PutItemCommand' && pk?.startsWith('cat#')) catalogPuts.push(pk);
      return next(args);
    },
    { step: 'build', name: 'countCatalogPuts' },
  );
  store = new DynamoDbEventStore({
    documents: clients.documents,
    tableName: harness.test.names.eventTable,
    keys: createEventKeys({ kms: clients.kms, keyId: harness.test.emulators.kmsKeyId }),
    retryBaseMs: 1,
  });
  router = new Router({ store, delivery: harness.engine, log: harness.log, metrics: harness.metrics });
});
afterAll(async () => {
  await receiver.close();
  await harness.close();
});
beforeEach(async () => {
  receiver.reset();
  receiver.answer((_request, response) => response.writeHead(204).end());
  failingWrites.clear();
  writeCalls = 0;
  batchGets = 0;
  await harness.putSubscriptions({ subscriptions: [webhookSubscription('hooks', receiver.url('/hooks'), {}, { concurrency: 4 })] });
});

const deliveredIds = () => receiver.requests.map((request) => (new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>) as CloudEventJson).id);
const countOf = (ids: string[]) => ids.reduce((counts, id) => counts.set(id, (counts.get(id) ?? 0) + 1), new Map<string, number>());

describe('Router: store the batch, then deliver what is new', () => {
  it('stores every event before delivering it, with one BatchGetItem for up to 100 keys', async () => {
    const events = Array.from({ length: 100 }, () => makeEvent());
    const result = await router.routeBatch(kinesisRecords(events));
    expect(result.batchItemFailures).toEqual([]);
    expect(result.summary).toEqual({ events: 100, stored: 100, again: 0, duplicates: 0, undecodable: 0 });
    expect(batchGets).toBe(1);
    expect(writeCalls).toBe(4);
    expect(deliveredIds().sort()).toEqual(events.map((event) => event.id).sort());
    for (const event of [events[0], events[99]]) expect((await store.get(event.source, event.id))?.event).toEqual(event);
  });

  it('drops copies of a stored event and later copies in the same batch: copies 1 ms apart in one key are delivered once', async () => {
    const event = makeEvent({ partitionkey: 'order-7' });
    const copy = { ...event, time: new Date(Date.parse(event.time!) + 1).toISOString() };
    const other = makeEvent({ partitionkey: 'order-7' });
    const first = await router.routeBatch(kinesisRecords([event, copy, other]));
    expect(first.summary).toMatchObject({ stored: 2, duplicates: 1 });
    // A later batch with yet another copy (another sequence): the store holds the first, so it is dropped too.
    const later = await router.routeBatch(kinesisRecords([{ ...event }]));
    expect(later.summary).toMatchObject({ stored: 0, again: 0, duplicates: 1 });
    expect(deliveredIds().sort()).toEqual([event.id, other.id].sort());
    // The stored copy is the first one.
    expect((await store.get(event.source, event.id))?.event).toEqual(event);
    expect(harness.metrics.counts.DuplicateDropped).toBeGreaterThanOrEqual(2);
  });

  it('delivers a retried batch again (same sequences): a Kinesis retry after a ledger failure still delivers', async () => {
    const records = kinesisRecords([makeEvent(), makeEvent()]);
    await router.routeBatch(records);
    const again = await router.routeBatch(records);
    expect(again.summary).toMatchObject({ stored: 0, again: 2, duplicates: 0 });
    expect([...countOf(deliveredIds()).values()]).toEqual([2, 2]);
  });

  it('a batch that fails half-way through storing delivers nothing, and its retry delivers every event exactly once', async () => {
    const events = Array.from({ length: 60 }, () => makeEvent());
    const records = kinesisRecords(events);
    failingWrites.add(2); // of the three BatchWriteItem calls (25 + 25 + 10), the second fails
    const failed = await router.routeBatch(records);
    expect(failed.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(records.map((record) => record.kinesis.sequenceNumber));
    expect(receiver.requests).toHaveLength(0);
    const storedBefore = (await Promise.all(events.map((event) => store.get(event.source, event.id)))).filter(Boolean).length;
    expect(storedBefore).toBeGreaterThan(0);
    expect(storedBefore).toBeLessThan(60);
    expect(harness.log.lines.some((line) => line.level === 'error' && /cannot store this batch/.test(line.message))).toBe(true);

    // Kinesis sends the same records again.
    const retried = await router.routeBatch(records);
    expect(retried.batchItemFailures).toEqual([]);
    expect(retried.summary).toMatchObject({ stored: 60 - storedBefore, again: storedBefore, duplicates: 0 });
    const counts = countOf(deliveredIds());
    expect(counts.size).toBe(60);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    for (const event of events) expect((await store.get(event.source, event.id))?.event).toEqual(event);
  });

  it('passes over a record that is not a CloudEvent, storing and delivering the rest', async () => {
    const event = makeEvent();
    const [record] = kinesisRecords([event]);
    const junk = { ...record, kinesis: { ...record.kinesis, sequenceNumber: record.kinesis.sequenceNumber + '0', data: Buffer.from('not json').toString('base64') } };
    const result = await router.routeBatch([junk, record]);
    expect(result.batchItemFailures).toEqual([]);
    expect(result.summary).toMatchObject({ undecodable: 1, stored: 1 });
    expect(deliveredIds()).toEqual([event.id]);
  });
});

describe('Router: what it stores, queries find', () => {
  it('in stream order per partition key (arrival, then sequence), the catalog written once per type and source', async () => {
    const ns = `com.example.routed${Date.now()}`;
    const start = Date.parse('2026-02-01T00:00:00.000Z');
    let sequence = 0;
    // Two shards, two keys each, several records of a shard in one millisecond: arrival orders the shard.
    const batchOf = (shard: number, events: CloudEventJson[], firstMs: number) =>
      events.map((event, i) =>
        kinesisStreamRecord({
          shardId: `shardId-00000000000${shard}`,
          partitionKey: partitionKeyOf(event),
          sequenceNumber: `49600000000000000000000000000000000000000000000${String(++sequence).padStart(9, '0')}`,
          data: Buffer.from(JSON.stringify(event)),
          arrivedAt: new Date(start + firstMs + Math.floor(i / 3)),
        }),
      );
    const keys = ['k0', 'k1', 'k2', 'k3'];
    const byKey = new Map<string, string[]>(keys.map((key) => [key, []]));
    const batches = [0, 1, 2].flatMap((round) =>
      [0, 1].map((shard) => {
        const events = Array.from({ length: 7 }, (_, i) => makeEvent({ type: `${ns}.${i % 2 ? 'paid' : 'created'}`, partitionkey: keys[shard * 2 + (i % 2)] }));
        for (const event of events) byKey.get(String(event.partitionkey))!.push(event.id);
        return batchOf(shard, events, round * 10 + shard);
      }),
    );
    catalogPuts.length = 0;
    for (const records of batches) expect((await router.routeBatch(records)).batchItemFailures).toEqual([]);
    expect(catalogPuts).toHaveLength(4);

    const seen: CloudEventJson[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.queryEvents({ types: `${ns}.>`, source: '/shop', limit: 5, cursor });
      seen.push(...page.events.map((stored) => stored.event));
      cursor = page.next;
    } while (cursor);
    expect(seen).toHaveLength(42);
    for (const key of keys) expect(seen.filter((event) => event.partitionkey === key).map((event) => event.id)).toEqual(byKey.get(key));
    expect((await store.listTypes()).filter((type) => type.startsWith(ns))).toEqual([`${ns}.created`, `${ns}.paid`]);
  });
});

describe('Router deadline', () => {
  it('hands deliveries that cannot finish before the deadline to the ledger as pending, due now, and the redeliverer delivers each once', async () => {
    await harness.putSubscriptions({
      subscriptions: [webhookSubscription('slow', receiver.url('/slow'), {}, { concurrency: 1, timeoutSeconds: 1 })],
    });
    receiver.answer((_request, response) => setTimeout(() => response.writeHead(204).end(), 150));
    const events = Array.from({ length: 12 }, () => makeEvent());
    const started = Date.now();
    // Attempts may take up to 1 s each: only those starting in the first ~0.5 s may start.
    const result = await router.routeBatch(kinesisRecords(events), { deadline: started + 1_500 });
    const tookMs = Date.now() - started;
    expect(result.batchItemFailures).toEqual([]);
    expect(tookMs).toBeLessThan(1_500);
    const deliveredAtOnce = deliveredIds().length;
    const pending = await harness.pending('slow');
    expect(deliveredAtOnce).toBeGreaterThanOrEqual(1);
    expect(pending.length).toBeGreaterThanOrEqual(1);
    expect(deliveredAtOnce + pending.length).toBe(12);
    // Pending with no attempt counted, due now.
    expect(pending.every((entry) => entry.attempts === 0)).toBe(true);
    expect(harness.metrics.counts.DeliveryDeferred).toBe(pending.length);

    for (let round = 0; round < 20 && (await harness.pending('slow')).length > 0; round++) await harness.redeliverAfter(0);
    const counts = countOf(deliveredIds());
    expect(counts.size).toBe(12);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });

  it('keeps an ordered key in order when the deadline cuts through it', async () => {
    await harness.putSubscriptions({
      subscriptions: [webhookSubscription('ordered', receiver.url('/ordered'), {}, { ordered: true, timeoutSeconds: 1 })],
    });
    receiver.answer((_request, response) => setTimeout(() => response.writeHead(204).end(), 150));
    const events = Array.from({ length: 8 }, (_, i) => makeEvent({ partitionkey: 'one-key', data: { i } }));
    const result = await router.routeBatch(kinesisRecords(events), { deadline: Date.now() + 1_400 });
    expect(result.batchItemFailures).toEqual([]);
    const atOnce = deliveredIds().length;
    expect(atOnce).toBeGreaterThanOrEqual(1);
    expect(atOnce).toBeLessThan(8);
    for (let round = 0; round < 30 && (await harness.pending('ordered')).length > 0; round++) await harness.redeliverAfter(0);
    expect(deliveredIds()).toEqual(events.map((event) => event.id));
  });
});
