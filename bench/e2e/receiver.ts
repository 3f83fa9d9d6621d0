/**
 * The e2e bench's webhook receiver: a node:http server on 127.0.0.1 in a worker thread (its own event loop, so
 * receipt times do not wait on the publisher's work). It answers 200 at once and verifies nothing in the hot
 * path: per request it reads the body, takes the event's `id` and `data.publishedAt` (ms since the epoch, as
 * `performance.timeOrigin + performance.now()`), and records receipt time − publish time for the first copy of
 * each id of the current phase. It keeps a sample of whole requests (headers and body) for the bench to verify
 * their signatures afterwards with the `standardwebhooks` library.
 */
import { Worker } from 'node:worker_threads';

/** Requests kept whole per phase: the first few, then one every SAMPLE_EVERY. */
const SAMPLE_FIRST = 10;
const SAMPLE_EVERY = 500;
const SAMPLE_MAX = 60;

export interface ReceivedSample {
  headers: Record<string, string>;
  body: string;
}

export interface PhaseStats {
  /** Distinct events of the phase received. */
  count: number;
  /** Further copies of events of the phase already received. */
  duplicates: number;
  /** Requests whose body was not an event of the phase (another phase's event, or not a bench event at all). */
  strays: number;
  malformed: number;
  /** Per distinct event: receipt time − publish time, ms. */
  latencies: number[];
  /** Per distinct event: receipt time, ms since the epoch (same order as `latencies`). */
  receivedAt: number[];
  samples: ReceivedSample[];
}

const SOURCE = `
const { createServer } = require('node:http');
const { parentPort } = require('node:worker_threads');
const now = () => performance.timeOrigin + performance.now();
let prefix = '\\u0000';
let notify = false;
let seen = new Set();
let duplicates = 0, strays = 0, malformed = 0, requests = 0;
let latencies = [], receivedAt = [], samples = [];
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const at = now();
    res.writeHead(200, { 'content-length': '0' }).end();
    const body = Buffer.concat(chunks).toString('utf8');
    let event;
    try { event = JSON.parse(body); } catch { malformed += 1; return; }
    const id = event && event.id;
    const publishedAt = event && event.data && event.data.publishedAt;
    if (typeof id !== 'string' || typeof publishedAt !== 'number') { malformed += 1; return; }
    if (!id.startsWith(prefix)) { strays += 1; return; }
    requests += 1;
    if (samples.length < ${SAMPLE_MAX} && (requests <= ${SAMPLE_FIRST} || requests % ${SAMPLE_EVERY} === 0)) samples.push({ headers: req.headers, body });
    if (seen.has(id)) { duplicates += 1; return; }
    seen.add(id);
    latencies.push(at - publishedAt);
    receivedAt.push(at);
    if (notify) parentPort.postMessage({ received: id });
  });
});
server.keepAliveTimeout = 60000;
server.headersTimeout = 61000;
parentPort.on('message', (message) => {
  if (message.type === 'count') parentPort.postMessage({ count: seen.size, duplicates, strays, malformed });
  if (message.type === 'stats') parentPort.postMessage({ count: seen.size, duplicates, strays, malformed, latencies, receivedAt, samples });
  if (message.type === 'reset') {
    prefix = message.prefix; notify = message.notify;
    seen = new Set(); duplicates = 0; strays = 0; malformed = 0; requests = 0;
    latencies = []; receivedAt = []; samples = [];
    parentPort.postMessage({ reset: true });
  }
  if (message.type === 'close') {
    server.closeAllConnections();
    server.close(() => parentPort.postMessage({ closed: true }));
  }
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

export class ThreadReceiver {
  private readonly waiters = new Map<string, () => void>();
  private replies: ((message: unknown) => void)[] = [];
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly port: number,
  ) {
    worker.on('message', (message: { received?: string }) => {
      if (message.received !== undefined) {
        this.waiters.get(message.received)?.();
        this.waiters.delete(message.received);
        return;
      }
      this.replies.shift()?.(message);
    });
    // A receiver that dies fails every question asked of it, now and later, instead of leaving the bench waiting.
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const reply of this.replies.splice(0)) reply(this.failure);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the e2e receiver thread exited (${code})`)));
  }

  static async start(): Promise<ThreadReceiver> {
    const worker = new Worker(SOURCE, { eval: true });
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return new ThreadReceiver(worker, port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** Starts a phase: only events whose id starts with `prefix` count; with `notify`, `received(id)` works. */
  async reset(prefix: string, notify = false): Promise<void> {
    this.waiters.clear();
    await this.ask({ type: 'reset', prefix, notify });
  }

  /** Resolves once the event `id` of the current phase (started with `notify`) has been received. */
  received(id: string): Promise<void> {
    return new Promise((resolve) => this.waiters.set(id, resolve));
  }

  count(): Promise<Pick<PhaseStats, 'count' | 'duplicates' | 'strays' | 'malformed'>> {
    return this.ask({ type: 'count' });
  }

  stats(): Promise<PhaseStats> {
    return this.ask({ type: 'stats' });
  }

  async close(): Promise<void> {
    if (this.failure) return;
    await this.ask({ type: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }

  private ask<T>(message: { type: string; [key: string]: unknown }): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.replies.push((reply) => (reply instanceof Error ? reject(reply) : resolve(reply as T)));
      this.worker.postMessage(message);
    });
  }
}
