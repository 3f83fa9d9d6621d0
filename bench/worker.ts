/**
 * ShardWorker benchmarks, on the same emulators the local bus runs (kinesalite + dynalite), one shard:
 * - ordered exactly-once events/s (lease, one BatchGetItem of the batch's idempotency records, completions
 *   written with BatchWriteItem per `completionFlush`, a checkpoint per batch, a no-op handler), in strict shard
 *   order and with 16 keys in flight, ÷ raw GetRecords events/s of the same records in the same run; and with
 *   `completionFlush: { maxEvents: 1 }` (each completion written before the next event: one re-run at most);
 *   and with `completionRecords: 'shard'` (the sequences done kept on the lease: no DynamoDB item per event);
 * - DynamoDB write requests and items written per event (completions + amortised checkpoints + lease upkeep).
 */
import { GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { randomUUID } from 'node:crypto';
import { createAwsClients } from '../src/wiring/awsClients';
import { encodeEvent, publishOrdered } from '../src/stream';
import type { CloudEventJson } from '../src/events/types';
import {
  EventIdempotency,
  ShardWorker,
  type CompletionFlush,
  type CompletionRecords,
  type EventCompletion,
  type EventIdentity,
  type HeldClaim,
  type RunOnceResult,
  type StoredEventState,
} from '../src/worker';
import { startEmulators } from '../local/emulators';
import { provisionLocalResources, type LocalResourceNames } from '../local/provision';
import type { Benchmark, BenchRow } from './types';
import { median } from './stats';

const EVENTS = 3_000;
const KEYS = 64;
const BATCH = 100;
const ROUNDS = 3;
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

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
  override async lookup(): Promise<Map<string, StoredEventState>> {
    return new Map();
  }
  override async completeMany(_completions: readonly EventCompletion[]): Promise<void> {}
}


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
    let itemsWritten = 0;
    clients.dynamodb.middlewareStack.add(
      (next, context) => (args) => {
        const name = context.commandName ?? '';
        if (WRITES.has(name)) {
          writes += 1;
          const requests = (args.input as { RequestItems?: Record<string, unknown[]> }).RequestItems;
          itemsWritten += name === 'BatchWriteItemCommand' ? Object.values(requests ?? {}).reduce((sum, list) => sum + list.length, 0) : 1;
        }
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
      const worker = async (
        concurrencyPerShard: number,
        withRecords = true,
        completionFlush?: CompletionFlush,
        completionRecords?: CompletionRecords,
      ): Promise<{ rate: number; writesPerEvent: number; itemsPerEvent: number }> => {
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
          ...(completionFlush ? { completionFlush } : {}),
          ...(completionRecords ? { completionRecords } : {}),
          idleMs: 10,
          handler: async () => {
            handled += 1;
            if (handled === EVENTS) done();
          },
        });
        const writesBefore = writes;
        const itemsBefore = itemsWritten;
        const started = process.hrtime.bigint();
        await shardWorker.start();
        await finished;
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const writesPerEvent = (writes - writesBefore) / EVENTS;
        const itemsPerEvent = (itemsWritten - itemsBefore) / EVENTS;
        await shardWorker.stop();
        return { rate: EVENTS / seconds, writesPerEvent, itemsPerEvent };
      };

      await raw();
      await worker(1); // warm-up
      const rawRates: number[] = [];
      const orderedRates: number[] = [];
      const keyedRates: number[] = [];
      const bareRates: number[] = [];
      const singleRates: number[] = [];
      const writesPerEvent: number[] = [];
      const itemsPerEvent: number[] = [];
      const singleWritesPerEvent: number[] = [];
      const shardRates: number[] = [];
      const shardKeyedRates: number[] = [];
      const shardWritesPerEvent: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        rawRates.push(await raw());
        const ordered = await worker(1);
        orderedRates.push(ordered.rate);
        writesPerEvent.push(ordered.writesPerEvent);
        itemsPerEvent.push(ordered.itemsPerEvent);
        keyedRates.push((await worker(16)).rate);
        bareRates.push((await worker(1, false)).rate);
        const single = await worker(1, true, { maxEvents: 1, maxMs: 0 });
        singleRates.push(single.rate);
        singleWritesPerEvent.push(single.writesPerEvent);
        const onLease = await worker(1, true, undefined, 'shard');
        shardRates.push(onLease.rate);
        shardWritesPerEvent.push(onLease.writesPerEvent);
        shardKeyedRates.push((await worker(16, true, undefined, 'shard')).rate);
      }
      const baselineValue = median(rawRates);
      const ordered = median(orderedRates);
      const keyed = median(keyedRates);
      const perEvent = median(writesPerEvent);
      const itemsPer = median(itemsPerEvent);
      const bare = median(bareRates);
      const single = median(singleRates);
      const singlePerEvent = median(singleWritesPerEvent);
      const onLease = median(shardRates);
      const onLeaseKeyed = median(shardKeyedRates);
      const onLeasePerEvent = median(shardWritesPerEvent);
      const vsRaw = { unit: 'events/s', baseline: 'raw GetRecords (batches of 100) of the same shard', baselineValue } as const;
      return [
        {
          name: 'worker exactly-once events/s per shard, strict shard order (completionFlush default: 25 events / 1 s), vs raw GetRecords',
          value: ordered,
          ...vsRaw,
          ratio: ordered / baselineValue,
          goal: 'ratio >= 0.5',
          met: ordered / baselineValue >= 0.5,
        },
        {
          name: 'worker exactly-once events/s per shard, 16 keys in flight (per-key order, completionFlush default), vs raw GetRecords',
          value: keyed,
          ...vsRaw,
          ratio: keyed / baselineValue,
          goal: 'ratio >= 0.5',
          met: keyed / baselineValue >= 0.5,
        },
        {
          name: "worker exactly-once events/s per shard, strict shard order, completionRecords 'shard' (sequences done kept on the lease, flushed per batch; copies re-published under the same id not skipped), vs raw GetRecords",
          value: onLease,
          ...vsRaw,
          ratio: onLease / baselineValue,
          goal: 'ratio >= 0.5',
          met: onLease / baselineValue >= 0.5,
        },
        {
          name: "worker exactly-once events/s per shard, 16 keys in flight, completionRecords 'shard', vs raw GetRecords",
          value: onLeaseKeyed,
          ...vsRaw,
          ratio: onLeaseKeyed / baselineValue,
          goal: 'ratio >= 0.5',
          met: onLeaseKeyed / baselineValue >= 0.5,
        },
        {
          name: 'worker exactly-once events/s per shard, strict shard order, completionFlush { maxEvents: 1 } (one re-run at most after a crash), vs raw GetRecords',
          value: single,
          ...vsRaw,
          ratio: single / baselineValue,
          goal: 'none (the price of a one-event re-run window)',
          met: true,
        },
        {
          name: 'worker events/s per shard without idempotency records (leases, reads, decoding, checkpoints), vs raw GetRecords',
          value: bare,
          ...vsRaw,
          ratio: bare / baselineValue,
          goal: 'ratio >= 0.8',
          met: bare / baselineValue >= 0.8,
        },
        {
          name: 'worker DynamoDB write requests per event, completionFlush default (a BatchWriteItem of 25 completions, checkpoint per 100, lease upkeep)',
          value: perEvent,
          unit: 'requests',
          baseline: 'one idempotency claim + one completion per event (before completionFlush)',
          baselineValue: 2,
          ratio: perEvent / 2,
          goal: 'value <= 0.1',
          met: perEvent <= 0.1,
        },
        {
          name: 'worker DynamoDB items written per event, completionFlush default (one completion record per event, ~100 B: 1 write unit in AWS)',
          value: itemsPer,
          unit: 'items',
          baseline: 'one idempotency claim + one completion per event (before completionFlush)',
          baselineValue: 2,
          ratio: itemsPer / 2,
          goal: 'value <= 1.05',
          met: itemsPer <= 1.05,
        },
        {
          name: "worker DynamoDB write requests per event, completionRecords 'shard' (checkpoint with the sequences done, per 100, + lease upkeep)",
          value: onLeasePerEvent,
          unit: 'requests',
          baseline: 'one idempotency claim + one completion per event (before completionFlush)',
          baselineValue: 2,
          ratio: onLeasePerEvent / 2,
          goal: 'value <= 0.1',
          met: onLeasePerEvent <= 0.1,
        },
        {
          name: 'worker DynamoDB write requests per event, completionFlush { maxEvents: 1 }',
          value: singlePerEvent,
          unit: 'requests',
          baseline: 'one idempotency claim + one completion per event (before completionFlush)',
          baselineValue: 2,
          ratio: singlePerEvent / 2,
          goal: 'value <= 1.05',
          met: singlePerEvent <= 1.05,
        },
      ];
    } finally {
      for (const client of Object.values(clients)) (client as { destroy?: () => void }).destroy?.();
      await emulators.close();
    }
  },
};

export const workerBenchmarks: Benchmark[] = [workerThroughput];
