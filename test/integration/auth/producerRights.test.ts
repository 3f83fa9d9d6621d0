import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCredentialsStore } from '../../../src/auth/CredentialsStore';
import { addCredential, revokeCredential } from '../../../src/auth/editCredentials';
import { emptyCredentialsDocument } from '../../../src/auth/parseCredentialsDocument';
import type { CloudEventJson } from '../../../src/events/types';
import { createAwsClients } from '../../../src/wiring/awsClients';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { readAllRecords } from '../../helpers/kinesis';

/**
 * Producer and reader rights end to end on a local bus whose producers file names a producer of /shop `order.>`,
 * one of /billing `invoice.*`, and a reader of `order.>`: real HTTP → the ingest handler → kinesalite, the router
 * into dynalite. A refused batch must leave nothing in the stream (and so nothing in the store).
 */
let bus: LocalBus;
let dir: string;
let store: FileCredentialsStore;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-rights-'));
  store = new FileCredentialsStore(join(dir, 'producers.json'));
  let document = emptyCredentialsDocument();
  for (const entry of [
    { name: 'shop', sources: ['/shop'], types: ['order.>'] },
    { name: 'billing', sources: ['/billing'], types: ['invoice.*'] },
    { name: 'analytics', reader: true, types: ['order.>'] },
  ]) {
    const added = addCredential(document, entry);
    document = added.document;
    tokens[entry.name] = added.token;
  }
  await store.write(document);
  bus = await startLocalBus({ port: 0, shards: 2, producersFile: store.description });
});
afterAll(async () => {
  await bus?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function publish(token: string, events: CloudEventJson[]) {
  const response = await fetch(`${bus.url}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify(events),
  });
  return { status: response.status, body: (await response.json()) as any };
}

async function read(token: string, path: string) {
  const response = await fetch(`${bus.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

/** Ids of every event the stream holds. */
async function streamedIds(): Promise<Set<string>> {
  const records = [...(await readAllRecords(createAwsClients(process.env).kinesis, bus.names.stream)).values()].flat();
  return new Set(records.map((record) => JSON.parse(Buffer.from(record.Data!).toString()).id as string));
}

const stored = (token: string, event: CloudEventJson) =>
  eventually(async () => {
    const found = await read(token, `/events/${encodeURIComponent(event.id)}?source=${encodeURIComponent(event.source)}`);
    return found.status === 404 ? undefined : found;
  });

describe('producer rights on the local bus', () => {
  it('accepts a batch whose every source and type the producer may publish', async () => {
    const events = [makeEvent({ source: '/shop', type: 'order.created' }), makeEvent({ source: '/shop/eu', type: 'order.paid.card' })];
    const response = await publish(tokens.shop, events);
    expect(response.status).toBe(202);
    expect(response.body.accepted.map((a: { id: string }) => a.id)).toEqual(events.map((e) => e.id));
    expect((await stored(tokens.analytics, events[1])).status).toBe(200);
  });

  it('refuses a whole batch with one forbidden source: 403 forbidden_source naming its index, nothing streamed', async () => {
    const events = [makeEvent({ source: '/shop', type: 'order.created' }), makeEvent({ source: '/billing', type: 'order.created' }), makeEvent({ source: '/shopping', type: 'order.created' })];
    const response = await publish(tokens.shop, events);
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('forbidden_source');
    expect(response.body.error.message).toBe('2 of 3 events are outside what shop may publish; nothing was accepted');
    expect(response.body.error.details).toEqual([
      { index: 1, field: 'source', message: 'shop may not publish source "/billing" (its sources: /shop)' },
      { index: 2, field: 'source', message: 'shop may not publish source "/shopping" (its sources: /shop)' },
    ]);
    const ids = await streamedIds();
    for (const event of events) expect(ids.has(event.id)).toBe(false);
  });

  it('refuses a whole batch with one forbidden type: 403 forbidden_type naming its index, nothing streamed or stored', async () => {
    const events = [makeEvent({ source: '/billing', type: 'invoice.sent' }), makeEvent({ source: '/billing', type: 'invoice.sent.late' })];
    const response = await publish(tokens.billing, events);
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('forbidden_type');
    expect(response.body.error.details).toEqual([{ index: 1, field: 'type', message: 'billing may not publish type "invoice.sent.late" (its types: invoice.*)' }]);
    // The allowed event of the batch was not published either: an accepted one behind it reaches the store first.
    const later = makeEvent({ source: '/billing', type: 'invoice.sent' });
    expect((await publish(tokens.billing, [later])).status).toBe(202);
    const ids = await eventually(async () => {
      const all = await streamedIds();
      return all.has(later.id) ? all : undefined;
    });
    expect(ids.has(events[0].id)).toBe(false);
  });

  it('refuses a reader that publishes, and a producer that reads', async () => {
    const reader = await publish(tokens.analytics, [makeEvent({ source: '/shop', type: 'order.created' })]);
    expect(reader.status).toBe(403);
    expect(reader.body.error.message).toBe('analytics is a reader and may not publish; nothing was accepted');
    const producer = await read(tokens.shop, '/events?type=order.>');
    expect(producer.status).toBe(403);
    expect(producer.body.error.code).toBe('forbidden_type');
  });

  it('answers 401 to a token once it is revoked (the file is re-read when it changes)', async () => {
    const extra = addCredential(await store.read(), { name: 'temp', sources: ['*'], types: ['>'] });
    await store.write(extra.document);
    const event = makeEvent({ source: '/anything', type: 'temp.created' });
    expect((await publish(extra.token, [event])).status).toBe(202);
    await store.write(revokeCredential(await store.read(), 'temp')!);
    const refused = await publish(extra.token, [makeEvent({ source: '/anything', type: 'temp.created' })]);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toEqual({ code: 'unauthorized', message: 'invalid bearer token' });
    expect((await publish('no-such-token', [event])).status).toBe(401);
  });
});

describe('reader rights on the local bus', () => {
  const order = makeEvent({ source: '/shop', type: 'order.shipped' });
  const invoice = makeEvent({ source: '/billing', type: 'invoice.sent' });
  beforeAll(async () => {
    expect((await publish(tokens.shop, [order])).status).toBe(202);
    expect((await publish(tokens.billing, [invoice])).status).toBe(202);
    // Both are stored (an all-types view of the store: the events' own GET with a reader that may read each).
    await stored(tokens.analytics, order);
    await eventually(async () => ((await read(tokens.analytics, `/events/${encodeURIComponent(invoice.id)}?source=%2Fbilling`)).status === 403 ? true : undefined));
  });

  it('serves an event of its types and refuses one outside them with 403 forbidden_type', async () => {
    expect((await read(tokens.analytics, `/events/${encodeURIComponent(order.id)}?source=%2Fshop`)).body).toEqual(order);
    const refused = await read(tokens.analytics, `/events/${encodeURIComponent(invoice.id)}?source=%2Fbilling`);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden_type', message: 'analytics may not read type invoice.sent (its types: order.>)' });
  });

  it('narrows GET /events to its types, and refuses a query of none of them', async () => {
    const page = await read(tokens.analytics, '/events?limit=500');
    expect(page.status).toBe(200);
    const types = page.body.events.map((e: { event: CloudEventJson }) => e.event.type);
    expect(types).toContain('order.shipped');
    expect(types.every((type: string) => type.startsWith('order.'))).toBe(true);
    const refused = await read(tokens.analytics, '/events?type=invoice.*');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden_type');
  });

  it('lists only its types, and refuses a feed of other types', async () => {
    const listed = await read(tokens.analytics, '/types');
    expect(listed.status).toBe(200);
    expect(listed.body.types).toContain('order.shipped');
    expect(listed.body.types).not.toContain('invoice.sent');
    expect((await read(tokens.analytics, '/feeds/order.%3E')).status).toBe(200);
    const feed = await read(tokens.analytics, '/feeds/invoice.%3E');
    expect(feed.status).toBe(403);
    expect(feed.body.error.code).toBe('forbidden_type');
  });
});
