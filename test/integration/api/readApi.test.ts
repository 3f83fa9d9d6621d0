import { webhookIdOf } from '../../../src/delivery/webhookIdOf';
import { ENV } from '../../../src/wiring/environment';
import type { CloudEventJson } from '../../../src/events/types';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { parseAtomFeed, type AtomFeedValue } from '../../unit/http/parseAtomFeed';

/**
 * The read API end to end on an in-process local bus: events published over HTTP, stored by the router through the
 * poller, then read back as JSON pages (`GET /events`), Atom feeds (`GET /feeds/{type-pattern}`) and the type
 * catalog (`GET /types`) through the store's real queries on dynalite.
 */
const TOKEN = 'reader-and-producer';
const auth = { authorization: `Bearer ${TOKEN}` };
let bus: LocalBus;

// Three partition keys, three types (one private), published in two batches so arrival order spans both.
const KEYS = ['k1', 'k2', 'k3'];
const TYPES = ['shop.order.created', 'shop.order.shipped', 'hr.salary.changed'];
const published: CloudEventJson[] = Array.from({ length: 30 }, (_, index) =>
  makeEvent({ type: TYPES[index % 3], partitionkey: KEYS[index % KEYS.length], source: index % 2 ? '/shop' : '/hr', data: { index } }),
);
const urnOf = (event: CloudEventJson) => `urn:switchyard:event:${webhookIdOf(event.source, event.id)}`;

beforeAll(async () => {
  // Read when the ingest handler is wired, at start.
  process.env[ENV.privateTypes] = 'hr.>';
  bus = await startLocalBus({ port: 0, token: TOKEN, shards: 2 });
  for (const batch of [published.slice(0, 15), published.slice(15)]) {
    const response = await fetch(`${bus.url}/events`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(batch),
    });
    expect(response.status).toBe(202);
  }
  // Every event stored before any query: wildcard queries read the type catalog, which the store caches.
  for (const event of published) {
    await eventually(async () => {
      const response = await fetch(`${bus.url}/events/${encodeURIComponent(event.id)}?source=${encodeURIComponent(event.source)}`, { headers: auth });
      await response.arrayBuffer();
      return response.status === 200 ? true : undefined;
    });
  }
});
afterAll(async () => {
  delete process.env[ENV.privateTypes];
  await bus?.stop();
});

async function getJson(path: string) {
  const response = await fetch(`${bus.url}${path}`, { headers: auth });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

async function getFeed(url: string): Promise<AtomFeedValue> {
  const response = await fetch(url, { headers: auth });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
  return parseAtomFeed(await response.text());
}

/** Each partition key's events in publish order (the stream keeps that order per key). */
const byKey = (events: CloudEventJson[]) => KEYS.map((key) => events.filter((event) => event.partitionkey === key).map((event) => event.id));

describe('read API (local bus)', () => {
  it('lists the types seen', async () => {
    const { status, body } = await getJson('/types');
    expect(status).toBe(200);
    expect(body.types).toEqual(expect.arrayContaining(TYPES));
    expect([...body.types].sort()).toEqual(body.types);
  });

  it('pages GET /events oldest first: next to the end and previous back, every event once each way, stream order per key', async () => {
    const forward: any[] = [];
    let page = await getJson('/events?limit=7');
    forward.push(...page.body.events);
    while (page.body.next) {
      page = await getJson(`/events?limit=7&after=${encodeURIComponent(page.body.next)}`);
      expect(page.status).toBe(200);
      forward.push(...page.body.events);
    }
    expect(forward.map((item) => item.event.id).sort()).toEqual(published.map((event) => event.id).sort());
    expect(byKey(forward.map((item) => item.event))).toEqual(byKey(published));
    // Arrival order overall.
    const arrivals = forward.map((item) => item.arrivedAt);
    expect([...arrivals].sort()).toEqual(arrivals);

    const lastPage = page.body.events.map((item: any) => item.event.id);
    const backward: string[][] = [lastPage];
    while (page.body.previous) {
      page = await getJson(`/events?limit=7&before=${encodeURIComponent(page.body.previous)}`);
      if (page.body.events.length === 0) break;
      backward.unshift(page.body.events.map((item: any) => item.event.id));
    }
    expect(backward.flat()).toEqual(forward.map((item) => item.event.id));
  });

  it('filters by pattern and source, and withholds the data of private types', async () => {
    const orders = await getJson('/events?type=shop.order.*&source=%2Fshop&limit=500');
    const expected = published.filter((event) => event.type.startsWith('shop.order.') && event.source === '/shop');
    expect(orders.body.events.map((item: any) => item.event.id).sort()).toEqual(expected.map((event) => event.id).sort());
    expect(orders.body.events.every((item: any) => item.event.data !== undefined && item.dataWithheld === undefined)).toBe(true);
    expect(orders.body.next).toBeUndefined();

    const salaries = await getJson('/events?type=hr.>&limit=500');
    expect(salaries.body.events).toHaveLength(10);
    for (const item of salaries.body.events) {
      expect(item.dataWithheld).toBe(true);
      expect(item.event).not.toHaveProperty('data');
      expect(item.event.type).toBe('hr.salary.changed');
    }
  });

  it('serves an Atom feed newest first, paged both ways, with data as JSON and none for private types', async () => {
    const orders = published.filter((event) => event.type.startsWith('shop.order.'));
    let feed = await getFeed(`${bus.url}/feeds/shop.order.%3E?limit=4`);
    expect(feed.id).toBe('urn:switchyard:feed:shop.order.%3E');
    expect(feed.title).toBe('Switchyard events: shop.order.>');
    expect(feed.links.find((link) => link.rel === 'self')?.href).toBe(`${bus.url}/feeds/shop.order.%3E?limit=4`);
    const forward: AtomFeedValue['entries'] = [...feed.entries];
    for (let next = feed.links.find((link) => link.rel === 'next')?.href; next; next = feed.links.find((link) => link.rel === 'next')?.href) {
      feed = await getFeed(next);
      forward.push(...feed.entries);
    }
    expect(forward.map((entry) => entry.id).sort()).toEqual(orders.map(urnOf).sort());
    const updated = forward.map((entry) => entry.updated);
    expect([...updated].sort().reverse()).toEqual(updated);
    // Newest first, so each key's events in reverse publish order.
    const ids = forward.map((entry) => published.find((event) => urnOf(event) === entry.id)!);
    expect(byKey(ids).map((keyIds) => keyIds.reverse())).toEqual(byKey(orders));

    const backward: string[][] = [feed.entries.map((entry) => entry.id)];
    for (let previous = feed.links.find((link) => link.rel === 'previous')?.href; previous; previous = feed.links.find((link) => link.rel === 'previous')?.href) {
      feed = await getFeed(previous);
      if (feed.entries.length === 0) break;
      backward.unshift(feed.entries.map((entry) => entry.id));
    }
    expect(backward.flat()).toEqual(forward.map((entry) => entry.id));

    const entry = forward[0];
    const event = ids[0];
    expect(entry.title).toBe(event.type);
    expect(JSON.parse(Buffer.from(entry.content!.text, 'base64').toString('utf8'))).toEqual(event.data);
    // The entry's link serves the event itself.
    const linked = await fetch(entry.links[0].href, { headers: auth });
    expect(await linked.json()).toEqual(event);

    const hr = await getFeed(`${bus.url}/feeds/hr.*.*?limit=50`);
    expect(hr.entries).toHaveLength(10);
    expect(hr.entries.every((item) => item.content === undefined && item.categories.some((category) => category.term === 'withheld'))).toBe(true);
  });

  it('asks for the token on every read route, and names a bad parameter', async () => {
    for (const path of ['/events', '/feeds/%3E', '/types']) {
      const response = await fetch(`${bus.url}${path}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      await response.arrayBuffer();
    }
    const bad = await getJson('/events?limit=501');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_request', details: [{ field: 'limit' }] });
    const foreign = await getJson('/events?after=eyJub3QiOiJvdXJzIn0');
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.details[0].field).toBe('after');
  });
  // Last: it publishes one more event.
  it('lets a pull consumer poll: the last page answers resume, which later serves what was stored since', async () => {
    let page = await getJson('/events?type=shop.order.created&limit=500');
    expect(page.body.next).toBeUndefined();
    const resume = page.body.resume as string;
    expect(resume).toEqual(expect.any(String));
    page = await getJson(`/events?type=shop.order.created&after=${encodeURIComponent(resume)}`);
    expect(page.body.events).toEqual([]);
    const later = makeEvent({ type: 'shop.order.created', source: '/shop', data: { later: true } });
    const posted = await fetch(`${bus.url}/events`, { method: 'POST', headers: { ...auth, 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(later) });
    expect(posted.status).toBe(202);
    const polled = await eventually(async () => {
      const next = await getJson(`/events?type=shop.order.created&after=${encodeURIComponent(page.body.resume)}`);
      return next.body.events.length > 0 ? next.body.events : undefined;
    });
    expect(polled.map((item: any) => item.event)).toEqual([later]);
  });
});
