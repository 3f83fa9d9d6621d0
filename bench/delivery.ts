/**
 * Delivery benchmarks: the engine as the engine function builds it (`engineFromEnvironment`: subscriptions.json
 * from S3, the delivery ledger on DynamoDB, secrets from the environment) on the local bus's emulators, one
 * `processRecords` call per batch of Kinesis records, delivering to one local node:http receiver that runs in
 * a worker thread (its own event loop, so what is measured is the sender's cost, not the receiver's):
 * - webhook deliveries/s of one engine invocation (match, sign, POST at the subscription's default
 *   concurrency) ÷ raw keep-alive axios POSTs/s of the same bodies at the same concurrency, same receiver;
 *   beside it, the same ratio for `deliver` alone (no engine), to tell the engine's share from the client's;
 * - token requests per 1,000 OAuth deliveries in one invocation, all in flight at once, against a real
 *   token endpoint (oauth2-mock-server).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Worker } from 'node:worker_threads';
import axios from 'axios';
import { OAuth2Server } from 'oauth2-mock-server';
import { Webhook } from 'standardwebhooks';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { KinesisStreamRecord } from 'aws-lambda';
import { createAwsClients } from '../src/wiring/awsClients';
import { deliver, DEFAULT_MAX_SOCKETS_PER_HOST, OUTCOME } from '../src/delivery';
import type { EngineLog } from '../src/engine/types';
import type { CloudEventJson } from '../src/events/types';
import type { Subscription } from '../src/routing/subscriptionTypes';
import { deliveryRuntimeFromEnvironment, engineFromEnvironment } from '../src/wiring/deliveryFromEnvironment';
import { encodeEvent } from '../src/stream/encodeEvent';
import { kinesisStreamRecord } from '../src/stream/kinesisStreamRecord';
import { startEmulators } from '../local/emulators';
import { provisionLocalResources, resourceEnv, type LocalResourceNames } from '../local/provision';
import type { Benchmark, BenchRow } from './types';
import { median } from './stats';

const EVENTS_PER_ROUND = 2_000;
const ROUNDS = 7;
const OAUTH_DELIVERIES = 1_000;
/** Requests the receiver keeps whole, so their signatures can be checked after the timed rounds. */
const SAMPLED_REQUESTS = 50;

interface ReceiverStats {
  count: number;
  /** Distinct `authorization` header values seen. */
  authorizations: number;
  samples: { headers: Record<string, string>; body: string }[];
}

/** The receiver's code: answers 204 to every POST once its body is read, counts them and keeps a few. */
const RECEIVER_SOURCE = `
const { createServer } = require('node:http');
const { parentPort } = require('node:worker_threads');
let count = 0;
let samples = [];
let authorizations = new Set();
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    count += 1;
    if (req.headers.authorization) authorizations.add(req.headers.authorization);
    if (samples.length < ${SAMPLED_REQUESTS}) samples.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60000;
parentPort.on('message', (message) => {
  if (message === 'stats') parentPort.postMessage({ count, authorizations: authorizations.size, samples });
  if (message === 'reset') { count = 0; samples = []; authorizations = new Set(); parentPort.postMessage('reset'); }
  if (message === 'close') server.close(() => parentPort.postMessage('closed'));
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

class ThreadReceiver {
  private constructor(
    private readonly worker: Worker,
    readonly port: number,
  ) {}

  static async start(): Promise<ThreadReceiver> {
    const worker = new Worker(RECEIVER_SOURCE, { eval: true });
    const { port } = await next<{ port: number }>(worker);
    return new ThreadReceiver(worker, port);
  }

  url(path = '/hooks'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async stats(): Promise<ReceiverStats> {
    this.worker.postMessage('stats');
    return next<ReceiverStats>(this.worker);
  }

  async reset(): Promise<void> {
    this.worker.postMessage('reset');
    await next(this.worker);
  }

  async close(): Promise<void> {
    this.worker.postMessage('close');
    await next(this.worker);
    await this.worker.terminate();
  }
}

function next<T = unknown>(worker: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

function makeEvents(count: number, type: string): CloudEventJson[] {
  return Array.from({ length: count }, (_, i) => ({
    specversion: '1.0',
    id: randomUUID(),
    source: '/bench/shop',
    type,
    subject: `order-${i}`,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { total: i, currency: 'AUD', lines: [{ sku: 'A-1', qty: 2 }, { sku: 'B-7', qty: 1 }], note: 'x'.repeat(200) },
  }));
}

/** Runs `work` over `items` with `concurrency` in flight; returns items per second. */
async function perSecond<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<number> {
  let nextItem = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nextItem < items.length) await work(items[nextItem++]);
    }),
  );
  return items.length / (Number(process.hrtime.bigint() - started) / 1e9);
}



/** A Lambda Kinesis event record carrying the event as ingest writes it (`encodeEvent`). */
function kinesisRecord(event: CloudEventJson, sequence: bigint): KinesisStreamRecord {
  const { partitionKey, data } = encodeEvent(event, event.subject as string);
  return kinesisStreamRecord({ shardId: 'shardId-000000000000', partitionKey, sequenceNumber: String(sequence), data, streamName: 'bench', consumer: 'bench' });
}

let sequence = 10n ** 20n;
const recordsOf = (events: readonly CloudEventJson[]) => events.map((event) => kinesisRecord(event, ++sequence));

const WEBHOOK_TYPE = 'com.example.bench.webhook';
const OAUTH_TYPE = 'com.example.bench.oauth';

const deliveryBenchmark: Benchmark = {
  name: 'delivery',
  run: async () => {
    const emulators = await startEmulators();
    const receiver = await ThreadReceiver.start();
    const oauth = new OAuth2Server();
    const agent = new HttpAgent({ keepAlive: true, maxSockets: DEFAULT_MAX_SOCKETS_PER_HOST });
    const cleanups: (() => Promise<unknown>)[] = [];
    try {
      await oauth.issuer.keys.generate('RS256');
      await oauth.start(0, '127.0.0.1');
      let tokenRequests = 0;
      oauth.service.on('beforeResponse', () => {
        tokenRequests += 1;
      });

      const names: LocalResourceNames = { eventTable: 'bench-events', idempotencyTable: 'bench-idem', deliveryTable: 'bench-deliveries', workerTable: 'bench-workers', stream: 'bench-stream', shards: 1, bucket: 'bench-config' };
      const hookSecret = 'whsec_' + randomBytes(32).toString('base64');
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...emulators.env,
        ...resourceEnv(names, emulators.kmsKeyId),
        ALLOW_PRIVATE_NETWORKS: 'true',
        BENCH_HOOK_SECRET: hookSecret,
        BENCH_CLIENT_SECRET: randomBytes(16).toString('hex'),
      };
      const clients = createAwsClients(env);
      await provisionLocalResources(clients, names);
      const file = {
        subscriptions: [
          // Delivery options left to their defaults: concurrency 16, structured mode, full payload.
          { id: 'bench-webhook', types: [WEBHOOK_TYPE], target: { webhook: { url: receiver.url('/hooks'), secret: { env: 'BENCH_HOOK_SECRET' } } } },
          {
            id: 'bench-oauth',
            types: [OAUTH_TYPE],
            target: {
              oauthWebhook: {
                url: receiver.url('/erp'),
                tokenUrl: `http://127.0.0.1:${oauth.address().port}/token`,
                clientId: 'switchyard',
                clientSecret: { env: 'BENCH_CLIENT_SECRET' },
                scope: 'events.write',
                secret: { env: 'BENCH_HOOK_SECRET' },
              },
            },
            // Every delivery of the invocation in flight at once: all ask for a token before the first has one.
            delivery: { concurrency: OAUTH_DELIVERIES },
          },
        ],
      };
      await clients.s3.send(new PutObjectCommand({ Bucket: names.bucket, Key: 'subscriptions.json', Body: JSON.stringify(file) }));

      const problems: string[] = [];
      const log: EngineLog = { debug: () => {}, info: () => {}, warn: (m, d) => problems.push(`${m} ${JSON.stringify(d)}`), error: (m, d) => problems.push(`${m} ${JSON.stringify(d)}`) };
      // What the engine function builds; the runtime (same env object) is the one the engine got.
      const engine = engineFromEnvironment(env, log, undefined, clients);
      const runtime = deliveryRuntimeFromEnvironment(env, log, undefined, clients);
      cleanups.push(() => runtime.deliveryDeps.webhooks.destroy());
      const webhookSubscription = (await runtime.source.current()).subscriptions.find((s) => s.id === 'bench-webhook');
      if (!webhookSubscription) throw new Error('subscriptions.json as served lacks bench-webhook');
      const invoke = async (events: readonly CloudEventJson[]): Promise<number> => {
        const records = recordsOf(events);
        const started = process.hrtime.bigint();
        const { batchItemFailures } = await engine.processRecords(records);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (batchItemFailures.length > 0 || problems.length > 0) throw new Error(`engine invocation failed: ${problems.slice(0, 3).join('; ')}`);
        return events.length / seconds;
      };

      // `deliver` alone with the engine's own clients (keep-alive pool, secrets) and the subscription's concurrency.
      const deps = runtime.deliveryDeps;
      const deliverAlone = (events: readonly CloudEventJson[], subscription: Subscription) =>
        perSecond(events, subscription.delivery.concurrency, async (event) => {
          const outcome = await deliver(event, subscription, deps);
          if (outcome.kind !== OUTCOME.delivered) throw new Error(`delivery of ${event.id} failed: ${JSON.stringify(outcome)}`);
        });

      const concurrency = webhookSubscription.delivery.concurrency;
      const raw = axios.create({ httpAgent: agent, proxy: false, maxRedirects: 0 });
      const postRaw = (events: readonly CloudEventJson[]) =>
        perSecond(
          events.map((event) => JSON.stringify(event)),
          concurrency,
          async (body) => {
            const response = await raw.post(receiver.url('/hooks'), body, { headers: { 'content-type': 'application/cloudevents+json' } });
            if (response.status !== 204) throw new Error(`raw POST answered ${response.status}`);
          },
        );

      const paths = [
        { rates: [] as number[], run: () => invoke(makeEvents(EVENTS_PER_ROUND, WEBHOOK_TYPE)) },
        { rates: [] as number[], run: () => deliverAlone(makeEvents(EVENTS_PER_ROUND, WEBHOOK_TYPE), webhookSubscription) },
        { rates: [] as number[], run: () => postRaw(makeEvents(EVENTS_PER_ROUND, WEBHOOK_TYPE)) },
      ];
      const [engineRates, deliverRates, rawRates] = paths.map((path) => path.rates);
      // Warm every path (connections, JIT, subscriptions.json, disabled set), then measure in rounds, each
      // path once per round in a rotating order, so drift and GC debt on a shared machine hit all alike.
      for (const path of paths) await path.run();
      await receiver.reset();
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < paths.length; i++) {
          const path = paths[(round + i) % paths.length];
          path.rates.push(await path.run());
        }
      }
      const webhookStats = await receiver.stats();
      const expected = 3 * ROUNDS * EVENTS_PER_ROUND;
      if (webhookStats.count !== expected) throw new Error(`receiver saw ${webhookStats.count} requests, expected ${expected}`);
      // The first requests after the reset are round 1's engine deliveries: each must carry a valid signature.
      const verifier = new Webhook(hookSecret);
      for (const sample of webhookStats.samples) verifier.verify(sample.body, sample.headers);

      await receiver.reset();
      const oauthEvents = makeEvents(OAUTH_DELIVERIES, OAUTH_TYPE);
      await invoke(oauthEvents);
      const oauthStats = await receiver.stats();
      if (oauthStats.count !== OAUTH_DELIVERIES) throw new Error(`receiver saw ${oauthStats.count} OAuth deliveries, expected ${OAUTH_DELIVERIES}`);
      if (oauthStats.samples.some((sample) => !/^Bearer \S+$/.test(sample.headers.authorization ?? ''))) throw new Error('an OAuth delivery came without a bearer token');

      const rawValue = median(rawRates);
      const row = (name: string, value: number): BenchRow => ({
        name,
        value,
        unit: 'deliveries/s',
        baseline: `raw axios keep-alive POSTs of the same bodies, ${concurrency} in flight, same receiver`,
        baselineValue: rawValue,
        ratio: value / rawValue,
        goal: 'ratio >= 0.8',
        met: value / rawValue >= 0.8,
      });
      return [
        row(`webhook deliveries/s, one engine invocation of ${EVENTS_PER_ROUND.toLocaleString('en-US')} records (match, sign, POST; concurrency ${concurrency}) vs raw keep-alive POSTs`, median(engineRates)),
        row(`webhook deliveries/s, deliver() alone (sign, POST; concurrency ${concurrency}) vs raw keep-alive POSTs`, median(deliverRates)),
        {
          name: `token requests per ${OAUTH_DELIVERIES.toLocaleString('en-US')} OAuth deliveries (one engine invocation, all in flight; ${oauthStats.authorizations} distinct bearer)`,
          value: tokenRequests,
          unit: 'requests',
          baseline: 'one token request per delivery',
          baselineValue: OAUTH_DELIVERIES,
          ratio: tokenRequests / OAUTH_DELIVERIES,
          goal: 'value <= 1',
          met: tokenRequests <= 1,
        },
      ];
    } finally {
      for (const cleanup of cleanups) await cleanup();
      agent.destroy();
      await oauth.stop().catch(() => undefined);
      await receiver.close();
      await emulators.close();
    }
  },
};

export const deliveryBenchmarks: Benchmark[] = [deliveryBenchmark];
