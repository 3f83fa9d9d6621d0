import type { CloudEventJson } from '../../../src/events/types';
import { LeaseTable, type HandlerContext, type ShardWorker } from '../../../src/worker';
import { eventually } from '../../helpers/cloudEvents';
import { startWorkerHarness, type WorkerHarness } from './support/harness';

interface Seen {
  id: string;
  key: string;
  shardId: string;
  sequenceNumber: string;
  fencingToken: number;
}

/** A handler that records what it sees, in call order. */
function recorder() {
  const seen: Seen[] = [];
  const handler = async (event: CloudEventJson, context: HandlerContext) => {
    seen.push({ id: event.id, key: context.partitionKey, shardId: context.shardId, sequenceNumber: context.sequenceNumber, fencingToken: context.fencingToken });
  };
  return { seen, handler };
}

function keys(count: number, prefix = 'order'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

/** Interleaves `perKey` events of each key, as producers would send them. */
function interleaved(keyList: string[], perKey: number) {
  const specs: Array<{ key: string; event: Partial<CloudEventJson> }> = [];
  for (let n = 0; n < perKey; n++) for (const key of keyList) specs.push({ key, event: { data: { key, n } } });
  return specs;
}

function byKey<T extends { key: string; id: string }>(items: T[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const item of items) result.set(item.key, [...(result.get(item.key) ?? []), item.id]);
  return result;
}

describe('ShardWorker (kinesalite + dynalite)', () => {
  let bus: WorkerHarness;
  const workers: ShardWorker[] = [];
  const track = (worker: ShardWorker) => {
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    bus = await startWorkerHarness({ shards: 4 });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });
  afterAll(() => bus.close());

  it('hands each event once, in order per partition key across shards, one shard at a time', async () => {
    const published = await bus.publish(interleaved(keys(12), 10));
    expect(new Set(published.map((p) => p.shardId)).size).toBeGreaterThanOrEqual(2);
    const { seen, handler } = recorder();
    const worker = track(bus.worker({ consumer: 'ordering', handler, batchSize: 7 }));
    await worker.start();
    await eventually(async () => (seen.length >= published.length ? true : undefined));
    expect(seen.map((s) => s.id).sort()).toEqual(published.map((p) => p.event.id).sort());
    expect(byKey(seen)).toEqual(byKey(published.map((p) => ({ key: p.key, id: p.event.id }))));
    // Within each shard, strictly in shard order.
    for (const shardId of new Set(seen.map((s) => s.shardId))) {
      const sequences = seen.filter((s) => s.shardId === shardId).map((s) => BigInt(s.sequenceNumber));
      expect(sequences).toEqual([...sequences].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    expect(worker.ownedShards()).toHaveLength(4);
  });

  it('runs keys concurrently within a shard with concurrencyPerShard, keeping per-key order', async () => {
    const published = await bus.publish(interleaved(keys(8, 'conc'), 6));
    const inFlight = new Map<string, number>();
    let overlapSeen = false;
    const seen: Array<{ key: string; id: string }> = [];
    const handler = async (event: CloudEventJson, context: HandlerContext) => {
      const shardCount = (inFlight.get(context.shardId) ?? 0) + 1;
      inFlight.set(context.shardId, shardCount);
      if (shardCount > 1) overlapSeen = true;
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push({ key: context.partitionKey, id: event.id });
      inFlight.set(context.shardId, inFlight.get(context.shardId)! - 1);
    };
    const worker = track(bus.worker({ consumer: 'concurrent', handler, concurrencyPerShard: 4 }));
    await worker.start();
    const ours = () => seen.filter((s) => s.key.startsWith('conc-'));
    await eventually(async () => (ours().length >= published.length ? true : undefined));
    expect(overlapSeen).toBe(true);
    expect(byKey(ours())).toEqual(byKey(published.map((p) => ({ key: p.key, id: p.event.id }))));
  });

  it('splits the shards between two workers of one consumer, and takes them all back when one stops', async () => {
    const { seen, handler } = recorder();
    const first = track(bus.worker({ consumer: 'pair', handler, startPosition: { type: 'latest' } }));
    await first.start();
    expect(first.ownedShards()).toHaveLength(4);
    const second = track(bus.worker({ consumer: 'pair', handler }));
    await second.start();
    await eventually(async () => (first.ownedShards().length === 2 && second.ownedShards().length === 2 ? true : undefined), 20_000);
    expect(new Set([...first.ownedShards(), ...second.ownedShards()]).size).toBe(4);
    const published = await bus.publish(interleaved(keys(12, 'pair'), 3));
    await eventually(async () => (seen.length >= published.length ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.map((s) => s.id).sort()).toEqual(published.map((p) => p.event.id).sort());
    // Fencing tokens grew when leases moved from the first worker to the second.
    expect(Math.max(...seen.map((s) => s.fencingToken))).toBeGreaterThanOrEqual(2);
    await second.stop();
    await eventually(async () => (first.ownedShards().length === 4 ? true : undefined), 20_000);
    const more = await bus.publish(interleaved(keys(4, 'pair'), 2));
    await eventually(async () => (seen.length >= published.length + more.length ? true : undefined));
  });

  it('starts a new consumer at latest, at a timestamp, or at a sequence number', async () => {
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
    const before = await bus.publish(interleaved(keys(4, 'start'), 2));
    // Kinesis's AT_TIMESTAMP includes records of that very millisecond: keep the marker clear of both sides.
    await pause();
    const marker = new Date();
    await pause();
    const [pivot] = await bus.publish([{ key: 'start-0' }]);
    await pause();
    const after = [pivot, ...(await bus.publish(interleaved(keys(4, 'start'), 2)))];
    const ids = (list: typeof before) => list.map((p) => p.event.id).sort();
    const run = async (consumer: string, startPosition: Parameters<WorkerHarness['worker']>[0]['startPosition'], expected: string[], publishAfterStart = false) => {
      const { seen, handler } = recorder();
      const worker = track(bus.worker({ consumer, handler, startPosition }));
      await worker.start();
      let extra: string[] = [];
      if (publishAfterStart) extra = ids(await bus.publish(interleaved(keys(2, 'late'), 2)));
      const want = [...expected, ...extra].sort();
      const relevant = new Set([...ids(before), ...ids(after), ...extra]);
      const relevantSeen = () => seen.map((s) => s.id).filter((id) => relevant.has(id)).sort();
      await eventually(async () => (relevantSeen().length >= want.length ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(relevantSeen()).toEqual(want);
      await worker.stop();
    };
    await run('from-latest', { type: 'latest' }, [], true);
    await run('from-time', { type: 'at-timestamp', timestamp: marker }, ids(after));
    // The pivot's shard starts at it; the other shards at the time it arrived.
    await run('from-sequence', { type: 'at-sequence', sequenceNumber: pivot.sequenceNumber }, ids(after));
  });

  it.each(['event', 'shard'] as const)("refuses a stolen lease's checkpoint: the old owner stops that shard at once (completionRecords %s)", async (completionRecords) => {
    const consumer = `steal-${completionRecords}`;
    await bus.publish(interleaved(keys(8, 'steal'), 1));
    let releaseHandler!: () => void;
    const blocked = new Promise<void>((resolve) => (releaseHandler = resolve));
    let blockedContext: HandlerContext | undefined;
    const handled: string[] = [];
    const handler = async (event: CloudEventJson, context: HandlerContext) => {
      if (!blockedContext) {
        blockedContext = context;
        await blocked;
      }
      handled.push(event.id);
    };
    const worker = track(bus.worker({ consumer, completionRecords, handler, leaseDurationMs: 60_000, tickMs: 20_000, startPosition: { type: 'latest' } }));
    await worker.start();
    await bus.publish([{ key: 'steal-x' }, { key: 'steal-x' }]);
    const context = await eventually(async () => blockedContext);
    const leases = new LeaseTable({ documents: bus.clients.documents, tableName: bus.workerTable, consumer });
    const before = (await leases.list()).find((lease) => lease.shardId === context.shardId)!;
    expect(before.owner).toBe(worker.workerId);
    expect(before.leaseCounter).toBe(context.fencingToken);
    // Another worker takes the lease while the handler is running (as balancing would), and dies at once.
    const stolen = await leases.acquire(before, 'thief', 1);
    expect(stolen?.leaseCounter).toBe(context.fencingToken + 1);
    releaseHandler();
    await eventually(async () => (worker.ownedShards().includes(context.shardId) ? undefined : true));
    const after = (await leases.list()).find((lease) => lease.shardId === context.shardId)!;
    expect(after).toMatchObject({ owner: 'thief', leaseCounter: context.fencingToken + 1 });
    expect(after.checkpoint).toBe(before.checkpoint); // the old owner's checkpoint was refused
    expect(handled).toHaveLength(2); // the batch in flight, checkpointed by nobody
    // The next owner re-reads the batch from the old checkpoint: both events are duplicates now.
    const next = recorder();
    const successor = track(bus.worker({ consumer, completionRecords, handler: next.handler, leaseDurationMs: 60_000, tickMs: 200 }));
    await successor.start();
    await eventually(async () => (successor.ownedShards().includes(context.shardId) ? true : undefined));
    const [late] = await bus.publish([{ key: 'steal-x' }]);
    await eventually(async () => (next.seen.some((s) => s.id === late.event.id) ? true : undefined));
    expect(next.seen.map((s) => s.id)).toEqual([late.event.id]);
    expect(next.seen[0].fencingToken).toBe(context.fencingToken + 2);
    await eventually(async () => {
      const final = (await leases.list()).find((lease) => lease.shardId === context.shardId)!;
      return final.checkpoint === late.sequenceNumber ? true : undefined;
    });
  });

  it('stops gracefully: finishes the event in flight, checkpoints it, releases the lease', async () => {
    let entered!: (context: HandlerContext) => void;
    const inFlight = new Promise<HandlerContext>((resolve) => (entered = resolve));
    const handled: string[] = [];
    const handler = async (event: CloudEventJson, context: HandlerContext) => {
      if (handled.length === 0) {
        entered(context);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      handled.push(event.id);
    };
    const worker = bus.worker({ consumer: 'graceful', handler, startPosition: { type: 'latest' } });
    await worker.start();
    const published = await bus.publish([{ key: 'graceful-1' }, { key: 'graceful-1' }, { key: 'graceful-1' }]);
    const context = await inFlight;
    await worker.stop();
    expect(handled).toEqual([published[0].event.id]);
    expect(worker.ownedShards()).toEqual([]);
    const lease = (await new LeaseTable({ documents: bus.clients.documents, tableName: bus.workerTable, consumer: 'graceful' }).list()).find((l) => l.shardId === context.shardId)!;
    expect(lease.owner).toBeUndefined();
    expect(lease.checkpoint).toBe(published[0].sequenceNumber);
    // The next worker resumes right after it, at once (no expiry to wait for).
    const next = recorder();
    const successor = track(bus.worker({ consumer: 'graceful', handler: next.handler }));
    await successor.start();
    expect(successor.ownedShards()).toHaveLength(4);
    await eventually(async () => (next.seen.length >= 2 ? true : undefined));
    expect(next.seen.map((s) => s.id)).toEqual(published.slice(1).map((p) => p.event.id));
  });

  it.each([
    ['event', 1],
    ['shard', 2],
  ] as const)('a copy of an event published again (same source and id) with completionRecords %s reaches the handler %i time(s)', async (completionRecords, times) => {
    const worker = track(bus.worker({ consumer: `copies-${completionRecords}`, completionRecords, handler: async (event) => void calls.push(event.id), startPosition: { type: 'latest' } }));
    const calls: string[] = [];
    await worker.start();
    const [original] = await bus.publish([{ key: 'copy-x' }]);
    await eventually(async () => (calls.includes(original.event.id) ? true : undefined));
    const [copy, after] = await bus.publish([{ key: 'copy-x', event: { id: original.event.id, source: original.event.source } }, { key: 'copy-x' }]);
    expect(copy.sequenceNumber).not.toBe(original.sequenceNumber);
    await eventually(async () => (calls.includes(after.event.id) ? true : undefined));
    expect(calls.filter((id) => id === original.event.id)).toHaveLength(times);
  });

  it('runs at most completionFlush.maxEvents events of a shard before their completions are written, concurrency or not', async () => {
    const published = await bus.publish(interleaved(keys(8, 'window'), 4));
    const running = new Map<string, number>();
    let most = 0;
    const handled: string[] = [];
    const handler = async (event: CloudEventJson, context: HandlerContext) => {
      const now = (running.get(context.shardId) ?? 0) + 1;
      running.set(context.shardId, now);
      most = Math.max(most, now);
      await new Promise((resolve) => setTimeout(resolve, 3));
      running.set(context.shardId, running.get(context.shardId)! - 1);
      handled.push(event.id);
    };
    const worker = track(bus.worker({ consumer: 'window', handler, concurrencyPerShard: 8, completionFlush: { maxEvents: 2, maxMs: 1_000 } }));
    await worker.start();
    const ours = new Set(published.map((p) => p.event.id));
    await eventually(async () => (handled.filter((id) => ours.has(id)).length >= published.length ? true : undefined));
    expect(most).toBe(2);
  });

  it('refuses options it cannot work with, naming them', () => {
    const handler = async () => undefined;
    expect(() => bus.worker({ consumer: '', handler })).toThrow(/consumer is required/);
    expect(() => bus.worker({ consumer: 'x', handler, maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => bus.worker({ consumer: 'x', handler, concurrencyPerShard: 1.5 })).toThrow(/concurrencyPerShard/);
    expect(() => bus.worker({ consumer: 'x', handler, leaseDurationMs: 1_000, tickMs: 1_000 })).toThrow(/tickMs/);
    expect(() => bus.worker({ consumer: 'x', handler, completionFlush: { maxEvents: 0 } })).toThrow(/completionFlush.maxEvents/);
    expect(() => bus.worker({ consumer: 'x', handler, completionFlush: { maxMs: -1 } })).toThrow(/completionFlush.maxMs/);
    expect(() => bus.worker({ consumer: 'x', handler, completionRecords: 'stream' as never })).toThrow(/completionRecords/);
  });
});
