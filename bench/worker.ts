/**
 * ShardWorker benchmarks, on the same emulators the local bus runs (kinesalite + dynalite), one shard:
 * - ordered exactly-once events/s (lease, idempotency claim + completion per event, checkpoint per batch, a
 *   no-op handler), in strict shard order and with 16 keys in flight, ÷ raw GetRecords events/s of the
 *   same records in the same run;
 * - DynamoDB writes per event (idempotency records + amortised checkpoints + lease upkeep).
 */
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { randomUUID } from 'node:crypto';
import { createAwsClients } from '../src/config/awsClients';
import { encodeEvent, publishOrdered } from '../src/stream';
import type { CloudEventJson } from '../src/events/types';
import { EventIdempotency, ShardWorker, type EventIdentity, type HeldClaim, type RunOnceResult } from '../src/worker';
import { startEmulators } from '../local/emulators';
import { provisionLocalResources, type LocalResourceNames } from '../local/provision';
import type { Benchmark, BenchRow } from './types';

const EVENTS = 3_000;
const KEYS = 64;
const BATCH = 100;
const ROUNDS = 3;
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

function makeEvents(): CloudEventJson[] {
  return Array.from({ length: EVENTS }, (_, i) => ({
    specversion: '1.0',
    id: randomUUID(),
    source: '/bench/shop',
    type: 'com.example.orders.created',
    subject: `order-${i % KEYS}`,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { total: i, currency: 'AUD', lines: [{ sku: 'A-1', qty: 2 }], note: 'x'.repeat(200) },
  }));
}

/** Runs every event without a record: what leases, reads, decoding and checkpoints cost on their own. */
class NoRecords extends EventIdempotency {
  override async runOnce<T>(_event: EventIdentity, fn: (claim: HeldClaim) => Promise<T>): Promise<RunOnceResult<T>> {
    return { duplicate: false, result: await fn({ token: '', attempt: 1 }), attempt: 1 };
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const workerThroughput: Benchmark = {
  name: 'worker',
  async run(): Promise<BenchRow[]> {
    const emulators = await startEmulators();
    const suffix = randomUUID().slice(0, 8);
    const names: LocalResourceNames = {
      eventTable: `bench-events-${suffix}`,
      idempotencyTable: `bench-idem-${suffix}`,
      deliveryTable: `bench-deliveries-${suffix}`,
      workerTable: `bench-workers-${suffix}`,
      stream: `bench-stream-${suffix}`,
      shards: 1,
      bucket: `bench-config-${suffix}`,
    };
    const env: NodeJS.ProcessEnv = { ...process.env, ...emulators.env };
    const clients = createAwsClients(env);
    let writes = 0;
    clients.dynamodb.middlewareStack.add(
      (next, context) => (args) => {
        if (WRITES.has(context.commandName ?? '')) writes += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countWrites' },
    );
    try {
      await provisionLocalResources(clients, names);
      const events = makeEvents();
      for (let i = 0; i < events.length; i += 500) {
        await publishOrdered(
          events.slice(i, i + 500).map((event) => encodeEvent(event, event.subject as string)),
          { kinesis: clients.kinesis, streamName: names.stream },
        );
      }

      /** Raw reading: GetRecords from the start of the shard in batches of BATCH, nothing else. */
      const raw = async (): Promise<number> => {
        const started = process.hrtime.bigint();
        let { ShardIterator } = await clients.kinesis.send(
          new GetShardIteratorCommand({ StreamName: names.stream, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }),
        );
        let read = 0;
        while (ShardIterator && read < EVENTS) {
          const page = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: BATCH }));
          read += page.Records?.length ?? 0;
          ShardIterator = page.NextShardIterator;
        }
        return read / (Number(process.hrtime.bigint() - started) / 1e9);
      };

      /** A fresh consumer from the start of the shard until its handler has seen every event. */
      const worker = async (concurrencyPerShard: number, withRecords = true): Promise<{ rate: number; writesPerEvent: number }> => {
        let handled = 0;
        let done!: () => void;
        const finished = new Promise<void>((resolve) => (done = resolve));
        const consumer = `bench-${randomUUID().slice(0, 8)}`;
        const shardWorker = new ShardWorker({
          stream: names.stream,
          consumer,
          ...(withRecords ? {} : { idempotency: new NoRecords({ documents: clients.documents, tableName: names.idempotencyTable, consumer }) }),
          kinesis: clients.kinesis,
          documents: clients.documents,
          workerTable: names.workerTable,
          idempotencyTable: names.idempotencyTable,
          batchSize: BATCH,
          concurrencyPerShard,
          idleMs: 10,
          handler: async () => {
            handled += 1;
            if (handled === EVENTS) done();
          },
        });
        const writesBefore = writes;
        const started = process.hrtime.bigint();
        await shardWorker.start();
        await finished;
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const writesPerEvent = (writes - writesBefore) / EVENTS;
        await shardWorker.stop();
        return { rate: EVENTS / seconds, writesPerEvent };
      };

      await raw();
      await worker(1); // warm-up
      const rawRates: number[] = [];
      const orderedRates: number[] = [];
      const keyedRates: number[] = [];
      const bareRates: number[] = [];
      const writesPerEvent: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        rawRates.push(await raw());
        const ordered = await worker(1);
        orderedRates.push(ordered.rate);
        writesPerEvent.push(ordered.writesPerEvent);
        keyedRates.push((await worker(16)).rate);
        bareRates.push((await worker(1, false)).rate);
      }
      const baselineValue = median(rawRates);
      const ordered = median(orderedRates);
      const keyed = median(keyedRates);
      const perEvent = median(writesPerEvent);
      const bare = median(bareRates);
      return [
        {
          name: 'worker exactly-once events/s per shard, strict shard order, vs raw GetRecords',
          value: ordered,
          unit: 'events/s',
          baseline: 'raw GetRecords (batches of 100) of the same shard',
          baselineValue,
          ratio: ordered / baselineValue,
          goal: 'ratio >= 0.8',
          met: ordered / baselineValue >= 0.8,
        },
        {
          name: 'worker exactly-once events/s per shard, 16 keys in flight (per-key order), vs raw GetRecords',
          value: keyed,
          unit: 'events/s',
          baseline: 'raw GetRecords (batches of 100) of the same shard',
          baselineValue,
          ratio: keyed / baselineValue,
          goal: 'ratio >= 0.8',
          met: keyed / baselineValue >= 0.8,
        },
        {
          name: 'worker events/s per shard without idempotency records (leases, reads, decoding, checkpoints), vs raw GetRecords',
          value: bare,
          unit: 'events/s',
          baseline: 'raw GetRecords (batches of 100) of the same shard',
          baselineValue,
          ratio: bare / baselineValue,
          goal: 'ratio >= 0.8',
          met: bare / baselineValue >= 0.8,
        },
        {
          name: 'worker DynamoDB writes per event (idempotency claim + completion, checkpoint per 100, lease upkeep)',
          value: perEvent,
          unit: 'writes',
          baseline: 'one idempotency claim + one completion per event',
          baselineValue: 2,
          ratio: perEvent / 2,
          goal: 'value <= 2.05',
          met: perEvent <= 2.05,
        },
      ];
    } finally {
      for (const client of Object.values(clients)) (client as { destroy?: () => void }).destroy?.();
      await emulators.close();
    }
  },
};

export const workerBenchmarks: Benchmark[] = [workerThroughput];
