import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import type { CloudEventJson } from '../../../src/events/types';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../delivery/support/Receiver';

/**
 * The router's promises end to end on the local bus (ingest → Kinesis → router poller → store → webhook):
 * delivered ⇒ stored, duplicates delivered once, and the duplicate answer of ingest once stored.
 */
const SECRET = 'whsec_' + randomBytes(32).toString('base64');

let bus: LocalBus;
let receiver: Receiver;
let dir: string;
/** What the metadata receiver got when it read each event back at once. */
const readBack: { id: string; status: number; data?: unknown }[] = [];

beforeAll(async () => {
  receiver = await Receiver.start();
  dir = await mkdtemp(join(tmpdir(), 'switchyard-router-'));
  const subscriptionsFile = join(dir, 'subscriptions.json');
  await writeFile(
    subscriptionsFile,
    JSON.stringify({
      subscriptions: [
        { id: 'full', target: { webhook: { url: receiver.url('/full'), secret: SECRET } } },
        { id: 'public', target: { webhook: { url: receiver.url('/public'), secret: SECRET } }, delivery: { payload: 'metadata', concurrency: 32 } },
      ],
    }),
  );
  bus = await startLocalBus({ port: 0, shards: 2, subscriptionsFile });
  // A CHEFS-style receiver: a metadata delivery, then at once GET /events/{id} for the data.
  receiver.answer(async (request, response) => {
    if (request.path === '/public') {
      const event = JSON.parse(request.body.toString()) as CloudEventJson;
      const answer = await fetch(`${bus.url}/events/${encodeURIComponent(event.id)}?source=${encodeURIComponent(event.source)}`);
      const body = answer.ok ? ((await answer.json()) as CloudEventJson) : undefined;
      readBack.push({ id: event.id, status: answer.status, data: body?.data });
    }
    response.writeHead(204).end();
  });
});
afterAll(async () => {
  await bus.stop();
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

async function post(events: object[]): Promise<{ id: string; sequence: string; shard: string; duplicate: boolean }[]> {
  const response = await fetch(`${bus.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify(events),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { accepted: { id: string; sequence: string; shard: string; duplicate: boolean }[] }).accepted;
}

const arrivals = (path: string) =>
  receiver.requests
    .filter((request) => request.path === path)
    .map((request) => new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>) as CloudEventJson);

describe('local bus: the router path', () => {
  it('a metadata receiver that reads the event back at once never gets 404', async () => {
    const events = Array.from({ length: 40 }, (_, i) => makeEvent({ partitionkey: `key-${i % 5}`, data: { i } }));
    await post(events);
    await eventually(async () => (readBack.length >= 40 ? true : undefined), 20_000);
    expect(readBack.filter((entry) => entry.status !== 200)).toEqual([]);
    expect(new Map(readBack.map((entry) => [entry.id, entry.data]))).toEqual(new Map(events.map((event) => [event.id, event.data])));
    // The metadata deliveries carried no data.
    expect(arrivals('/public').every((event) => event.data === undefined)).toBe(true);
  });

  it('delivers copies of an event published 1 ms apart in one key once', async () => {
    const event = makeEvent({ partitionkey: 'twice' });
    const [first, second] = await Promise.all([post([event]), new Promise((resolve) => setTimeout(resolve, 1)).then(() => post([event]))]);
    // Neither copy was stored when it was accepted: both may say duplicate: false, and both are in the stream.
    expect(first[0].id).toBe(event.id);
    expect(second[0].id).toBe(event.id);
    const marker = makeEvent({ partitionkey: 'twice' });
    await post([marker]);
    // The marker comes after both copies in the key's shard: once it is delivered, so would any copy have been.
    await eventually(async () => (arrivals('/full').some((delivered) => delivered.id === marker.id) ? true : undefined), 20_000);
    expect(arrivals('/full').filter((delivered) => delivered.id === event.id)).toEqual([event]);
  });

  it('answers duplicate: true with the original sequence once the event is stored, and does not deliver it again', async () => {
    const event = makeEvent();
    const [accepted] = await post([event]);
    expect(accepted.duplicate).toBe(false);
    await eventually(async () => (arrivals('/full').some((delivered) => delivered.id === event.id) ? true : undefined), 20_000);
    const [again] = await post([{ ...event, data: { other: true } }]);
    expect(again).toEqual({ ...accepted, duplicate: true });
    const marker = makeEvent({ subject: event.subject, source: event.source });
    await post([marker]);
    await eventually(async () => (arrivals('/full').some((delivered) => delivered.id === marker.id) ? true : undefined), 20_000);
    expect(arrivals('/full').filter((delivered) => delivered.id === event.id)).toHaveLength(1);
  });
});
