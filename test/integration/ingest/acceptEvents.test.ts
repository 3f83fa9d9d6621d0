import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { _Record } from '@aws-sdk/client-kinesis';
import { acceptEvents, type AcceptEventsOptions } from '../../../src/ingest/acceptEvents';
import { StreamPushbackError } from '../../../src/ingest/errors';
import { errorResponse } from '../../../src/http/httpErrorOf';
import { eventStoreFromEnvironment } from '../../../src/wiring/ingestFromEnvironment';
import type { DynamoDbEventStore } from '../../../src/store';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';
import { injectPartialFailures, readAllRecords } from '../../helpers/kinesis';
import { makeEvent } from '../../helpers/cloudEvents';

let bus: TestEmulators;
let store: DynamoDbEventStore;
beforeAll(async () => {
  bus = await startTestEmulators({ shards: 2 });
  store = eventStoreFromEnvironment(bus.env, bus.clients);
});
afterAll(() => bus.close());

function kinesisClient() {
  return new KinesisClient({
    region: 'us-east-1',
    endpoint: bus.emulators.endpoints.kinesis,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    requestHandler: new NodeHttpHandler(),
  });
}

async function streamed(): Promise<(_Record & { shard: string })[]> {
  const byShard = await readAllRecords(bus.clients.kinesis, bus.names.stream);
  return [...byShard].flatMap(([shard, records]) => records.map((record) => ({ ...record, shard })));
}

async function streamedIds(): Promise<string[]> {
  return (await streamed()).map((r) => JSON.parse(Buffer.from(r.Data!).toString()).id);
}

/** What the router's first step does with the stream: store every record not stored yet. */
async function storeStream() {
  const records = await streamed();
  return store.storeBatch(
    records.map((record) => ({
      event: JSON.parse(Buffer.from(record.Data!).toString()),
      position: { sequence: record.SequenceNumber!, shard: record.shard },
    })),
  );
}

describe('acceptEvents (ingest)', () => {
  it('refuses with StreamPushbackError (429 with Retry-After) when the stream throttles; a retry of the same request loses nothing, and the router stores each event once', async () => {
    const kinesis = kinesisClient();
    let throttle = true;
    // While throttling, every entry of key "hot" fails; the others land.
    injectPartialFailures(kinesis, (entry) => throttle && entry.partitionKey === 'hot');
    const events = [
      makeEvent({ partitionkey: 'cold' }),
      makeEvent({ partitionkey: 'hot' }),
      makeEvent({ partitionkey: 'hot' }),
      makeEvent({ partitionkey: 'cold' }),
    ];
    const options: AcceptEventsOptions = { kinesis, streamName: bus.names.stream, store, publish: { maxRounds: 3, baseBackoffMs: 1 } };

    const refused = await acceptEvents(events, options).catch((error) => error);
    expect(refused).toBeInstanceOf(StreamPushbackError);
    expect(refused).toMatchObject({ throttled: true, retryAfterSeconds: 1 });
    // The API's answer to it.
    const answer = errorResponse(refused);
    expect(answer.status).toBe(429);
    expect(answer.headers['Retry-After']).toBe('1');
    expect(JSON.parse(answer.body).error).toEqual({
      code: 'throttled',
      message: '2 of 4 events were not accepted by the stream; retry the request (events already accepted are delivered once)',
    });

    throttle = false;
    const accepted = await acceptEvents(events, options);
    // Nothing was stored yet (no router ran), so ingest cannot know the "cold" ones landed: they go again.
    expect(accepted.map((a) => [a.id, a.duplicate])).toEqual(events.map((event) => [event.id, false]));
    const ids = await streamedIds();
    expect(ids.filter((id) => id === events[0].id)).toHaveLength(2);
    expect(ids.filter((id) => id === events[1].id)).toHaveLength(1);
    expect(ids.filter((id) => id === events[2].id)).toHaveLength(1);
    // The two "hot" events landed in order.
    const hot = accepted.filter((_, i) => i === 1 || i === 2);
    expect(hot[0].shard).toBe(hot[1].shard);
    expect(BigInt(hot[1].sequence) > BigInt(hot[0].sequence)).toBe(true);

    // The store keeps the first copy of each and drops the second "cold" copies.
    const outcomes = await storeStream();
    expect(outcomes.filter((outcome) => outcome === 'stored')).toHaveLength(4);
    expect(outcomes.filter((outcome) => outcome === 'duplicate')).toHaveLength(2);
    kinesis.destroy();
  });

  it('answers duplicate: true with the original sequence once the event is stored, and does not publish it again', async () => {
    const event = makeEvent();
    const options: AcceptEventsOptions = { kinesis: bus.clients.kinesis, streamName: bus.names.stream, store };
    const [first] = await acceptEvents([event], options);
    expect(first.duplicate).toBe(false);
    await storeStream();

    const [again] = await acceptEvents([{ ...event, data: { changed: true } }], options);
    expect(again).toEqual({ ...first, duplicate: true });
    expect((await streamedIds()).filter((id) => id === event.id)).toHaveLength(1);
  });

  it('treats the same source + id twice in one batch as one event', async () => {
    const event = makeEvent();
    const accepted = await acceptEvents([event, { ...event }], { kinesis: bus.clients.kinesis, streamName: bus.names.stream, store });
    expect(accepted[1]).toEqual({ ...accepted[0], duplicate: true });
    expect(accepted[0].duplicate).toBe(false);
    expect((await streamedIds()).filter((id) => id === event.id)).toHaveLength(1);
  });

  it('publishes without the duplicate check when the store cannot be read, and says so', async () => {
    const warnings: string[] = [];
    const event = makeEvent();
    const broken = { positions: async () => Promise.reject(new Error('ProvisionedThroughputExceededException')) };
    const [accepted] = await acceptEvents([event], { kinesis: bus.clients.kinesis, streamName: bus.names.stream, store: broken, warn: (message) => warnings.push(message) });
    expect(accepted.duplicate).toBe(false);
    expect(await streamedIds()).toContain(event.id);
    expect(warnings).toEqual([expect.stringMatching(/event store not readable/)]);
  });
});
