import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import type { CloudEventJson } from '../../../src/events/types';
import { EventIdempotency, type HandlerContext, type ParkedEvent, type ShardWorker } from '../../../src/worker';
import { eventually } from '../../helpers/cloudEvents';
import { startWorkerHarness, type WorkerHarness } from './support/harness';

describe('ShardWorker parking (kinesalite + dynalite)', () => {
  let bus: WorkerHarness;
  let worker: ShardWorker | undefined;
  /** Ids the handler fails on, and every call it got, in order. */
  const poison = new Set<string>();
  const calls: Array<{ id: string; key: string; attempt: number }> = [];
  const handled: Array<{ id: string; key: string }> = [];
  const parkedReports: ParkedEvent[] = [];
  const handler = async (event: CloudEventJson, context: HandlerContext) => {
    calls.push({ id: event.id, key: context.partitionKey, attempt: context.attempt });
    if (poison.has(event.id)) throw new Error(`poison ${event.id}`);
    handled.push({ id: event.id, key: context.partitionKey });
  };
  const handledIds = (key: string) => handled.filter((c) => c.key === key).map((c) => c.id);
  const startWorker = async () => {
    worker = bus.worker({ consumer: 'parking', handler, maxAttempts: 3, onParked: (parked) => parkedReports.push(parked) });
    await worker.start();
    return worker;
  };

  beforeAll(async () => {
    bus = await startWorkerHarness({ shards: 2 });
  });
  afterAll(async () => {
    await worker?.stop();
    await bus.close();
  });

  it('parks a poison event for its key only, keeps it across a restart, then releases the key in order', async () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const specs = [0, 1, 2, 3].flatMap((n) => keys.map((key) => ({ key, event: { data: { n } } })));
    const published = await bus.publish(specs);
    const of = (key: string) => published.filter((p) => p.key === key);
    const poisoned = of('a')[1];
    poison.add(poisoned.event.id);
    // Another key on the poisoned key's shard: it must keep flowing.
    const neighbour = keys.find((key) => key !== 'a' && of(key)[0].shardId === poisoned.shardId);
    expect(neighbour).toBeDefined();

    await startWorker();
    await eventually(async () => (keys.slice(1).every((key) => handledIds(key).length === 4) ? true : undefined));
    await eventually(async () => (parkedReports.length === 1 ? true : undefined));
    expect(parkedReports[0]).toMatchObject({ partitionKey: 'a', id: poisoned.event.id, reason: 'handler_failed', attempts: 3, lastError: `Error: poison ${poisoned.event.id}` });
    expect(calls.filter((c) => c.id === poisoned.event.id).map((c) => c.attempt)).toEqual([1, 2, 3]);
    for (const key of keys.slice(1)) expect(handledIds(key)).toEqual(of(key).map((p) => p.event.id));
    expect(handledIds('a')).toEqual([of('a')[0].event.id]); // a2, a3 wait behind a1
    await eventually(async () => ((await worker!.parked())[0]?.laneLength === 3 ? true : undefined));

    // Parked state lives in the worker table: a new worker keeps holding the key.
    await worker!.stop();
    await startWorker();
    const [a4] = await bus.publish([{ key: 'a', event: { data: { n: 4 } } }]);
    await eventually(async () => ((await worker!.parked())[0]?.laneLength === 4 ? true : undefined));
    expect(handledIds('a')).toEqual([of('a')[0].event.id]);

    poison.delete(poisoned.event.id);
    expect(await worker!.release('a')).toBe(true);
    const expected = [...of('a').map((p) => p.event.id), a4.event.id];
    await eventually(async () => (handledIds('a').length === expected.length ? true : undefined));
    expect(handledIds('a')).toEqual(expected);
    await eventually(async () => ((await worker!.parked()).length === 0 ? true : undefined));
    const [a5] = await bus.publish([{ key: 'a', event: { data: { n: 5 } } }]);
    await eventually(async () => (handledIds('a').includes(a5.event.id) ? true : undefined));
    expect(parkedReports).toHaveLength(1);
    expect(await worker!.release('a')).toBe(false);
  });

  it('re-parks a released event that fails again, and skip acknowledges it without running it', async () => {
    // The worker is running: poison the first event before it is published.
    const poisonedId = `g0-${Date.now()}`;
    poison.add(poisonedId);
    const published = await bus.publish([0, 1, 2].map((n) => ({ key: 'g', event: { data: { n }, ...(n === 0 ? { id: poisonedId } : {}) } })));
    const [g0, g1, g2] = published;
    await eventually(async () => (parkedReports.some((p) => p.id === g0.event.id) ? true : undefined));
    const reportsBefore = parkedReports.length;
    await worker!.release('g');
    await eventually(async () => (parkedReports.length === reportsBefore + 1 ? true : undefined));
    expect(parkedReports.at(-1)).toMatchObject({ partitionKey: 'g', id: g0.event.id, attempts: 6 });
    expect(calls.filter((c) => c.id === g0.event.id).map((c) => c.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(handledIds('g')).toEqual([]);

    expect(await worker!.skip('g')).toBe(true);
    await eventually(async () => (handledIds('g').length === 2 ? true : undefined));
    expect(handledIds('g')).toEqual([g1.event.id, g2.event.id]);
    expect(calls.filter((c) => c.id === g0.event.id)).toHaveLength(6);
    // Skipped means acknowledged: a re-read of it from the stream is a duplicate.
    const records = new EventIdempotency({ documents: bus.clients.documents, tableName: bus.names.idempotencyTable, consumer: 'parking' });
    expect(await records.inspect(g0.event)).toMatchObject({ status: 'completed' });
    await eventually(async () => ((await worker!.parked()).length === 0 ? true : undefined));
  });

  it('parks a record that is not a CloudEvent at once, for its key only', async () => {
    await bus.clients.kinesis.send(new PutRecordCommand({ StreamName: bus.names.stream, PartitionKey: 'h', Data: Buffer.from('not json') }));
    const [h1] = await bus.publish([{ key: 'h' }]);
    await eventually(async () => (parkedReports.some((p) => p.partitionKey === 'h') ? true : undefined));
    expect(parkedReports.find((p) => p.partitionKey === 'h')).toMatchObject({ reason: 'undecodable', attempts: 0 });
    expect(handledIds('h')).toEqual([]);
    await worker!.skip('h');
    await eventually(async () => (handledIds('h').length === 1 ? true : undefined));
    expect(handledIds('h')).toEqual([h1.event.id]);
  });

  it('parks an event whose runs kept crashing their worker, without running it again', async () => {
    // Three earlier runs that never finished (a handler that kills its process), as their records show them.
    const crashed = new EventIdempotency({ documents: bus.clients.documents, tableName: bus.names.idempotencyTable, consumer: 'parking', inProgressTimeoutMs: 1 });
    const event = { source: '/shop', id: `crasher-${Date.now()}` };
    for (let run = 0; run < 3; run++) {
      expect(await crashed.claim(event)).toMatchObject({ status: 'claimed', attempt: run + 1 });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const [published] = await bus.publish([{ key: 'k', event }]);
    await eventually(async () => (parkedReports.some((p) => p.partitionKey === 'k') ? true : undefined));
    expect(parkedReports.find((p) => p.partitionKey === 'k')).toMatchObject({
      id: published.event.id,
      reason: 'handler_failed',
      attempts: 4,
      lastError: expect.stringContaining('without finishing'),
    });
    expect(calls.filter((c) => c.id === published.event.id)).toEqual([]);
  });
});
