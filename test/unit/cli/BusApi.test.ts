import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { ApiRequestError } from '../../../src/cli/http/apiErrors';
import { BusApi, EVENT_CONTENT_TYPE } from '../../../src/cli/http/BusApi';
import { ndjsonBatches } from '../../../src/cli/http/ndjsonBatches';
import { publishBatches } from '../../../src/cli/http/publishBatches';
import { runCli } from '../../../src/cli/program';
import { resolveApiTarget } from '../../../src/cli/target/resolveApiTarget';
import { cliContext } from './support/cliContext';

/** A real HTTP server on 127.0.0.1 answering with `respond`, recording requests and connections. */
interface FakeBus {
  url: string;
  requests: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: string }>;
  connections: number;
  respond: (request: FakeBus['requests'][number], response: ServerResponse) => void;
  server: Server;
}

let bus: FakeBus;
beforeEach(async () => {
  const server = createServer();
  bus = { url: '', requests: [], connections: 0, respond: (_req, res) => res.writeHead(404).end(), server };
  server.on('connection', () => (bus.connections += 1));
  server.on('request', (req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = { method: req.method!, path: req.url!, headers: req.headers, body };
      bus.requests.push(request);
      bus.respond(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  bus.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  bus.server.closeAllConnections();
  await new Promise((resolve) => bus.server.close(resolve));
});

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
const accepted = (ids: string[]) => ({ accepted: ids.map((id, i) => ({ id, source: '/s', sequence: String(100 + i), shard: 'shardId-000000000000', duplicate: false })) });

async function apiFor(options: ConstructorParameters<typeof BusApi>[1] = {}, token?: string): Promise<{ api: BusApi; waits: number[]; retries: string[] }> {
  const waits: number[] = [];
  const retries: string[] = [];
  const target = await resolveApiTarget({ url: bus.url, token }, { env: {} });
  const api = new BusApi(target, { sleep: async (ms) => void waits.push(ms), onRetry: (reason) => retries.push(reason), ...options });
  return { api, waits, retries };
}

describe('BusApi', () => {
  test('sends the token and content type, and reuses one kept-alive connection', async () => {
    bus.respond = (req, res) => json(res, 202, accepted(JSON.parse(req.body).map((e: { id: string }) => e.id)));
    const { api } = await apiFor({}, 'secret-token');
    for (const id of ['a', 'b', 'c']) expect((await api.publish(JSON.stringify([{ id }]), EVENT_CONTENT_TYPE.batch))[0].id).toBe(id);
    api.close();
    expect(bus.requests.map((r) => [r.method, r.path, r.headers.authorization, r.headers['content-type']])).toEqual(
      Array(3).fill(['POST', '/events', 'Bearer secret-token', 'application/cloudevents-batch+json']),
    );
    expect(bus.connections).toBe(1);
  });

  test('waits what Retry-After asks on 429 and 503, then sends the same request again', async () => {
    const answers = [429, 503, 202];
    bus.respond = (_req, res) => {
      const status = answers.shift()!;
      if (status === 202) json(res, 202, accepted(['x']));
      else json(res, status, { error: { code: 'throttled', message: 'slow down' } }, { 'retry-after': status === 429 ? '2' : '1' });
    };
    const { api, waits, retries } = await apiFor();
    expect(await api.publish('{"id":"x"}', EVENT_CONTENT_TYPE.structured)).toEqual(accepted(['x']).accepted);
    api.close();
    expect(waits).toEqual([2000, 1000]);
    expect(retries).toEqual([`${bus.url} answered 429`, `${bus.url} answered 503`]);
    expect(new Set(bus.requests.map((r) => r.body))).toEqual(new Set(['{"id":"x"}']));
  });

  test('gives up after maxRetries, with the answer and that the bus pushes back; waits are capped', async () => {
    bus.respond = (_req, res) => json(res, 503, { error: { code: 'stream_busy', message: 'the stream is at capacity' } }, { 'retry-after': '600' });
    const { api, waits } = await apiFor({ maxRetries: 2, maxWaitMs: 5_000 });
    const failure = api.publish('{}', EVENT_CONTENT_TYPE.structured);
    await expect(failure).rejects.toThrow(`${bus.url} answered 503 stream_busy: the stream is at capacity — the bus is pushing back: try again later`);
    await expect(failure).rejects.toMatchObject({ exitCode: 1, status: 503, retryAfterMs: 600_000 });
    api.close();
    expect(waits).toEqual([5_000, 5_000]);
    expect(bus.requests).toHaveLength(3);
  });

  test('sends again over a new connection when one is cut, and reports a body that is not the API', async () => {
    let first = true;
    bus.respond = (_req, res) => {
      if (first) {
        first = false;
        res.socket!.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>a proxy</html>');
    };
    const { api, retries } = await apiFor();
    await expect(api.getEvent('id', '/s')).rejects.toThrow(`${bus.url} answered GET /events/{id} with 200 and a body that is not the bus API's: check --url / --stage`);
    api.close();
    expect(retries).toHaveLength(1);
    expect(bus.requests.map((r) => r.path)).toEqual(['/events/id?source=%2Fs', '/events/id?source=%2Fs']);
  });

  test("turns a refusal into the API's message with each detail and its field", async () => {
    bus.respond = (_req, res) =>
      json(res, 400, {
        error: {
          code: 'invalid_event',
          message: 'the request holds invalid events',
          details: [
            { index: 0, field: 'source', message: 'required' },
            { index: 2, field: 'type', message: 'must be a non-empty string' },
          ],
        },
      });
    const { api } = await apiFor();
    const failure = api.publish('[]', EVENT_CONTENT_TYPE.batch);
    await expect(failure).rejects.toBeInstanceOf(ApiRequestError);
    await expect(failure).rejects.toThrow(
      [`${bus.url} answered 400 invalid_event: the request holds invalid events`, '  event 0: source: required', '  event 2: type: must be a non-empty string'].join('\n'),
    );
    api.close();
  });
});

describe('publishBatches', () => {
  test('maps a refused batch\'s event indexes to file lines, counts the rest, and sends the next batch', async () => {
    bus.respond = (req, res) => {
      const events = JSON.parse(req.body) as Array<{ id: string; source?: string }>;
      const bad = events.flatMap((event, index) => (event.source ? [] : [{ index, field: 'source', message: 'required' }]));
      if (bad.length > 0) json(res, 400, { error: { code: 'invalid_event', message: 'invalid events', details: bad } });
      else json(res, 202, { accepted: events.map((e) => ({ id: e.id, source: '/s', sequence: '1', shard: 'shardId-0', duplicate: e.id.startsWith('dup') })) });
    };
    const lines = ['{"id":"a","source":"/s"}', '', '{"id":"b","source":"/s"}', '{"id":"c"}', '{"id":"d","source":"/s"}', '{"id":"dup-e","source":"/s"}'];
    const { api } = await apiFor();
    const sizes: number[] = [];
    const report = await publishBatches(ndjsonBatches(Readable.from([lines.join('\n')]), { maxEvents: 2 }), api, (n) => sizes.push(n));
    api.close();
    expect(report).toEqual({ accepted: 2, duplicate: 1, refused: 2, errors: [{ line: 4, field: 'source', message: 'required' }] });
    expect(sizes).toEqual([2, 2, 1]);
  });

  test('stops at a failure that is not a refusal of the batch (401), with its advice', async () => {
    bus.respond = (_req, res) => json(res, 401, { error: { code: 'unauthorized', message: 'invalid bearer token' } }, { 'www-authenticate': 'Bearer' });
    const { api } = await apiFor();
    await expect(publishBatches(ndjsonBatches(Readable.from(['{"id":"a"}\n{"id":"b"}']), { maxEvents: 1 }), api)).rejects.toThrow(
      `${bus.url} answered 401 unauthorized: invalid bearer token — pass --token or set SWITCHYARD_TOKEN`,
    );
    api.close();
    expect(bus.requests).toHaveLength(1);
  });
});

describe('switchyard types (in process)', () => {
  test('prints each type on a line, and says so on stderr when the bus has seen none', async () => {
    let types: string[] = ['a.b', 'a.c'];
    bus.respond = (_req, res) => json(res, 200, { types });
    const listed = cliContext();
    expect(await runCli(['types', '--url', bus.url], listed.ctx)).toBe(0);
    expect(listed.out).toEqual(['a.b', 'a.c']);
    types = [];
    const none = cliContext();
    expect(await runCli(['types', '--url', bus.url], none.ctx)).toBe(0);
    expect(none.out).toEqual([]);
    expect(none.err).toEqual([`${bus.url} has seen no events yet: publish one with switchyard publish`]);
    const asJson = cliContext();
    expect(await runCli(['types', '--url', bus.url, '--json'], asJson.ctx)).toBe(0);
    expect(asJson.out).toEqual(['[]']);
  });
});
