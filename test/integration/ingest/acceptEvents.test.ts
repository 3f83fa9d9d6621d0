import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { acceptEvents } from '../../../src/ingest/acceptEvents';
import { HttpError } from '../../../src/http/HttpError';
import { IngestDedupe } from '../../../src/store';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';
import { injectPartialFailures, readAllRecords } from '../../helpers/kinesis';
import { makeEvent } from '../../helpers/cloudEvents';

let bus: TestEmulators;
let dedupe: IngestDedupe;
beforeAll(async () => {
  bus = await startTestEmulators({ shards: 2 });
  dedupe = new IngestDedupe({ documents: bus.clients.documents, tableName: bus.names.idempotencyTable });
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

async function streamedIds(): Promise<string[]> {
  const records = [...(await readAllRecords(bus.clients.kinesis, bus.names.stream)).values()].flat();
  return records.map((r) => JSON.parse(Buffer.from(r.Data!).toString()).id);
}

describe('acceptEvents (ingest) under stream failures', () => {
  it('answers 429 with Retry-After when the stream throttles, and a retry of the same request loses and repeats nothing', async () => {
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
    const options = { kinesis, streamName: bus.names.stream, dedupe, publish: { maxRounds: 3, baseBackoffMs: 1 } };

    const refused = await acceptEvents(events, options).catch((error) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused.status).toBe(429);
    expect(refused.headers['Retry-After']).toBe('1');

    throttle = false;
    const accepted = await acceptEvents(events, options);
    expect(accepted.map((a) => [a.id, a.duplicate])).toEqual([
      [events[0].id, true],
      [events[1].id, false],
      [events[2].id, false],
      [events[3].id, true],
    ]);
    const ids = await streamedIds();
    for (const event of events) expect(ids.filter((id) => id === event.id)).toHaveLength(1);
    // The two "hot" events landed in order.
    const hot = accepted.filter((_, i) => i === 1 || i === 2);
    expect(hot[0].shard).toBe(hot[1].shard);
    expect(BigInt(hot[1].sequence) > BigInt(hot[0].sequence)).toBe(true);
    kinesis.destroy();
  });

  it('answers 503 with Retry-After while another request holds the claim, and releases its own claims', async () => {
    const inFlight = makeEvent();
    const other = makeEvent();
    const held = await dedupe.claim(inFlight.source, inFlight.id);
    expect(held.status).toBe('claimed');

    const refused = await acceptEvents([other, inFlight], { kinesis: bus.clients.kinesis, streamName: bus.names.stream, dedupe }).catch((e) => e);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['Retry-After'])).toBeGreaterThan(0);
    // `other` was released, so it can be accepted right away; nothing of the request was streamed.
    expect(await dedupe.claim(other.source, other.id)).toMatchObject({ status: 'claimed' });
    expect(await streamedIds()).not.toContain(other.id);
  });

  it('treats the same source + id twice in one batch as one event', async () => {
    const event = makeEvent();
    const accepted = await acceptEvents([event, { ...event }], { kinesis: bus.clients.kinesis, streamName: bus.names.stream, dedupe });
    expect(accepted[1]).toEqual({ ...accepted[0], duplicate: true });
    expect(accepted[0].duplicate).toBe(false);
    expect((await streamedIds()).filter((id) => id === event.id)).toHaveLength(1);
  });
});
