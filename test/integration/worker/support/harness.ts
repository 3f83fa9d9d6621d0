import { DescribeStreamSummaryCommand, MergeShardsCommand, SplitShardCommand, ListShardsCommand, type Shard } from '@aws-sdk/client-kinesis';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { encodeEvent, publishOrdered } from '../../../../src/stream';
import type { CloudEventJson } from '../../../../src/events/types';
import { ShardWorker, type ShardWorkerOptions } from '../../../../src/worker';
import { makeEvent } from '../../../helpers/cloudEvents';
import { startTestEmulators, type TestEmulators } from '../../../helpers/emulators';

/** Emulators with the bus's tables (the worker table included) and helpers for worker tests. */
export interface WorkerHarness extends TestEmulators {
  workerTable: string;
  /** Publishes events in order per partition key; returns them with their shard and sequence. */
  publish(events: Array<{ key: string; event?: Partial<CloudEventJson> }>): Promise<Array<{ key: string; event: CloudEventJson; shardId: string; sequenceNumber: string }>>;
  /** A worker on this harness's stream and tables, with test-sized timings unless overridden. */
  worker(options: Partial<ShardWorkerOptions> & Pick<ShardWorkerOptions, 'consumer' | 'handler'>): ShardWorker;
  shards(): Promise<Shard[]>;
  split(shardId: string): Promise<void>;
  merge(shardId: string, adjacentShardId: string): Promise<void>;
  /** Creates a plain pk-keyed table (a handler's own effects). */
  createTable(name: string): Promise<void>;
  item(table: string, pk: string): Promise<Record<string, unknown> | undefined>;
  scan(table: string): Promise<Record<string, unknown>[]>;
}

/** Lease timings short enough for tests, long enough for a loaded 2-core machine. */
export const TEST_TIMINGS = { leaseDurationMs: 1_500, tickMs: 250, idleMs: 50, shardSyncMs: 500, backoff: () => 10, inProgressTimeoutMs: 3_000 } as const;

export async function startWorkerHarness(options: { shards?: number } = {}): Promise<WorkerHarness> {
  const base = await startTestEmulators({ shards: options.shards ?? 2 });
  const workerTable = base.names.workerTable;
  const { kinesis, documents, dynamodb } = base.clients;
  const stream = base.names.stream;
  const waitActive = async () => {
    for (let i = 0; i < 100; i++) {
      const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
      if (StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('stream did not become ACTIVE');
  };
  const shards = async () => (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  return {
    ...base,
    workerTable,
    async publish(specs) {
      const events = specs.map(({ key, event }) => ({ key, event: makeEvent({ partitionkey: key, ...event }) }));
      const landed = await publishOrdered(
        events.map(({ key, event }) => encodeEvent(event, key)),
        { kinesis, streamName: stream },
      );
      return events.map((entry, index) => ({ ...entry, shardId: landed[index].shard, sequenceNumber: landed[index].sequence }));
    },
    worker(overrides) {
      return new ShardWorker({
        stream,
        kinesis,
        documents,
        workerTable,
        idempotencyTable: base.names.idempotencyTable,
        ...TEST_TIMINGS,
        // WORKER_TEST_LOG=1 prints the workers' logs while debugging a test.
        ...(process.env.WORKER_TEST_LOG ? { log: (level, message, detail) => process.stderr.write(`${Date.now() % 100000} ${level} ${message} ${JSON.stringify(detail)}\n`) } : {}),
        ...overrides,
      });
    },
    shards,
    async split(shardId) {
      const shard = (await shards()).find((s) => s.ShardId === shardId)!;
      const low = BigInt(shard.HashKeyRange!.StartingHashKey!);
      const high = BigInt(shard.HashKeyRange!.EndingHashKey!);
      await kinesis.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: shardId, NewStartingHashKey: String((low + high) / 2n) }));
      await waitActive();
    },
    async merge(shardId, adjacentShardId) {
      await kinesis.send(new MergeShardsCommand({ StreamName: stream, ShardToMerge: shardId, AdjacentShardToMerge: adjacentShardId }));
      await waitActive();
    },
    async createTable(name) {
      await dynamodb.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        }),
      );
    },
    async item(table, pk) {
      return (await documents.send(new GetCommand({ TableName: table, Key: { pk }, ConsistentRead: true }))).Item;
    },
    async scan(table) {
      const items: Record<string, unknown>[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey }));
        items.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return items;
    },
  };
}
