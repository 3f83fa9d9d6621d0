/**
 * Ingest and archive benchmarks, on the same emulators the local bus runs:
 * - ingest events/s (the real ingest handler: parse, validate, dedupe claims, ordered PutRecords, completion)
 *   ÷ raw PutRecords events/s of the same bytes into the same kinesalite;
 * - KMS calls per 100,000 archived events (the real archive handler), against one call per event.
 */
import { randomUUID } from 'node:crypto';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { APIGatewayProxyEventV2, KinesisStreamEvent } from 'aws-lambda';
import { createAwsClients } from '../src/config/awsClients';
import { fromApiGatewayEvent, routeRequest, toApiGatewayResult } from '../src/http';
import { eventStoreFromEnvironment, ingestApiFromEnvironment } from '../src/runtime/fromEnvironment';
import { acceptEvents } from '../src/ingest/acceptEvents';
import { archiveRecord } from '../src/store/archiveRecord';
import type { CloudEventJson } from '../src/events/types';
import { startEmulators } from '../local/emulators';
import { provisionLocalResources, resourceEnv, type LocalResourceNames } from '../local/provision';
import { kinesisStreamRecord } from '../src/stream/kinesisStreamRecord';
import type { Benchmark, BenchRow } from './types';

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

const ingestThroughput: Benchmark = {
  name: 'ingest',
  run: () =>
    withBus(async (env, names) => {
      const clients = createAwsClients(env);
      const { kinesis } = clients;
      let dynamoRequests = 0;
      clients.dynamodb.middlewareStack.add((next) => (args) => (dynamoRequests++, next(args)), { step: 'initialize' });
      const log = { warn: () => undefined, error: (m: string, d: unknown) => console.error(m, d) };
      const api = ingestApiFromEnvironment(env, log, clients);
      // The same handler path with dedupe taken out: every event is a fresh claim, nothing is written.
      const undeduped = {
        ...api,
        accept: (events: CloudEventJson[]) =>
          acceptEvents(events, {
            kinesis,
            streamName: names.stream,
            dedupe: { claim: async () => ({ status: 'claimed', token: '' }), complete: async () => undefined, release: async () => undefined },
          }),
      };
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
      const ingestWithoutDedupe = handlerOf(undeduped);
      // Warm both paths, then alternate measured rounds so drift on a shared machine hits both alike.
      await raw(makeBatch(BATCH));
      await ingest(makeBatch(BATCH));
      await ingestWithoutDedupe(makeBatch(BATCH));
      const rawRates: number[] = [];
      const ingestRates: number[] = [];
      const undedupedRates: number[] = [];
      let measuredEvents = 0;
      let measuredRequests = 0;
      for (let round = 0; round < ROUNDS; round++) {
        rawRates.push(await throughput(Array.from({ length: 8 }, () => makeBatch(BATCH)), raw));
        const before = dynamoRequests;
        ingestRates.push(await throughput(Array.from({ length: 8 }, () => makeBatch(BATCH)), ingest));
        measuredRequests += dynamoRequests - before;
        measuredEvents += 8 * BATCH;
        undedupedRates.push(await throughput(Array.from({ length: 8 }, () => makeBatch(BATCH)), ingestWithoutDedupe));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const value = median(ingestRates);
      const baselineValue = median(rawRates);
      const ratio = value / baselineValue;
      const withoutDedupe = median(undedupedRates);
      const writesPerEvent = measuredRequests / measuredEvents;
      return [
        {
          name: 'ingest events/s (batches of 500, 4 in flight) vs raw PutRecords',
          value,
          unit: 'events/s',
          baseline: 'raw PutRecords into the same kinesalite',
          baselineValue,
          ratio,
          goal: 'ratio >= 0.8',
          met: ratio >= 0.8,
        } satisfies BenchRow,
        {
          name: 'ingest events/s with dedupe taken out (parse, validate, ordered PutRecords) vs raw PutRecords',
          value: withoutDedupe,
          unit: 'events/s',
          baseline: 'raw PutRecords into the same kinesalite',
          baselineValue,
          ratio: withoutDedupe / baselineValue,
          goal: 'ratio >= 0.8',
          met: withoutDedupe / baselineValue >= 0.8,
        } satisfies BenchRow,
        {
          name: 'DynamoDB requests per accepted event (dedupe claim + completion)',
          value: writesPerEvent,
          unit: 'requests',
          baseline: 'one conditional write per event',
          baselineValue: 1,
          ratio: writesPerEvent,
          goal: 'value <= 2',
          met: writesPerEvent <= 2,
        } satisfies BenchRow,
      ];
    }),
};

const ARCHIVED = 100_000;

const kmsCallsPerArchive: Benchmark = {
  name: 'archive',
  run: () =>
    withBus(async (env, _names, kmsCalls) => {
      const store = eventStoreFromEnvironment(env);
      const before = Object.values(kmsCalls()).reduce((a, b) => a + b, 0);
      const started = process.hrtime.bigint();
      let sequence = 10n ** 20n;
      for (let done = 0; done < ARCHIVED; done += 100) {
        // One Kinesis batch of 100 records, archived as the archive handler does.
        const event: KinesisStreamEvent = {
          Records: makeBatch(100).map((e) => {
            sequence += 1n;
            return kinesisStreamRecord({
              shardId: 'shardId-000000000000',
              partitionKey: e.subject as string,
              sequenceNumber: String(sequence),
              data: Buffer.from(JSON.stringify(e)),
              streamName: 'bench',
              consumer: 'bench',
            });
          }),
        };
        await Promise.all(event.Records.map((record) => archiveRecord(record, store)));
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const calls = Object.values(kmsCalls()).reduce((a, b) => a + b, 0) - before;
      return [
        {
          name: `KMS calls per ${ARCHIVED.toLocaleString('en-US')} archived events (${Math.round(ARCHIVED / seconds)} events/s)`,
          value: calls,
          unit: 'calls',
          baseline: 'one KMS call per event',
          baselineValue: ARCHIVED,
          ratio: calls / ARCHIVED,
          goal: 'value <= 10',
          met: calls <= 10,
        } satisfies BenchRow,
      ];
    }),
};

export const ingestBenchmarks: Benchmark[] = [ingestThroughput, kmsCallsPerArchive];
