import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { ShardPoller, type KinesisHandler } from '../../../local/poller/ShardPoller';
import { MemoryCheckpointStore } from '../../../local/poller/CheckpointStore';
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

function poller(handler: KinesisHandler, checkpoints = new MemoryCheckpointStore(), batchSize = 10) {
  return new ShardPoller({
    kinesis: bus.clients.kinesis,
    streamName: bus.names.stream,
    name: 'test',
    handler,
    checkpoints,
    batchSize,
    idleMs: 20,
    retryMs: 5,
    maxRetryMs: 20,
  });
}

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
});
