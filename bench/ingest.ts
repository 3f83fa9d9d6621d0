/**
 * Ingest and store benchmarks, on the same emulators the local bus runs:
 * - ingest events/s (the real ingest handler: parse, validate, one BatchGetItem duplicate check, ordered
 *   PutRecords) ÷ raw PutRecords events/s of the same bytes into the same kinesalite;
 * - DynamoDB requests per event on the local bus's hot path: ingest, then the router storing every batch
 *   (one consistent BatchGetItem per 100 keys, BatchWriteItem per 25) before it would deliver;
 * - DynamoDB write units per ~1 KB event in AWS terms, counted from the items and index items the store
 *   writes by DynamoDB's size rules, beside the path before the router (ingest claim + completion, archive
 *   put, `byType` projecting ALL); today's index is `byTypeBucket` (keys only);
 * - KMS calls per 100,000 stored events, against one call per event.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createAwsClients, type AwsClients } from '../src/wiring/awsClients';
import { ENV } from '../src/wiring/environment';
import { fromApiGatewayEvent, routeRequest, toApiGatewayResult } from '../src/http';
import { eventStoreFromEnvironment, ingestApiFromEnvironment } from '../src/wiring/ingestFromEnvironment';
import { routerFromEnvironment } from '../src/wiring/deliveryFromEnvironment';
import { acceptEvents } from '../src/ingest/acceptEvents';
import { SILENT_LOG } from '../src/engine/types';
import type { CloudEventJson } from '../src/events/types';
import { indexItemBytes, itemBytes, writeUnits, type EventItem } from '../src/store';
import { startEmulators } from '../local/emulators';
import { provisionLocalResources, resourceEnv, type LocalResourceNames } from '../local/provision';
import { kinesisStreamRecord } from '../src/stream/kinesisStreamRecord';
import type { Benchmark, BenchRow } from './types';
import { median } from './stats';

const BATCH = 500;
const CONCURRENCY = 4;
const ROUNDS = 3;

function makeBatch(size: number): CloudEventJson[] {
  return Array.from({ length: size }, (_, i) => ({
    specversion: '1.0',
    id: randomUUID(),
    source: '/bench/shop',
    type: 'com.example.orders.created',
    subject: `order-${randomUUID()}`,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { total: i, currency: 'AUD', lines: [{ sku: 'A-1', qty: 2 }, { sku: 'B-7', qty: 1 }], note: 'x'.repeat(200) },
  }));
}

/**
 * A ~1 KB order event (serialized CloudEvent about 1,000 bytes), JSON data as producers send it: names repeat,
 * values vary (ids, amounts, an address, free text).
 */
function orderEvent(n: number): CloudEventJson {
  const lines = Array.from({ length: 5 }, (_, i) => ({ sku: `SKU-${(n * 7 + i) % 9973}`, name: `Item ${i} of order ${n}`, qty: (n + i) % 4 + 1, unitPrice: ((n * 13 + i * 7) % 5000) / 100 }));
  const event: CloudEventJson = {
    specversion: '1.0',
    id: randomUUID(),
    source: '/shop/orders',
    type: 'com.example.orders.created',
    subject: `order-${100_000 + n}`,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: {
      orderId: `order-${100_000 + n}`,
      customer: { id: `cust-${randomBytes(4).toString('hex')}`, email: `customer${n}@example.com`, name: 'Ada Lovelace' },
      shipTo: { street: `${n % 200} George Street`, city: 'Sydney', postcode: '2000', country: 'AU' },
      lines,
      total: lines.reduce((sum, line) => sum + line.qty * line.unitPrice, 0),
      currency: 'AUD',
      note: `Leave at the door, ring twice; parcel locker ${randomBytes(6).toString('base64url')} if nobody answers before six.`,
    },
  };
  return event;
}

function apiEvent(body: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/events',
    rawQueryString: '',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: 'POST', path: '/events' } } as APIGatewayProxyEventV2['requestContext'],
  };
}

/** Runs `work` on `total` batches with `CONCURRENCY` in flight; returns events per second. */
async function throughput(batches: CloudEventJson[][], work: (batch: CloudEventJson[]) => Promise<void>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) await work(batches[next++]);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return batches.reduce((sum, b) => sum + b.length, 0) / seconds;
}

async function withBus<T>(run: (env: NodeJS.ProcessEnv, names: LocalResourceNames, kmsCalls: () => Record<string, number>) => Promise<T>): Promise<T> {
  const emulators = await startEmulators();
  const names: LocalResourceNames = { eventTable: 'bench-events', idempotencyTable: 'bench-idem', deliveryTable: 'bench-deliveries', workerTable: 'bench-workers', stream: 'bench-stream', shards: 4, bucket: 'bench-config' };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...emulators.env,
    ...resourceEnv(names, emulators.kmsKeyId),
  };
  try {
    await provisionLocalResources(createAwsClients(env), names);
    return await run(env, names, emulators.kmsCalls);
  } finally {
    await emulators.close();
  }
}

/** Counts the DynamoDB requests sent with these clients. */
function countDynamoRequests(clients: AwsClients): () => number {
  let requests = 0;
  clients.dynamodb.middlewareStack.add((next) => (args) => (requests++, next(args)), { step: 'initialize' });
  return () => requests;
}

/**
 * Runs the router over everything in the stream, shard by shard in batches of 100 (as the local bus's poller
 * and Lambda's event source mapping hand them over); answers the events it saw.
 */
async function routeStream(kinesis: KinesisClient, streamName: string, route: (records: ReturnType<typeof kinesisStreamRecord>[]) => Promise<unknown>): Promise<number> {
  let events = 0;
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }));
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
      const records = page.Records ?? [];
      if (records.length === 0) break;
      await route(records.map((record) => kinesisStreamRecord({ shardId: shard.ShardId!, partitionKey: record.PartitionKey!, sequenceNumber: record.SequenceNumber!, data: record.Data!, arrivedAt: record.ApproximateArrivalTimestamp })));
      events += records.length;
      iterator = page.NextShardIterator;
    }
  }
  return events;
}


const ingestThroughput: Benchmark = {
  name: 'ingest',
  run: () =>
    withBus(async (env, names) => {
      const clients = createAwsClients(env);
      const { kinesis } = clients;
      const ingestRequests = countDynamoRequests(clients);
      const log = { warn: () => undefined, error: (m: string, d: unknown) => console.error(m, d) };
      const api = ingestApiFromEnvironment(env, log, clients);
      const raw = async (batch: CloudEventJson[]) => {
        const response = await kinesis.send(
          new PutRecordsCommand({
            StreamName: names.stream,
            Records: batch.map((e) => ({ PartitionKey: e.subject as string, Data: Buffer.from(JSON.stringify(e)) })),
          }),
        );
        if (response.FailedRecordCount) throw new Error('raw PutRecords failed records');
      };
      const handlerOf = (deps: typeof api) => async (batch: CloudEventJson[]) => {
        const result = toApiGatewayResult(await routeRequest(fromApiGatewayEvent(apiEvent(JSON.stringify(batch))), deps));
        if (result.statusCode !== 202) throw new Error(`ingest answered ${result.statusCode}: ${result.body}`);
      };
      const ingest = handlerOf(api);
      // The same handler path with the duplicate check taken out: the store is never read.
      const unchecked = handlerOf({
        ...api,
        accept: (events: CloudEventJson[]) =>
          acceptEvents(events, { kinesis, streamName: names.stream, store: { positions: async (keys) => keys.map(() => undefined) } }),
      });
      // Warm both paths, then alternate measured rounds so drift on a shared machine hits both alike.
      await raw(makeBatch(BATCH));
      await ingest(makeBatch(BATCH));
      await unchecked(makeBatch(BATCH));
      const rawRates: number[] = [];
      const ingestRates: number[] = [];
      const uncheckedRates: number[] = [];
      let ingested = 0;
      let ingestRequestsMeasured = 0;
      for (let round = 0; round < ROUNDS; round++) {
        rawRates.push(await throughput(Array.from({ length: 8 }, () => makeBatch(BATCH)), raw));
        const before = ingestRequests();
        ingestRates.push(await throughput(Array.from({ length: 8 }, () => makeBatch(BATCH)), ingest));
        ingestRequestsMeasured += ingestRequests() - before;
        ingested += 8 * BATCH;
        uncheckedRates.push(await throughput(Array.from({ length: 8 }, () => makeBatch(BATCH)), unchecked));
      }
      const ingestRequestsPerEvent = ingestRequestsMeasured / ingested;

      // The router over the whole stream (ingested and raw records alike): store, then deliver (no subscriptions).
      const routerEnv: NodeJS.ProcessEnv = { ...env, [ENV.subscriptionsKey]: 'bench-subscriptions.json' };
      await clients.s3.send(new PutObjectCommand({ Bucket: names.bucket, Key: 'bench-subscriptions.json', Body: JSON.stringify({ subscriptions: [] }) }));
      const routerClients = createAwsClients(routerEnv);
      const routerRequests = countDynamoRequests(routerClients);
      const router = routerFromEnvironment(routerEnv, SILENT_LOG, undefined, routerClients);
      const started = process.hrtime.bigint();
      const routed = await routeStream(kinesis, names.stream, async (records) => {
        const { batchItemFailures } = await router.routeBatch(records);
        if (batchItemFailures.length > 0) throw new Error(`router failed ${batchItemFailures.length} records`);
      });
      const routerSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      const hotPathRequests = ingestRequestsPerEvent + routerRequests() / routed;

      const value = median(ingestRates);
      const baselineValue = median(rawRates);
      const ratio = value / baselineValue;
      return [
        {
          name: 'ingest events/s (batches of 500, 4 in flight, duplicate check included) vs raw PutRecords',
          value,
          unit: 'events/s',
          baseline: 'raw PutRecords into the same kinesalite',
          baselineValue,
          ratio,
          goal: 'ratio >= 0.8',
          met: ratio >= 0.8,
        } satisfies BenchRow,
        {
          name: 'ingest events/s with the duplicate check taken out (parse, validate, ordered PutRecords) vs raw PutRecords',
          value: median(uncheckedRates),
          unit: 'events/s',
          baseline: 'raw PutRecords into the same kinesalite',
          baselineValue,
          ratio: median(uncheckedRates) / baselineValue,
          goal: 'ratio >= 0.8',
          met: median(uncheckedRates) / baselineValue >= 0.8,
        } satisfies BenchRow,
        {
          name: `DynamoDB requests per event on the local bus hot path (ingest ${ingestRequestsPerEvent.toFixed(3)} + router ${(routerRequests() / routed).toFixed(3)}; router stored ${Math.round(routed / routerSeconds)} events/s)`,
          value: hotPathRequests,
          unit: 'requests',
          baseline: 'before the router: ingest claim + completion + archive put per event',
          baselineValue: 3,
          ratio: hotPathRequests / 3,
          goal: 'value <= 0.1',
          met: hotPathRequests <= 0.1,
        } satisfies BenchRow,
      ];
    }),
};

/** What a KMS CiphertextBlob of a data key and a key ARN take in AWS (the old item carried both per event). */
const AWS_WRAPPED_KEY_BYTES = 184;
const AWS_KEY_ARN = 'arn:aws:kms:ap-southeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const writeUnitsPerEvent: Benchmark = {
  name: 'ingest-write-units',
  run: () =>
    withBus(async (env) => {
      const store = eventStoreFromEnvironment(env);
      const events = Array.from({ length: 200 }, (_, n) => orderEvent(n));
      const eventBytes = events.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)), 0) / events.length;
      let sequence = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;
      let now = 0;
      let before = 0;
      let biggestItem = 0;
      for (const event of events) {
        sequence += 1n;
        const position = { sequence: String(sequence), shard: 'shardId-000000000001', arrivedAt: new Date().toISOString() };
        const item = await store.buildItem(event, position);
        const base = itemBytes(item as unknown as Record<string, unknown>);
        const index = indexItemBytes(item as unknown as Record<string, unknown>, ['tb', 'timeKey', 'pk']);
        biggestItem = Math.max(biggestItem, base);
        now += writeUnits(base) + writeUnits(index);
        before += writeUnitsBefore(event, position, item);
      }
      now /= events.length;
      before /= events.length;
      return [
        {
          name: `DynamoDB write units per ~1 KB event in AWS terms, indexes included (events of ${Math.round(eventBytes)} B, item ≤ ${biggestItem} B + byTypeBucket keys-only index item; type catalog writes once per new type, ~0 per event)`,
          value: now,
          unit: 'write units',
          baseline: 'before the router: ingest claim + completion, archive put, byType projecting ALL',
          baselineValue: before,
          ratio: now / before,
          goal: 'value <= 2',
          met: now <= 2,
        } satisfies BenchRow,
      ];
    }),
};

/**
 * Write units the same event cost before the router: ingest's claim (put) and completion (update) of its
 * idempotency record, the archive's put of the old item (every attribute in full, the wrapped data key and key
 * ARN in each item, data not deflated), and the `byType` index item projecting ALL of it.
 */
function writeUnitsBefore(event: CloudEventJson, position: { sequence: string; shard: string; arrivedAt: string }, item: EventItem): number {
  const { id, source, type, data, data_base64: _b, ...attributes } = event;
  const plaintext = Buffer.byteLength(JSON.stringify(data));
  const old = {
    pk: item.pk,
    source,
    id,
    type,
    timeKey: item.timeKey,
    sequence: position.sequence,
    shard: position.shard,
    storedAt: new Date().toISOString(),
    arrivedAt: position.arrivedAt,
    attributes,
    sealed: { field: 'data', ciphertext: new Uint8Array(plaintext), iv: new Uint8Array(12), tag: new Uint8Array(16), wrappedKey: new Uint8Array(AWS_WRAPPED_KEY_BYTES), keyId: AWS_KEY_ARN, alg: 'AES-256-GCM' },
  };
  const claim = { pk: JSON.stringify(['ingest', source, id]), source, id, status: 'in_progress', token: randomUUID(), claimedAt: Date.now(), inProgressUntil: Date.now(), expiresAt: 1_800_000_000 };
  const completed = { ...claim, status: 'completed', sequence: position.sequence, shard: position.shard, completedAt: Date.now(), inProgressUntil: undefined };
  const oldBytes = itemBytes(old);
  return writeUnits(itemBytes(claim)) + writeUnits(itemBytes(completed)) + writeUnits(oldBytes) + writeUnits(oldBytes - Buffer.byteLength('timeKey') + 100);
}

const STORED = 100_000;

const kmsCallsPerStore: Benchmark = {
  name: 'ingest-store-kms',
  run: () =>
    withBus(async (env, _names, kmsCalls) => {
      const store = eventStoreFromEnvironment(env);
      const before = Object.values(kmsCalls()).reduce((a, b) => a + b, 0);
      const started = process.hrtime.bigint();
      let sequence = 10n ** 20n;
      for (let done = 0; done < STORED; done += 100) {
        // One Kinesis batch of 100 records, stored as the router does.
        await store.storeBatch(
          makeBatch(100).map((event) => {
            sequence += 1n;
            return { event, position: { sequence: String(sequence), shard: 'shardId-000000000000' } };
          }),
        );
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const calls = Object.values(kmsCalls()).reduce((a, b) => a + b, 0) - before;
      return [
        {
          name: `KMS calls per ${STORED.toLocaleString('en-US')} stored events (${Math.round(STORED / seconds)} events/s)`,
          value: calls,
          unit: 'calls',
          baseline: 'one KMS call per event',
          baselineValue: STORED,
          ratio: calls / STORED,
          goal: 'value <= 10',
          met: calls <= 10,
        } satisfies BenchRow,
      ];
    }),
};

export const ingestBenchmarks: Benchmark[] = [ingestThroughput, writeUnitsPerEvent, kmsCallsPerStore];
