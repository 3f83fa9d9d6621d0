import { Agent as HttpAgent } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import axios from 'axios';
import { WebhookClient, type HttpRequest } from '../../../src/delivery/WebhookClient';

// WebhookClient sends with node:http; it used axios (configured as below). Receivers must see byte for byte
// the same request as before, and callers the same answer: a raw TCP receiver records both.

/** What a raw receiver got: the request head (request line and header lines, in order) and the body. */
interface RawRequest {
  head: string;
  body: string;
}

/** A TCP server answering each HTTP/1.1 request with `answer`, recording the raw requests. */
class RawReceiver {
  readonly requests: RawRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(answer: string): Promise<RawReceiver> {
    let receiver!: RawReceiver;
    const server = createServer((socket) => {
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        for (;;) {
          const end = buffered.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buffered.subarray(0, end).toString('latin1');
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
          if (buffered.length < end + 4 + length) return;
          receiver.requests.push({ head, body: buffered.subarray(end + 4, end + 4 + length).toString('utf8') });
          buffered = buffered.subarray(end + 4 + length);
          socket.write(answer);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = new RawReceiver(server, (server.address() as AddressInfo).port);
    return receiver;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The exchange as WebhookClient made it with axios 1.x (its code before node:http), minus the deadline. */
async function axiosExchange(agent: HttpAgent, userAgent: string, request: HttpRequest) {
  const client = axios.create({
    maxRedirects: 0,
    validateStatus: () => true,
    proxy: false,
    decompress: false,
    responseType: 'stream',
    maxBodyLength: Infinity,
    transformRequest: [(data: unknown) => data],
  });
  const hasContentType = Object.keys(request.headers).some((key) => key.toLowerCase() === 'content-type');
  const response = await client.request<Readable>({
    url: new URL(request.url).href,
    method: 'POST',
    headers: { 'user-agent': userAgent, ...(hasContentType ? {} : { 'content-type': false }), ...request.headers },
    data: request.body,
    httpAgent: agent,
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of response.data) chunks.push(chunk as Buffer);
  return { status: response.status, headers, body: Buffer.concat(chunks).subarray(0, request.keepBodyBytes ?? 0) };
}

const USER_AGENT = 'Switchyard-Webhooks/0.1';
const ANSWER = 'HTTP/1.1 202 Accepted\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Trace:  spaced \r\nContent-Length: 5\r\n\r\nhello';

let receiver: RawReceiver;
let client: WebhookClient;
let agent: HttpAgent;

beforeAll(async () => {
  receiver = await RawReceiver.start(ANSWER);
  client = new WebhookClient({ allowPrivateNetworks: true, userAgent: USER_AGENT });
  agent = new HttpAgent({ keepAlive: true });
});
afterAll(async () => {
  await client.destroy();
  agent.destroy();
  await receiver.close();
});

/** `HOST` in a case's URL stands for the receiver's address. */
const base = 'http://HOST';
const at = (url: string) => url.replace('HOST', `127.0.0.1:${receiver.port}`);

/** Requests that exercise each rule axios applied to what it sent. */
function cases(): [string, Omit<HttpRequest, 'timeoutMs'>][] {
  return [
    ['a structured JSON delivery', { url: `${base}/hooks`, headers: { 'content-type': 'application/cloudevents+json', 'webhook-id': 'evt_1' }, body: '{"data":"é ✓"}' }],
    ['a binary body', { url: `${base}/bin?x=1&y=%20`, headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from([0, 1, 2, 255]) }],
    ['an empty body without a content type', { url: `${base}/`, headers: { 'ce-id': '1' }, body: '' }],
    ['an empty Buffer body', { url: `${base}/`, headers: {}, body: Buffer.alloc(0) }],
    [
      'names differing in case, the agent and accept replaced',
      { url: `${base}/p`, headers: { 'X-Tenant': 'a', 'x-tenant': 'b', 'User-Agent': 'mine', accept: 'text/plain', 'Accept-Encoding': 'identity' }, body: 'x' },
    ],
    ['values with blanks, Latin-1, and characters no header can carry', { url: `${base}/p`, headers: { 'x-a': '  padded\t', 'x-b': 'café', 'x-c': 'a✓b', 'x-d': 'a\u0001b' }, body: 'x' }],
    ['a content length given', { url: `${base}/p`, headers: { 'content-length': '1' }, body: 'x' }],
    ['URL credentials, which replace an Authorization header', { url: 'http://us%40er:p%3Ass@HOST/c', headers: { Authorization: 'Bearer t' }, body: 'x' }],
    ['undecodable URL credentials', { url: 'http://a%E0:b@HOST/c', headers: {}, body: 'x' }],
    ['a bearer token', { url: `${base}/token`, headers: { authorization: 'Bearer t', 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials', keepBodyBytes: 3 }],
  ];
}

describe('WebhookClient on the wire, compared with the axios client it replaced', () => {
  it.each(cases())('sends %s exactly as before, and reads the answer the same', async (_name, request) => {
    receiver.requests.length = 0;
    const before = await axiosExchange(agent, USER_AGENT, { ...request, url: at(request.url), timeoutMs: 5_000 });
    const after = await client.exchange({ ...request, url: at(request.url), timeoutMs: 5_000 });
    expect(receiver.requests).toHaveLength(2);
    const [old, now] = receiver.requests;
    expect(now.head).toBe(old.head);
    expect(now.body).toBe(old.body);
    expect(after).toEqual(before);
  });

  it('refuses an unsendable header name with the same error as before', async () => {
    const request = { url: `http://127.0.0.1:${receiver.port}/`, headers: { 'bad name': 'x' }, body: 'x', timeoutMs: 5_000 };
    const before = await axiosExchange(agent, USER_AGENT, request).catch((error: Error & { code?: string }) => error);
    const after = await client.exchange(request).catch((error: Error) => error);
    expect(before).toMatchObject({ code: 'ERR_INVALID_HTTP_TOKEN' });
    expect(after).toMatchObject({ reason: 'invalid_target', retryable: false });
    expect((after as Error).message).toBe(`request to http://127.0.0.1:${receiver.port}/ has an invalid header: ${(before as Error).message}`);
  });

  it('reports a refused connection with the same detail as before, a dual-stack one included', async () => {
    const closed = await RawReceiver.start('');
    const port = closed.port;
    await closed.close();
    for (const host of ['127.0.0.1', 'localhost']) {
      const request = { url: `http://${host}:${port}/x`, headers: {}, body: 'x', timeoutMs: 5_000 };
      const before = (await axiosExchange(agent, USER_AGENT, request).catch((error: unknown) => error)) as Error & { code?: string };
      const after = (await client.exchange(request).catch((error: unknown) => error)) as Error & { reason?: string };
      expect(before.message).not.toBe('');
      expect(after.reason).toBe('connection');
      expect(after.message).toBe(`request to http://${host}:${port}/x failed (${before.code}): ${before.message}`);
    }
  });
});
