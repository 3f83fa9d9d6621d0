import { randomUUID } from 'node:crypto';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import type { _Record } from '@aws-sdk/client-kinesis';
import { MemoryCheckpointStore } from '../../../local/poller/CheckpointStore';
import { ShardPoller } from '../../../local/poller/ShardPoller';
import type { CloudEventJson } from '../../../src/events/types';
import { encodeEvent, kinesisStreamRecord, publishOrdered } from '../../../src/stream';
import { EventIdempotency } from '../../../src/worker/EventIdempotency';
import { orderedWorkerHandler, type LambdaWorkerContext } from '../../../src/worker/lambda';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { readAllRecords } from '../../helpers/kinesis';

// The handler runs against dynalite (idempotency records and the handler's own effects) with records really
// written to and read back from kinesalite.
let bus: TestEmulators;
beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  bus = await startTestEmulators({ shards: 2 });
});
afterAll(() => bus.close());

function idempotency(consumer = `consumer-${randomUUID().slice(0, 8)}`, inProgressTimeoutMs?: number) {
  return new EventIdempotency({ documents: bus.clients.documents, tableName: bus.names.idempotencyTable, consumer, inProgressTimeoutMs });
}

/** Publishes events (in order per partition key) and reads back each one's Lambda record, in stream order per shard. */
async function publish(events: CloudEventJson[]): Promise<Map<string, KinesisStreamRecord[]>> {
  await publishOrdered(
    events.map((event) => encodeEvent(event, String(event.subject))),
    { kinesis: bus.clients.kinesis, streamName: bus.names.stream },
  );
  const ids = new Set(events.map((event) => event.id));
  const byShard = new Map<string, KinesisStreamRecord[]>();
  for (const [shard, records] of await readAllRecords(bus.clients.kinesis, bus.names.stream)) {
    const ours = records.filter((record) => ids.has(idOf(record.Data!) ?? ''));
    if (ours.length) byShard.set(shard, ours.map((record) => lambdaRecord(shard, record)));
  }
  return byShard;
}

/** The CloudEvent id in a record's data, if it holds one. */
function idOf(data: Uint8Array): string | undefined {
  try {
    return (JSON.parse(Buffer.from(data).toString()) as { id?: string }).id;
  } catch {
    return undefined;
  }
}

function lambdaRecord(shard: string, record: _Record): KinesisStreamRecord {
  return kinesisStreamRecord({
    shardId: shard,
    partitionKey: record.PartitionKey!,
    sequenceNumber: record.SequenceNumber!,
    data: record.Data!,
    arrivedAt: record.ApproximateArrivalTimestamp!,
    streamName: bus.names.stream,
    consumer: 'worker',
  });
}

const batch = (records: KinesisStreamRecord[]): KinesisStreamEvent => ({ Records: records });
const sequencesOf = (records: KinesisStreamRecord[]) => records.map((record) => record.kinesis.sequenceNumber);
const orderEvents = (key: string, count: number) => Array.from({ length: count }, (_, i) => makeEvent({ subject: key, data: { step: i } }));

describe('orderedWorkerHandler', () => {
  test('a retried batch re-runs only the events that had not completed, from the first failure on', async () => {
    const events = orderEvents(`order-${randomUUID()}`, 6);
    const [records] = [...(await publish(events)).values()];
    expect(records).toHaveLength(6);
    const handled: string[] = [];
    let failNext = true;
    const handler = orderedWorkerHandler(
      async (event, context) => {
        if (event.id === events[2].id && failNext) {
          failNext = false;
          throw new Error('downstream unavailable');
        }
        handled.push(`${event.id}@${context.sequenceNumber}#${context.attempt}`);
      },
      { idempotency: idempotency() },
    );

    const first = await handler(batch(records));
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(sequencesOf(records.slice(2)));
    expect(handled).toEqual(records.slice(0, 2).map((r, i) => `${events[i].id}@${r.kinesis.sequenceNumber}#1`));

    // Lambda hands the batch over again (here whole, as after a timeout): only the four unfinished events run,
    // the failed one as its second attempt.
    const second = await handler(batch(records));
    expect(second.batchItemFailures).toEqual([]);
    expect(handled.slice(2)).toEqual(
      records.slice(2).map((r, i) => `${events[i + 2].id}@${r.kinesis.sequenceNumber}#${i === 0 ? 2 : 1}`),
    );
    // And a third delivery is a no-op.
    await handler(batch(records));
    expect(handled).toHaveLength(6);
  });

  test("with order 'key', a failure holds back only its own key", async () => {
    const keyA = `a-${randomUUID()}`;
    const keyB = `b-${randomUUID()}`;
    const a = orderEvents(keyA, 3);
    const b = orderEvents(keyB, 3);
    // One shard's records, keys interleaved as they would be in the stream.
    const interleaved = [a[0], b[0], a[1], b[1], a[2], b[2]];
    const records = [...(await publish(interleaved)).values()].flat();
    const byId = new Map(records.map((r) => [idOf(Buffer.from(r.kinesis.data, 'base64'))!, r]));
    const ordered = interleaved.map((event) => byId.get(event.id)!);
    const handled: string[] = [];
    let failures = 1;
    const handler = orderedWorkerHandler(
      async (event) => {
        if (event.id === a[1].id && failures-- > 0) throw new Error('boom');
        handled.push(event.id);
      },
      { idempotency: idempotency(), order: 'key' },
    );
    const first = await handler(batch(ordered));
    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(sequencesOf([byId.get(a[1].id)!, byId.get(a[2].id)!]));
    expect(handled.filter((id) => b.some((e) => e.id === id))).toEqual(b.map((e) => e.id));
    expect(handled.filter((id) => a.some((e) => e.id === id))).toEqual([a[0].id]);

    await handler(batch(ordered.slice(ordered.indexOf(byId.get(a[1].id)!))));
    expect(handled.filter((id) => a.some((e) => e.id === id))).toEqual(a.map((e) => e.id));
    expect(handled).toHaveLength(6);
  });

  test('driven like the event source mapping, each event takes effect once and in order per key across 2 shards', async () => {
    const keys = Array.from({ length: 6 }, (_, i) => `key-${i}-${randomUUID().slice(0, 6)}`);
    const events = keys.flatMap((key) => orderEvents(key, 5));
    const ours = new Set(events.map((event) => event.id));
    const effectsTable = bus.names.idempotencyTable; // any table with `pk` serves for the handler's own writes
    const seenPerKey = new Map<string, number[]>();
    const attemptsById = new Map<string, number>();
    const handler = orderedWorkerHandler(
      async (event, context: LambdaWorkerContext) => {
        if (!ours.has(event.id)) return; // the stream also holds the other tests' events
        const attempt = (attemptsById.get(event.id) ?? 0) + 1;
        attemptsById.set(event.id, attempt);
        // The handler's effect: a counter per event, written conditionally on the record's sequence. The event
        // at step 3 of each key fails its first run after that write; the retry runs it again, and the
        // condition keeps the counter from counting it twice.
        await bus.clients.documents.send(
          new UpdateCommand({
            TableName: effectsTable,
            Key: { pk: `effect:${event.id}` },
            UpdateExpression: 'ADD applied :one SET lastSequence = :sequence',
            ConditionExpression: 'attribute_not_exists(lastSequence) OR lastSequence <> :sequence',
            ExpressionAttributeValues: { ':one': 1, ':sequence': context.sequenceNumber },
          }),
        ).catch((error: { name?: string }) => {
          if (error.name !== 'ConditionalCheckFailedException') throw error;
        });
        if ((event.data as { step: number }).step === 3 && attempt === 1) throw new Error('flaky');
        const seen = seenPerKey.get(String(event.subject)) ?? [];
        seen.push((event.data as { step: number }).step);
        seenPerKey.set(String(event.subject), seen);
      },
      { idempotency: idempotency() },
    );
    await publish(events);
    const poller = new ShardPoller({
      kinesis: bus.clients.kinesis,
      streamName: bus.names.stream,
      name: 'worker-lambda',
      handler,
      checkpoints: new MemoryCheckpointStore(),
      batchSize: 7,
      idleMs: 20,
      retryMs: 5,
      maxRetryMs: 20,
    });
    await poller.start();
    try {
      await eventually(async () => (keys.every((key) => seenPerKey.get(key)?.length === 5) ? true : undefined), 20_000);
    } finally {
      await poller.stop();
    }
    for (const key of keys) expect(seenPerKey.get(key)).toEqual([0, 1, 2, 3, 4]);
    for (const event of events) {
      const { Item } = await bus.clients.documents.send(new GetCommand({ TableName: effectsTable, Key: { pk: `effect:${event.id}` } }));
      expect(Item?.applied).toBe(1);
    }
    // Completed events were never handed to the function again; only the failed ones had a second run.
    expect([...attemptsById.values()].filter((n) => n === 2)).toHaveLength(keys.length);
    expect([...attemptsById.values()].every((n) => n <= 2)).toBe(true);
  });

  test('waits for a timed-out run\'s in-progress claim when the invocation has time left, else retries later', async () => {
    const [event] = orderEvents(`order-${randomUUID()}`, 1);
    const [[record]] = [...(await publish([event])).values()];
    const records = idempotency('held', 300);
    // A previous invocation claimed the event and died (timed out) before completing it.
    expect((await records.claim(event)).status).toBe('claimed');
    const handled: number[] = [];
    const handler = orderedWorkerHandler(async (_e, { attempt }) => void handled.push(attempt), { idempotency: records });

    const withoutTime = await handler(batch([record]), lambdaContext(1_000));
    expect(withoutTime.batchItemFailures).toEqual([{ itemIdentifier: record.kinesis.sequenceNumber }]);
    expect(handled).toEqual([]);

    const withTime = await handler(batch([record]), lambdaContext(10_000));
    expect(withTime.batchItemFailures).toEqual([]);
    expect(handled).toEqual([2]);
  });

  test('passes over a record that is not a CloudEvent and handles the rest', async () => {
    const key = `order-${randomUUID()}`;
    await bus.clients.kinesis.send(new PutRecordCommand({ StreamName: bus.names.stream, PartitionKey: key, Data: Buffer.from('not json') }));
    const [event] = orderEvents(key, 1);
    await publish([event]);
    const shardRecords = [...(await readAllRecords(bus.clients.kinesis, bus.names.stream))].flatMap(([shard, records]) =>
      records.filter((r) => r.PartitionKey === key).map((r) => lambdaRecord(shard, r)),
    );
    expect(shardRecords).toHaveLength(2);
    const handled: string[] = [];
    const handler = orderedWorkerHandler(async (e) => void handled.push(e.id), { idempotency: idempotency() });
    expect(await handler(batch(shardRecords))).toEqual({ batchItemFailures: [] });
    expect(handled).toEqual([event.id]);
  });

  test('builds its idempotency records from the environment, naming a missing variable', async () => {
    const handler = orderedWorkerHandler(async () => undefined, { env: { ...bus.env, WORKER_CONSUMER_NAME: undefined } });
    await expect(handler(batch([]))).rejects.toThrow('environment variable WORKER_CONSUMER_NAME is required');
    const [event] = orderEvents(`order-${randomUUID()}`, 1);
    const [[record]] = [...(await publish([event])).values()];
    const handled: string[] = [];
    const fromEnv = orderedWorkerHandler(async (e) => void handled.push(e.id), { env: { ...bus.env, WORKER_CONSUMER_NAME: 'from-env' } });
    await fromEnv(batch([record]));
    await fromEnv(batch([record]));
    expect(handled).toEqual([event.id]);
    expect(await idempotency('from-env').inspect(event)).toMatchObject({ status: 'completed', attempts: 1 });
  });
});

function lambdaContext(remainingMs: number): Context {
  const deadline = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => deadline - Date.now() } as Context;
}
