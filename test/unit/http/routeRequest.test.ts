import { routeRequest, type ApiDependencies } from '../../../src/http/routeRequest';
import { Credentials } from '../../../src/auth/Credentials';
import type { HttpRequest } from '../../../src/http/types';

const errors: unknown[] = [];
const deps: ApiDependencies = {
  credentials: new Credentials(),
  limits: {},
  accept: async () => {
    throw new Error('stream exploded: secret-detail');
  },
  store: { get: async () => undefined },
  onError: (error) => errors.push(error),
};

const request = (method: string, path: string, extra: Partial<HttpRequest> = {}): HttpRequest => ({
  method,
  path,
  headers: {},
  query: {},
  body: Buffer.alloc(0),
  ...extra,
});

describe('routeRequest', () => {
  it('answers 405 with Allow for a wrong method and 404 for an unknown path, as JSON errors', async () => {
    const wrongMethod = await routeRequest(request('DELETE', '/events'), deps);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.Allow).toBe('POST');
    expect(JSON.parse(wrongMethod.body).error.code).toBe('method_not_allowed');
    const unknown = await routeRequest(request('GET', '/nope'), deps);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe('not_found');
  });

  it('requires the source query parameter for GET /events/{id}, naming it', async () => {
    const response = await routeRequest(request('GET', '/events/abc'), deps);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.details).toEqual([expect.objectContaining({ field: 'source' })]);
  });

  it('answers 400 for an id that is not valid percent-encoding', async () => {
    const response = await routeRequest(request('GET', '/events/%E0%A4%A', { query: { source: '/s' } }), deps);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.details[0].field).toBe('id');
  });

  it('turns an unexpected failure into a bare 500 that leaks nothing, and reports it', async () => {
    const body = Buffer.from(JSON.stringify({ specversion: '1.0', id: '1', source: '/s', type: 't' }));
    const response = await routeRequest(request('POST', '/events', { headers: { 'content-type': 'application/cloudevents+json' }, body }), deps);
    expect(response.status).toBe(500);
    expect(response.body).toBe('{"error":{"code":"internal_error","message":"internal error"}}');
    expect(String(errors[0])).toContain('stream exploded');
  });

  it('serves /health and tolerates a trailing slash', async () => {
    const response = await routeRequest(request('GET', '/health/'), deps);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  });
});
