/**
 * The e2e bench's publishers, one shape for both pipelines: a batch of events is published and the call
 * resolves once the pipeline has acknowledged all of it as durable.
 * - the local bus: one `POST /events` (`application/cloudevents-batch+json`) per batch on a keep-alive
 *   connection, 202 expected; a 429 or 503 is retried after its Retry-After (the bus says that is safe), another
 *   5xx is retried too, up to 3 times, and counted (a failure the rows report), any other answer fails the bench;
 * - JetStream: one acknowledged publish per event (`msgID` = the event id, JetStream's de-duplication), all of a
 *   batch in flight together.
 */
import { Agent, request } from 'node:http';
import type { NatsConnection, JetStreamClient } from 'nats';
import { EVENT_TYPE, type BenchEvent } from './events';

export interface Publisher {
  /** Resolves once every event of the batch is acknowledged. */
  publish(events: readonly BenchEvent[]): Promise<void>;
  /** Answers asking the publisher to retry (429/503), over the publisher's life. */
  readonly retries: number;
  /** Failures (5xx other than 503) the publisher retried, over the publisher's life. */
  readonly serverErrors: number;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function post(agent: Agent, url: URL, contentType: string, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`POST ${url.pathname} took over 30 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SERVER_ERROR_RETRIES = 3;

export class BusPublisher implements Publisher {
  retries = 0;
  serverErrors = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly url: URL;

  constructor(busUrl: string) {
    this.url = new URL('/events', busUrl);
  }

  async publish(events: readonly BenchEvent[]): Promise<void> {
    const one = events.length === 1;
    const body = JSON.stringify(one ? events[0] : events);
    const contentType = one ? 'application/cloudevents+json' : 'application/cloudevents-batch+json';
    let failures = 0;
    for (let attempt = 1; ; attempt++) {
      const answer = await post(this.agent, this.url, contentType, body);
      if (answer.status === 202) {
        const accepted = (JSON.parse(answer.body) as { accepted?: unknown[] }).accepted;
        if (accepted?.length !== events.length) throw new Error(`POST /events answered 202 with ${accepted?.length} accepted of ${events.length}`);
        return;
      }
      if ((answer.status === 429 || answer.status === 503) && attempt < 50) {
        this.retries += 1;
        const seconds = Number(answer.headers['retry-after']);
        await sleep(Number.isFinite(seconds) ? Math.min(Math.max(seconds * 1000, 20), 1000) : 100);
        continue;
      }
      if (answer.status >= 500 && failures < SERVER_ERROR_RETRIES) {
        failures += 1;
        this.serverErrors += 1;
        await sleep(200 * failures);
        continue;
      }
      throw new Error(`POST /events answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    }
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

export const JETSTREAM_SUBJECT = `e2e.${EVENT_TYPE}`;

export class JetStreamPublisher implements Publisher {
  readonly retries = 0;
  readonly serverErrors = 0;
  private readonly js: JetStreamClient;

  constructor(private readonly nc: NatsConnection) {
    this.js = nc.jetstream();
  }

  async publish(events: readonly BenchEvent[]): Promise<void> {
    await Promise.all(events.map((event) => this.js.publish(JETSTREAM_SUBJECT, JSON.stringify(event), { msgID: event.id })));
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}
