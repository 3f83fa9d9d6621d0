import { webhookIdOf } from '../../../src/delivery/webhookIdOf';
import { routeRequest, type ApiDependencies } from '../../../src/http/routeRequest';
import { Credentials } from '../../../src/auth/Credentials';
import type { EventQueries, HttpRequest } from '../../../src/http/types';
import type { StoredEvent } from '../../../src/store/types';
import { memoryEventQueries, storedEvents } from './memoryEventQueries';
import { parseAtomFeed, type AtomFeedValue } from './parseAtomFeed';

const TOKEN = 'reader-token';
const HOST = 'bus.example:4000';

function api(queries: EventQueries, extra: Partial<ApiDependencies> = {}): ApiDependencies {
  return {
    credentials: new Credentials({ token: TOKEN }),
    limits: {},
    accept: async () => [],
    store: { get: async () => undefined },
    queries,
    ...extra,
  };
}

const get = (path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}): HttpRequest => ({
  method: 'GET',
  path,
  headers: { authorization: `Bearer ${TOKEN}`, host: HOST, ...headers },
  query,
  body: Buffer.alloc(0),
});

/** Fetches a feed URL as a reader would (absolute, query included), checking the answer is an Atom document. */
async function fetchFeed(deps: ApiDependencies, url: string, headers: Record<string, string> = {}): Promise<AtomFeedValue> {
  const parsed = new URL(url, `http://${HOST}`);
  const response = await routeRequest(get(parsed.pathname, Object.fromEntries(parsed.searchParams), headers), deps);
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
  return parseAtomFeed(response.body);
}

const linkOf = (feed: AtomFeedValue, rel: string) => feed.links.find((link) => link.rel === rel)?.href;
const entryIds = (feed: AtomFeedValue) => feed.entries.map((entry) => entry.id);
const urnOf = (stored: StoredEvent) => `urn:switchyard:event:${webhookIdOf(stored.event.source, stored.event.id)}`;

describe('GET /feeds/{type-pattern}', () => {
  const events = storedEvents(45);
  const deps = api(memoryEventQueries(events));
  const orders = events.filter((item) => item.event.type.startsWith('order.'));

  it('is an Atom 1.0 feed of the pattern, newest first, 20 entries by default, with self, first and next links', async () => {
    const feed = await fetchFeed(deps, '/feeds/order.*');
    expect(feed.id).toBe('urn:switchyard:feed:order.*');
    expect(feed.title).toBe('Switchyard events: order.*');
    expect(feed.authors).toEqual(['Switchyard']);
    expect(entryIds(feed)).toEqual(orders.slice(-20).reverse().map(urnOf));
    // The feed was updated when its newest entry arrived.
    expect(feed.updated).toBe(orders.at(-1)!.arrivedAt);
    expect(linkOf(feed, 'self')).toBe(`http://${HOST}/feeds/order.*`);
    expect(linkOf(feed, 'first')).toBe(`http://${HOST}/feeds/order.*`);
    expect(linkOf(feed, 'next')).toMatch(new RegExp(`^http://${HOST}/feeds/order\\.\\*\\?after=[A-Za-z0-9_-]+$`));
  });

  it('describes each event: stable id, type as title, arrival, time, source, a link to GET /events/{id} and data as JSON', async () => {
    const feed = await fetchFeed(deps, '/feeds/order.created?limit=1');
    expect(feed.entries).toHaveLength(1);
    const [entry] = feed.entries;
    const stored = events.filter((item) => item.event.type === 'order.created').at(-1)!;
    expect(entry).toEqual({
      id: urnOf(stored),
      title: 'order.created',
      updated: stored.arrivedAt,
      published: stored.event.time,
      author: stored.event.source,
      links: [
        {
          rel: 'alternate',
          type: 'application/cloudevents+json',
          href: `http://${HOST}/events/${stored.event.id}?source=${encodeURIComponent(stored.event.source)}`,
        },
      ],
      categories: [],
      summary: `order.created ${stored.event.id} from ${stored.event.source}`,
      content: { type: 'application/json', text: expect.any(String) },
    });
    expect(JSON.parse(Buffer.from(entry.content!.text, 'base64').toString('utf8'))).toEqual(stored.event.data);
  });

  it('pages with limit: next to the end and previous back give every event exactly once each way, in order', async () => {
    const forward: string[] = [];
    let feed = await fetchFeed(deps, '/feeds/order.>?limit=7');
    forward.push(...entryIds(feed));
    for (let next = linkOf(feed, 'next'); next; next = linkOf(feed, 'next')) {
      expect(next).toContain('limit=7');
      feed = await fetchFeed(deps, next);
      expect(feed.entries.length).toBeLessThanOrEqual(7);
      forward.push(...entryIds(feed));
    }
    expect(forward).toEqual([...orders].reverse().map(urnOf));

    // From the last (oldest) page back to the newest: each page still newest first.
    const backward: string[][] = [entryIds(feed)];
    for (let previous = linkOf(feed, 'previous'); previous; previous = linkOf(feed, 'previous')) {
      feed = await fetchFeed(deps, previous);
      expect(linkOf(feed, 'self')).toBe(previous);
      if (feed.entries.length === 0) break;
      backward.unshift(entryIds(feed));
    }
    expect(backward.flat()).toEqual([...orders].reverse().map(urnOf));
  });

  it('keeps its filters in every link and takes https from X-Forwarded-Proto', async () => {
    const feed = await fetchFeed(deps, '/feeds/%3E?source=%2Fshop&limit=3', { 'x-forwarded-proto': 'https' });
    expect(feed.id).toBe('urn:switchyard:feed:%3E:source:%2Fshop');
    expect(feed.entries.map((entry) => entry.author)).toEqual(['/shop', '/shop', '/shop']);
    expect(linkOf(feed, 'next')).toMatch(new RegExp(`^https://${HOST}/feeds/%3E\\?source=%2Fshop&limit=3&after=`));
    expect(feed.entries[0].links[0].href).toMatch(/^https:\/\/bus\.example:4000\/events\/e-0044\?source=%2Fshop$/);
  });

  it('carries no data for a private type, marking the entry withheld', async () => {
    const feed = await fetchFeed(api(memoryEventQueries(events), { privateTypes: ['order.shipped'] }), '/feeds/order.*?limit=2');
    const [shipped, created] = feed.entries;
    expect(shipped.title).toBe('order.shipped');
    expect(shipped.content).toBeUndefined();
    expect(shipped.categories).toEqual([{ scheme: 'urn:switchyard:data', term: 'withheld', label: 'data withheld: the event type is private' }]);
    expect(shipped.summary).toContain('data withheld');
    expect(created.title).toBe('order.created');
    expect(created.content?.type).toBe('application/json');
  });

  it('carries binary data under its own media type, and text or XML binary data as octet-stream', async () => {
    const base = storedEvents(2);
    const png = { ...base[0], event: { ...base[0].event, data: undefined, datacontenttype: 'image/png', data_base64: 'iVBORw0KGgo=' } };
    const xml = { ...base[1], event: { ...base[1].event, data: undefined, datacontenttype: 'application/atom+xml', data_base64: 'PGEvPg==' } };
    delete png.event.data;
    delete xml.event.data;
    const feed = await fetchFeed(api(memoryEventQueries([png, xml])), '/feeds/%3E');
    expect(feed.entries.map((entry) => entry.content)).toEqual([
      { type: 'application/octet-stream', text: 'PGEvPg==' },
      { type: 'image/png', text: 'iVBORw0KGgo=' },
    ]);
  });

  it('stays a valid document whatever the event holds', async () => {
    const [base] = storedEvents(1);
    const odd: StoredEvent = {
      ...base,
      event: { ...base.event, type: 'a]]>b]]>c<&amp;>"', id: 'x\u2028y\ufffe"&', source: 'urn:a&b', data: { s: '</content>]]>\uffff\r\n&amp;' } },
    };
    const feed = await fetchFeed(api(memoryEventQueries([odd])), '/feeds/%3E');
    expect(feed.entries[0].title).toBe('a]]>b]]>c<&amp;>"');
    expect(JSON.parse(Buffer.from(feed.entries[0].content!.text, 'base64').toString('utf8'))).toEqual(odd.event.data);
    expect(feed.entries[0].links[0].href).toBe(`http://${HOST}/events/${encodeURIComponent(odd.event.id)}?source=urn%3Aa%26b`);
  });

  it('answers an empty feed when nothing matches, updated now', async () => {
    const before = Date.now();
    const feed = await fetchFeed(deps, '/feeds/nothing.here');
    expect(feed.entries).toEqual([]);
    expect(Date.parse(feed.updated)).toBeGreaterThanOrEqual(before - 1000);
    expect(linkOf(feed, 'next')).toBeUndefined();
  });

  it.each([
    ['/feeds/order..x', {}, 'type'],
    ['/feeds/%3E.order', {}, 'type'],
    ['/feeds/%E0%A4%A', {}, 'type'],
    ['/feeds/order.*', { limit: '1000' }, 'limit'],
    ['/feeds/order.*', { type: 'x' }, 'type'],
    ['/feeds/order.*', { order: 'oldest' }, 'order'],
    ['/feeds/order.*', { after: 'garbage' }, 'after'],
  ])('refuses %s %j with 400 naming %s', async (path, query, field) => {
    const response = await routeRequest(get(path, query), deps);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toMatchObject({ code: 'invalid_request', details: [{ index: 0, field }] });
  });

  it('answers 401 without the token and 405 for other methods', async () => {
    const unauthorized = await routeRequest({ ...get('/feeds/order.*'), headers: { host: HOST } }, deps);
    expect(unauthorized.status).toBe(401);
    expect(JSON.parse(unauthorized.body).error.code).toBe('unauthorized');
    const post = await routeRequest({ ...get('/feeds/order.*'), method: 'POST' }, deps);
    expect(post.status).toBe(405);
    expect(post.headers.Allow).toBe('GET');
  });

  it('links relatively when the request has no usable Host', async () => {
    const feed = await fetchFeed(deps, '/feeds/order.*?limit=1', { host: 'evil.example/<x>' });
    expect(linkOf(feed, 'self')).toBe('/feeds/order.*?limit=1');
    expect(feed.entries[0].links[0].href).toMatch(/^\/events\//);
  });
});

describe('GET /types', () => {
  it('lists the catalog of types, authenticated, taking no parameters', async () => {
    const deps = api(memoryEventQueries(storedEvents(5)));
    const response = await routeRequest(get('/types'), deps);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ types: ['invoice.paid', 'order.created', 'order.shipped'] });
    expect((await routeRequest({ ...get('/types'), headers: {} }, deps)).status).toBe(401);
    const withParameter = await routeRequest(get('/types', { prefix: 'order' }), deps);
    expect(withParameter.status).toBe(400);
    expect(JSON.parse(withParameter.body).error.details[0].field).toBe('prefix');
  });

  it('does not exist on an API wired without the store queries', async () => {
    const deps = api(memoryEventQueries([]));
    delete deps.queries;
    for (const path of ['/types', '/feeds/order.*']) expect((await routeRequest(get(path), deps)).status).toBe(404);
  });
});
