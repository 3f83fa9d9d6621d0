import { GetRecordsCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { ShardPoller, type KinesisHandler } from '../../../local/poller/ShardPoller';
import { MemoryCheckpointStore } from '../../../local/poller/CheckpointStore';
import { PublishSignal } from '../../../local/poller/PublishSignal';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';

let bus: TestEmulators;
beforeAll(async () => {
  bus = await startTestEmulators({ shards: 1 });
});
afterAll(() => bus.close());

const valueOf = (record: KinesisStreamEvent['Records'][number]) => Number(Buffer.from(record.kinesis.data, 'base64').toString());

async function put(values: number[]) {
  await bus.clients.kinesis.send(
    new PutRecordsCommand({ StreamName: bus.names.stream, Records: values.map((v) => ({ PartitionKey: 'k', Data: Buffer.from(String(v)) })) }),
  );
}

async function until(condition: () => boolean, timeoutMs = 15_000) {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function poller(
  handler: KinesisHandler,
  checkpoints = new MemoryCheckpointStore(),
  batchSize = 10,
  extra: { idleMs?: number; wakeOn?: PublishSignal; kinesis?: KinesisClient } = {},
) {
  return new ShardPoller({
    kinesis: extra.kinesis ?? bus.clients.kinesis,
    streamName: bus.names.stream,
    name: 'test',
    handler,
    checkpoints,
    batchSize,
    idleMs: extra.idleMs ?? 20,
    wakeOn: extra.wakeOn,
    retryMs: 5,
    maxRetryMs: 20,
  });
}

/** Far longer than any wait below: a record read before it ends was read because of a wake. */
const NEVER_MS = 600_000;

describe('ShardPoller (the local event source mapping)', () => {
  it('retries from the first batchItemFailure, so every record completes once in order after the failure clears', async () => {
    await put(Array.from({ length: 25 }, (_, i) => i));
    const completed: number[] = [];
    let failuresLeft = 3;
    const p = poller(async (event) => {
      const batchItemFailures = [];
      for (const record of event.Records) {
        const value = valueOf(record);
        if (value === 12 && failuresLeft > 0) {
          failuresLeft -= 1;
          batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber });
          continue;
        }
        // Lambda semantics: after the first failure, later records of the batch are retried anyway.
        if (batchItemFailures.length === 0) completed.push(value);
      }
      return { batchItemFailures };
    });
    await p.start();
    await until(() => completed.length >= 25);
    await p.stop();
    expect(completed).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(failuresLeft).toBe(0);
  });

  it('bisects a batch whose handler throws and retries the poisoned record until it succeeds, skipping nothing', async () => {
    const checkpoints = new MemoryCheckpointStore();
    // Drain what the previous test wrote, so this one starts at a known position.
    const drained = poller(async () => undefined, checkpoints, 100);
    await drained.start();
    await until(() => false, 300).catch(() => undefined);
    await drained.stop();

    await put([100, 101, 102, 103, 104, 105, 106, 107]);
    const invocations: number[][] = [];
    const completed: number[] = [];
    let throwsLeft = 4;
    const p = poller(async (event) => {
      const values = event.Records.map(valueOf);
      invocations.push(values);
      if (values.includes(105) && throwsLeft > 0) {
        throwsLeft -= 1;
        throw new Error('poison');
      }
      completed.push(...values);
    }, checkpoints);
    await p.start();
    await until(() => completed.includes(107));
    await p.stop();
    expect(completed).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
    // The first failure split 8 records into halves and the failing half again, down to [105].
    expect(invocations.slice(0, 4)).toEqual([
      [100, 101, 102, 103, 104, 105, 106, 107],
      [100, 101, 102, 103],
      [104, 105, 106, 107],
      [104, 105],
    ]);
    expect(invocations).toContainEqual([105]);
  });

  it('resumes after a restart from the checkpoint, handing over no record twice and none lost', async () => {
    const checkpoints = new MemoryCheckpointStore();
    const seen: number[] = [];
    const first = poller(async (event) => void seen.push(...event.Records.map(valueOf)), checkpoints, 100);
    await first.start();
    await until(() => seen.includes(107));
    await first.stop();

    await put([200, 201, 202]);
    const afterRestart: number[] = [];
    const second = poller(async (event) => void afterRestart.push(...event.Records.map(valueOf)), checkpoints, 100);
    await second.start();
    await until(() => afterRestart.includes(202));
    await second.stop();
    expect(afterRestart).toEqual([200, 201, 202]);
  });

  it('reads newly published records at once when the publish signal wakes it, not after the idle pause', async () => {
    const published = new PublishSignal();
    const seen: number[] = [];
    const p = poller(async (event) => void seen.push(...event.Records.map(valueOf)), new MemoryCheckpointStore(), 100, {
      idleMs: NEVER_MS,
      wakeOn: published,
    });
    await p.start();
    try {
      // Everything earlier tests wrote is read, then the shard finds nothing new and goes idle.
      await until(() => p.stats().idleShards === 1);
      const readsWhenIdle = p.stats().reads;
      seen.length = 0;

      await put([300, 301, 302]);
      published.published();
      await until(() => seen.includes(302));
      expect(seen).toEqual([300, 301, 302]);
      await until(() => p.stats().idleShards === 1);
      const { reads, wokenEarly } = p.stats();
      expect(wokenEarly).toBe(1);
      // One read for the records and none after: a batch short of batchSize was all there was, and no wake came
      // since it was read, so the shard went idle without asking again.
      expect(reads - readsWhenIdle).toBe(1);
    } finally {
      await p.stop();
    }
  });

  it('does not sleep through a wake that arrives while a read is in flight', async () => {
    let holdNextEmptyRead = false;
    let readHeld!: () => void;
    const held = new Promise<void>((resolve) => (readHeld = resolve));
    let releaseRead!: () => void;
    const released = new Promise<void>((resolve) => (releaseRead = resolve));
    // The real stream, except that one empty GetRecords answer is held back until the test lets it go.
    const kinesis = {
      send: async (command: Parameters<KinesisClient['send']>[0]) => {
        const output = await bus.clients.kinesis.send(command as never);
        if (holdNextEmptyRead && command instanceof GetRecordsCommand && ((output as { Records?: unknown[] }).Records ?? []).length === 0) {
          holdNextEmptyRead = false;
          readHeld();
          await released;
        }
        return output;
      },
    } as unknown as KinesisClient;
    const seen: number[] = [];
    const p = poller(async (event) => void seen.push(...event.Records.map(valueOf)), new MemoryCheckpointStore(), 100, {
      idleMs: NEVER_MS,
      kinesis,
    });
    await p.start();
    try {
      await until(() => p.stats().idleShards === 1);
      seen.length = 0;
      holdNextEmptyRead = true;
      p.wake(); // the idle shard reads again; that read finds nothing and is held back
      await held;
      // Published while the read that missed it is in flight: the shard must read once more, not go idle.
      await put([400, 401]);
      p.wake();
      releaseRead();
      await until(() => seen.includes(401));
      expect(seen).toEqual([400, 401]);
    } finally {
      await p.stop();
    }
  });

  it('stops promptly while idle, and stops listening to the publish signal', async () => {
    const published = new PublishSignal();
    const p = poller(async () => undefined, new MemoryCheckpointStore(), 100, { idleMs: NEVER_MS, wakeOn: published });
    await p.start();
    await until(() => p.stats().idleShards === 1);
    expect(published.subscribers).toBe(1);
    await p.stop();
    expect(published.subscribers).toBe(0);
  });

  it('reads the next batch while the handler works on the current one, as Lambda does', async () => {
    const checkpoints = new MemoryCheckpointStore();
    const drain = poller(async () => undefined, checkpoints, 100, { idleMs: NEVER_MS });
    await drain.start();
    await until(() => drain.stats().idleShards === 1);
    await drain.stop();

    await put([500, 501, 502, 503]);
    const batches: number[][] = [];
    const p = poller(
      async (event) => {
        const readsWhenCalled = p.stats().reads;
        // Returns only once the poller has read again while this batch is still being handled.
        await until(() => p.stats().reads > readsWhenCalled, 10_000);
        batches.push(event.Records.map(valueOf));
      },
      checkpoints,
      2,
      { idleMs: NEVER_MS },
    );
    await p.start();
    try {
      await until(() => batches.length >= 2);
      expect(batches).toEqual([
        [500, 501],
        [502, 503],
      ]);
    } finally {
      await p.stop();
    }
  });

  it('reads again at once when events are published while a short batch is being handled', async () => {
    const published = new PublishSignal();
    const seen: number[] = [];
    let publishDuringHandler = false;
    const p = poller(
      async (event) => {
        const values = event.Records.map(valueOf);
        seen.push(...values);
        if (publishDuringHandler && values.includes(700)) {
          await put([701, 702]);
          published.published();
        }
      },
      new MemoryCheckpointStore(),
      100,
      { idleMs: NEVER_MS, wakeOn: published },
    );
    await p.start();
    try {
      await until(() => p.stats().idleShards === 1);
      seen.length = 0;
      publishDuringHandler = true;
      await put([700]);
      published.published();
      await until(() => seen.includes(702));
      expect(seen).toEqual([700, 701, 702]);
    } finally {
      await p.stop();
    }
  });
});
