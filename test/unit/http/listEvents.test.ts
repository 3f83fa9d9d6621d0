import { routeRequest, type ApiDependencies } from '../../../src/http/routeRequest';
import { Credentials } from '../../../src/auth/Credentials';
import type { HttpRequest } from '../../../src/http/types';
import type { EventQueries } from '../../../src/http/types';
import { memoryEventQueries, storedEvents } from './memoryEventQueries';

const TOKEN = 'reader-token';
const auth = { authorization: `Bearer ${TOKEN}` };

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

const get = (path: string, query: Record<string, string> = {}, headers: Record<string, string> = auth): HttpRequest => ({
  method: 'GET',
  path,
  headers,
  query,
  body: Buffer.alloc(0),
});

async function page(deps: ApiDependencies, query: Record<string, string>) {
  const response = await routeRequest(get('/events', query), deps);
  expect(response.status).toBe(200);
  expect(response.headers['content-type']).toBe('application/json');
  return JSON.parse(response.body) as { events: { event: { id: string; data?: unknown }; dataWithheld?: boolean }[]; next?: string; previous?: string };
}

const ids = (body: { events: { event: { id: string } }[] }) => body.events.map((item) => item.event.id);

describe('GET /events', () => {
  const events = storedEvents(47);
  const deps = api(memoryEventQueries(events));

  it('answers oldest first, 20 by default, with each stored event, its position and times', async () => {
    const body = await page(deps, {});
    expect(ids(body)).toEqual(events.slice(0, 20).map((item) => item.event.id));
    expect(body.events[0]).toEqual({
      event: events[0].event,
      sequence: events[0].sequence,
      shard: events[0].shard,
      arrivedAt: events[0].arrivedAt,
      storedAt: events[0].storedAt,
    });
    expect(typeof body.next).toBe('string');
  });

  it('follows next to the end and previous back, every event exactly once each way, each page oldest first', async () => {
    const forward: string[][] = [];
    let body = await page(deps, { limit: '10' });
    forward.push(ids(body));
    while (body.next) {
      body = await page(deps, { limit: '10', after: body.next });
      forward.push(ids(body));
    }
    expect(forward.map((ids) => ids.length)).toEqual([10, 10, 10, 10, 7]);
    expect(forward.flat()).toEqual(events.map((item) => item.event.id));

    const backward: string[][] = [];
    while (body.previous) {
      body = await page(deps, { limit: '10', before: body.previous });
      if (body.events.length > 0) backward.push(ids(body));
    }
    // Each page still reads oldest first; the pages come newest page first.
    expect(backward.map((ids) => ids.length)).toEqual([10, 10, 10, 10]);
    expect(backward.reverse().flat()).toEqual(events.slice(0, 40).map((item) => item.event.id));
  });

  it('answers newest first with order=newest, and pages that way', async () => {
    const first = await page(deps, { order: 'newest', limit: '5' });
    expect(ids(first)).toEqual(['e-0046', 'e-0045', 'e-0044', 'e-0043', 'e-0042']);
    const second = await page(deps, { order: 'newest', limit: '5', after: first.next! });
    expect(ids(second)).toEqual(['e-0041', 'e-0040', 'e-0039', 'e-0038', 'e-0037']);
    const back = await page(deps, { order: 'newest', limit: '5', before: second.previous! });
    expect(ids(back)).toEqual(ids(first));
  });

  it('filters by type patterns, source and arrival window, and passes them to the store', async () => {
    const queries = memoryEventQueries(events);
    const body = await page(api(queries), {
      type: 'order.*,invoice.>',
      source: '/shop',
      from: '2026-12-01T00:00:10Z',
      to: '2026-12-01T00:00:20Z',
      limit: '500',
    });
    expect(ids(body)).toEqual(['e-0010', 'e-0012', 'e-0014', 'e-0016', 'e-0018']);
    expect(queries.asked[0]).toEqual({
      types: ['order.*', 'invoice.>'],
      source: '/shop',
      from: new Date('2026-12-01T00:00:10Z'),
      to: new Date('2026-12-01T00:00:20Z'),
      limit: 500,
      descending: false,
    });
    const invoices = await page(api(queries), { type: 'invoice.paid', limit: '3' });
    expect(body.next).toBeUndefined();
    expect(invoices.events.map((item) => item.event)).toEqual(events.filter((item) => item.event.type === 'invoice.paid').slice(0, 3).map((item) => item.event));
  });

  it('serves events of private types without data, saying so, and leaves the others whole', async () => {
    const body = await page(api(memoryEventQueries(events), { privateTypes: ['invoice.*'] }), { limit: '3' });
    expect(body.events.map((item) => [item.event.id, item.event.data, item.dataWithheld])).toEqual([
      ['e-0000', { n: 0 }, undefined],
      ['e-0001', { n: 1 }, undefined],
      ['e-0002', undefined, true],
    ]);
    expect(body.events[2].event).toEqual({ ...events[2].event, data: undefined });
    expect('data' in body.events[2].event).toBe(false);
  });

  it.each([
    [{ type: 'order..created' }, 'type'],
    [{ type: 'order.>.x' }, 'type'],
    [{ type: '' }, 'type'],
    [{ type: 'a,' }, 'type'],
    [{ type: Array.from({ length: 21 }, (_, i) => `t${i}`).join(',') }, 'type'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '501' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ limit: '2.5' }, 'limit'],
    [{ limit: '' }, 'limit'],
    [{ from: 'yesterday' }, 'from'],
    [{ to: '2026-13-01T00:00:00Z' }, 'to'],
    [{ from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' }, 'to'],
    [{ source: '' }, 'source'],
    [{ order: 'sideways' }, 'order'],
    [{ after: '' }, 'after'],
    [{ after: 'x', before: 'y' }, 'before'],
    [{ after: 'not-a-cursor' }, 'after'],
    [{ before: 'bm90IGEgY3Vyc29y' }, 'before'],
    [{ limt: '5' }, 'limt'],
  ])('refuses %j with 400 invalid_request naming %s', async (query, field) => {
    const response = await routeRequest(get('/events', query), deps);
    expect(response.status).toBe(400);
    const body = JSON.parse(response.body);
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.details).toEqual([{ index: 0, field, message: expect.any(String) }]);
    expect(body.error.message).toContain(field);
  });

  it('refuses a cursor of another query, naming the parameter it came in', async () => {
    const first = await page(deps, { type: 'order.*', limit: '2' });
    const response = await routeRequest(get('/events', { type: 'invoice.*', limit: '2', after: first.next! }), deps);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toMatchObject({ code: 'invalid_request', details: [{ field: 'after' }] });
  });

  it('answers 401 without the token, before reading anything', async () => {
    const queries = memoryEventQueries(events);
    const response = await routeRequest(get('/events', { limit: 'nonsense' }, {}), api(queries));
    expect(response.status).toBe(401);
    expect(response.headers['WWW-Authenticate']).toBe('Bearer');
    expect(queries.asked).toEqual([]);
  });

  it('answers a store failure with a bare 500 and reports it', async () => {
    const reported: unknown[] = [];
    const failing: EventQueries = {
      queryEvents: async () => {
        throw new Error('ProvisionedThroughputExceededException: secret-detail');
      },
      listTypes: async () => [],
    };
    const response = await routeRequest(get('/events'), api(failing, { onError: (error) => reported.push(error) }));
    expect(response.status).toBe(500);
    expect(response.body).toBe('{"error":{"code":"internal_error","message":"internal error"}}');
    expect(String(reported[0])).toContain('ProvisionedThroughputExceededException');
  });

  it('allows GET and POST on /events when the store can be queried', async () => {
    const response = await routeRequest({ ...get('/events'), method: 'DELETE' }, deps);
    expect(response.status).toBe(405);
    expect(response.headers.Allow).toBe('GET, POST');
  });
});
