import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '../../../src/wiring/awsClients';
import { itemKey } from '../../../src/store';
import { toBinaryRequest } from '../../../src/events';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { readAllRecords } from '../../helpers/kinesis';
import { eventually, makeEvent } from '../../helpers/cloudEvents';

/**
 * The HTTP API end to end on an in-process local bus: real HTTP → the ingest Lambda handler → kinesalite,
 * and the archive Lambda handler driven by the shard poller → dynalite, encrypted with the local KMS.
 */
const TOKEN = 'test-token-123';
let bus: LocalBus;
beforeAll(async () => {
  bus = await startLocalBus({ port: 0, token: TOKEN, shards: 2 });
});
afterAll(() => bus.stop());

const auth = { authorization: `Bearer ${TOKEN}` };

async function post(body: string | Buffer, headers: Record<string, string>) {
  const response = await fetch(`${bus.url}/events`, { method: 'POST', headers: { ...auth, ...headers }, body });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

async function getStored(id: string, source: string) {
  const response = await fetch(`${bus.url}/events/${encodeURIComponent(id)}?source=${encodeURIComponent(source)}`, { headers: auth });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const archived = (id: string, source: string) =>
  eventually(async () => {
    const found = await getStored(id, source);
    return found.status === 200 ? found : undefined;
  });

describe('POST /events → Kinesis → event store (local bus)', () => {
  it('accepts a structured event with 202, streams it, archives it encrypted, and serves it decrypted', async () => {
    const event = makeEvent({ subject: 'order-1', data: { total: 120, items: ['a', 'b'] } });
    const response = await post(JSON.stringify(event), { 'content-type': 'application/cloudevents+json' });
    expect(response.status).toBe(202);
    expect(response.body.accepted).toEqual([
      { id: event.id, source: '/shop', sequence: expect.stringMatching(/^\d+$/), shard: expect.stringMatching(/^shardId-/), duplicate: false },
    ]);

    const stored = await archived(event.id, event.source);
    expect(stored.body).toEqual(event);
    expect(stored.headers.get('switchyard-sequence')).toBe(response.body.accepted[0].sequence);

    // The stream carries the event under its partition key (subject, as it has no partitionkey).
    const records = [...(await readAllRecords(createAwsClients(process.env).kinesis, bus.names.stream)).values()].flat();
    const streamed = records.find((r) => JSON.parse(Buffer.from(r.Data!).toString()).id === event.id);
    expect(streamed?.PartitionKey).toBe('order-1');
  });

  it('accepts a batch in request order and a binary-mode event, both readable back', async () => {
    const events = [makeEvent({ partitionkey: 'k1' }), makeEvent({ partitionkey: 'k2' }), makeEvent({ partitionkey: 'k1' })];
    const batch = await post(JSON.stringify(events), { 'content-type': 'application/cloudevents-batch+json' });
    expect(batch.status).toBe(202);
    expect(batch.body.accepted.map((a: { id: string }) => a.id)).toEqual(events.map((e) => e.id));
    // Two events of key k1 land in order on one shard.
    const [first, , third] = batch.body.accepted;
    expect(third.shard).toBe(first.shard);
    expect(BigInt(third.sequence) > BigInt(first.sequence)).toBe(true);

    const binaryEvent = makeEvent({ data: { hello: 'binary' } });
    const binary = toBinaryRequest(binaryEvent);
    const response = await post(binary.body, binary.headers);
    expect(response.status).toBe(202);
    for (const event of [...events, binaryEvent]) expect((await archived(event.id, event.source)).body).toEqual(event);
  });

  it('converts a PageUp envelope into a CloudEvent', async () => {
    const envelope = {
      Header: { MessageId: 'transport-1', Origin: 'pageup.recruiting', TransportTimeStamp: '2026-11-22T01:02:03Z', CorrelationId: 'corr-9' },
      Message: { Header: { MessageType: 'Candidate.Hired', MessageId: `pu-${Date.now()}` }, Body: { candidateId: 42 } },
    };
    const response = await post(JSON.stringify(envelope), { 'content-type': 'application/json' });
    expect(response.status).toBe(202);
    const stored = await archived(envelope.Message.Header.MessageId, 'pageup.recruiting');
    expect(stored.body).toMatchObject({ type: 'Candidate.Hired', source: 'pageup.recruiting', data: { candidateId: 42 } });
  });

  it('answers a repeated source + id as a duplicate with the original position once it is stored, and streams it once', async () => {
    const event = makeEvent();
    const first = await post(JSON.stringify(event), { 'content-type': 'application/cloudevents+json' });
    // The store is the dedupe record: the duplicate answer comes once the router has stored the first copy.
    await archived(event.id, event.source);
    const again = await post(JSON.stringify({ ...event, data: { changed: true } }), { 'content-type': 'application/cloudevents+json' });
    expect(again.status).toBe(202);
    expect(again.body.accepted[0]).toEqual({ ...first.body.accepted[0], duplicate: true });
    const records = [...(await readAllRecords(createAwsClients(process.env).kinesis, bus.names.stream)).values()].flat();
    expect(records.filter((r) => JSON.parse(Buffer.from(r.Data!).toString()).id === event.id)).toHaveLength(1);
    expect((await archived(event.id, event.source)).body.data).toEqual(event.data);
  });

  it('refuses a whole batch when any event is invalid, naming every error, and streams none of it', async () => {
    const good = makeEvent();
    const response = await post(JSON.stringify([good, { ...makeEvent(), source: undefined }, { ...makeEvent(), type: 7 }]), {
      'content-type': 'application/cloudevents-batch+json',
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_event');
    expect(response.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ index: 1, field: 'source' }), expect.objectContaining({ index: 2, field: 'type' })]),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await getStored(good.id, good.source)).status).toBe(404);
  });

  it('answers 401 without the token, 415 for other media types, 413 for an oversized event, 404 for unknown ids', async () => {
    const event = JSON.stringify(makeEvent());
    const noToken = await fetch(`${bus.url}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: event });
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get('www-authenticate')).toBe('Bearer');
    expect((await post(event, { 'content-type': 'text/plain' })).status).toBe(415);
    const huge = await post(JSON.stringify(makeEvent({ data: { blob: 'x'.repeat(300 * 1024) } })), { 'content-type': 'application/cloudevents+json' });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    const unknown = await getStored('no-such-id', '/shop');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const health = await fetch(`${bus.url}/health`);
    expect((await health.json()) as unknown).toEqual({ status: 'ok' });
  });

  it('refuses to serve a stored event whose ciphertext was tampered with', async () => {
    const event = makeEvent({ data: { secret: 'payload' } });
    await post(JSON.stringify(event), { 'content-type': 'application/cloudevents+json' });
    await archived(event.id, event.source);
    // Flip the stored ciphertext directly in DynamoDB.
    const { documents } = createAwsClients(process.env);
    await documents.send(
      new UpdateCommand({
        TableName: bus.names.eventTable,
        Key: { pk: itemKey(event.source, event.id) },
        UpdateExpression: 'SET d.c = :tampered',
        ExpressionAttributeValues: { ':tampered': Buffer.from('not the real ciphertext') },
      }),
    );
    const response = await getStored(event.id, event.source);
    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe('event_unreadable');
    expect(JSON.stringify(response.body)).not.toContain('payload');
  });
});
