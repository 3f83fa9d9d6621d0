import type { CloudEventJson } from '../../../src/events/types';
import { LeaseTable, SHARD_END, type HandlerContext, type ShardWorker } from '../../../src/worker';
import { eventually } from '../../helpers/cloudEvents';
import { startWorkerHarness, type WorkerHarness } from './support/harness';

const KEYS = Array.from({ length: 8 }, (_, i) => `key-${i}`);
const phase = (n: number) => KEYS.flatMap((key) => [0, 1].map((i) => ({ key, event: { data: { phase: n, i } } })));

function recorder(delayMs = 0) {
  const seen: Array<{ id: string; key: string; shardId: string }> = [];
  const handler = async (event: CloudEventJson, context: HandlerContext) => {
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    seen.push({ id: event.id, key: context.partitionKey, shardId: context.shardId });
  };
  return { seen, handler };
}

function idsByKey(items: Array<{ key: string; id: string }>): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const item of items) result.set(item.key, [...(result.get(item.key) ?? []), item.id]);
  return result;
}

describe('ShardWorker across a reshard (kinesalite SplitShard / MergeShards)', () => {
  let bus: WorkerHarness;
  let worker: ShardWorker | undefined;

  beforeEach(async () => {
    bus = await startWorkerHarness({ shards: 1 });
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await bus.close();
  });

  it('drains parents before their children when the stream was resharded before the consumer started', async () => {
    const published = [...(await bus.publish(phase(1)))];
    await bus.split('shardId-000000000000');
    published.push(...(await bus.publish(phase(2))));
    await bus.merge('shardId-000000000001', 'shardId-000000000002');
    published.push(...(await bus.publish(phase(3))));
    const shards = await bus.shards();
    expect(shards.map((s) => s.ShardId)).toEqual(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003']);

    const { seen, handler } = recorder(2);
    worker = bus.worker({ consumer: 'reshard', handler });
    await worker.start();
    await eventually(async () => (seen.length >= published.length ? true : undefined));
    expect(seen).toHaveLength(published.length);
    expect(idsByKey(seen)).toEqual(idsByKey(published.map((p) => ({ key: p.key, id: p.event.id }))));
    // Every child event is handled after every event of its parents.
    const lastIndex = (shardId: string) => seen.map((s) => s.shardId).lastIndexOf(shardId);
    const firstIndex = (shardId: string) => seen.findIndex((s) => s.shardId === shardId);
    const parents = new Map(shards.map((s) => [s.ShardId!, [s.ParentShardId, s.AdjacentParentShardId].filter(Boolean) as string[]]));
    for (const [child, parentIds] of parents) {
      for (const parent of parentIds) {
        if (firstIndex(child) !== -1 && lastIndex(parent) !== -1) expect(firstIndex(child)).toBeGreaterThan(lastIndex(parent));
      }
    }
    const table = new LeaseTable({ documents: bus.clients.documents, tableName: bus.workerTable, consumer: 'reshard' });
    const leases = await eventually(async () => {
      const now = await table.list();
      return ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002'].every((id) => now.find((l) => l.shardId === id)?.checkpoint === SHARD_END) ? now : undefined;
    });
    expect(leases.find((l) => l.shardId === 'shardId-000000000003')).toMatchObject({ parentShardIds: ['shardId-000000000001', 'shardId-000000000002'], depth: 2 });
  });

  it('discovers shards created while it runs and follows its keys into them', async () => {
    const { seen, handler } = recorder();
    worker = bus.worker({ consumer: 'live', handler });
    await worker.start();
    const published = [...(await bus.publish(phase(1)))];
    await eventually(async () => (seen.length >= published.length ? true : undefined));
    await bus.split('shardId-000000000000');
    published.push(...(await bus.publish(phase(2))));
    await eventually(async () => (seen.length >= published.length ? true : undefined));
    expect(new Set(seen.map((s) => s.shardId))).toEqual(new Set(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']));
    expect(idsByKey(seen)).toEqual(idsByKey(published.map((p) => ({ key: p.key, id: p.event.id }))));
    await eventually(async () => (worker!.ownedShards().join() === 'shardId-000000000001,shardId-000000000002' ? true : undefined));
  });
});
