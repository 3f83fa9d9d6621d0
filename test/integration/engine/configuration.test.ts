import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { deliveryRuntimeFromEnvironment, engineFromEnvironment } from '../../../src/wiring/deliveryFromEnvironment';
import { eventStoreFromEnvironment } from '../../../src/wiring/ingestFromEnvironment';
import { makeEvent, eventually } from '../../helpers/cloudEvents';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';
import { Receiver } from '../delivery/support/Receiver';
import { kinesisRecords, RecordingLog, RecordingMetrics, webhookSubscription } from './support/EngineHarness';

// The engine as the function builds it from its environment (engineFromEnvironment), against the emulators.

const SECRET = 'whsec_' + randomBytes(32).toString('base64');

let test: TestEmulators;
let receiver: Receiver;
let scratch: string;

beforeAll(async () => {
  test = await startTestEmulators({ shards: 1 });
  receiver = await Receiver.start();
  scratch = await mkdtemp(join(tmpdir(), 'switchyard-engine-'));
});
afterAll(async () => {
  await receiver.close();
  await test.close();
  await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  receiver.reset();
  receiver.answer((_request, response) => response.writeHead(204).end());
});

/** A function environment of its own (the builders share one runtime per environment object). */
function functionEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...test.env,
    CONFIG_BUCKET_NAME: test.names.bucket,
    SUBSCRIPTIONS_KEY: `subscriptions-${randomBytes(4).toString('hex')}.json`,
    HOOK_SECRET: SECRET,
    ...extra,
  };
}

function builtEngine(env: NodeJS.ProcessEnv) {
  const log = new RecordingLog();
  const metrics = new RecordingMetrics();
  const engine = engineFromEnvironment(env, log, metrics, test.clients);
  const { source, ledger } = deliveryRuntimeFromEnvironment(env, log, metrics, test.clients);
  const put = async (file: unknown) => {
    await test.clients.s3.send(
      new PutObjectCommand({ Bucket: test.names.bucket, Key: env.SUBSCRIPTIONS_KEY, Body: typeof file === 'string' ? file : JSON.stringify(file) }),
    );
    await source.refresh();
  };
  return { engine, ledger, log, metrics, put };
}

const verifiedIds = () =>
  receiver.requests.map((request) => (new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>) as { id: string }).id);

describe('subscriptions.json as the engine serves it', () => {
  it('accepts the PageUp format: BusinessEvent matches the type exactly, "*" everything, signed with the default secret', async () => {
    const { engine, put } = builtEngine(functionEnv({ ALLOW_PRIVATE_NETWORKS: 'true', SWITCHYARD_DEFAULT_WEBHOOK_SECRET: SECRET }));
    await put([
      { Type: 'Webhook', Endpoint: receiver.url('/offers'), BusinessEvent: 'offer-accepted' },
      { Type: 'Webhook', Endpoint: receiver.url('/all'), BusinessEvent: '*' },
    ]);
    const accepted = makeEvent({ type: 'offer-accepted' });
    const other = makeEvent({ type: 'offer-accepted.v2' });
    await engine.processRecords(kinesisRecords([accepted, other]));

    const paths = receiver.requests.map((request) => request.path);
    expect(paths.filter((path) => path === '/offers')).toHaveLength(1);
    expect(paths.filter((path) => path === '/all')).toHaveLength(2);
    expect(verifiedIds().sort()).toEqual([accepted.id, accepted.id, other.id].sort());
  });

  it('refuses an invalid new version with every error path logged and counted; the last valid one keeps serving', async () => {
    const { engine, put, log, metrics } = builtEngine(functionEnv({ ALLOW_PRIVATE_NETWORKS: 'true' }));
    await put({ subscriptions: [webhookSubscription('kept', receiver.url('/kept'))] });
    await engine.processRecords(kinesisRecords([makeEvent()]));

    await put({
      subscriptions: [
        webhookSubscription('broken', 'ftp://nowhere'),
        { id: 'no-target' },
      ],
    });
    const refused = log.lines.find((line) => line.message.startsWith('subscriptions.json refused'));
    const paths = (refused?.detail.errors as { path: string }[]).map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining([expect.stringMatching(/^\/subscriptions\/0\/target/), expect.stringMatching(/^\/subscriptions\/1/)]));
    expect(metrics.counts.SubscriptionsRefused).toBe(1);

    const event = makeEvent();
    expect((await engine.processRecords(kinesisRecords([event]))).batchItemFailures).toEqual([]);
    expect(receiver.requests.map((request) => request.path)).toEqual(['/kept', '/kept']);
    expect(verifiedIds().at(-1)).toBe(event.id);
  });

  it('hands the whole batch back while no valid subscriptions.json was ever loaded', async () => {
    const { engine, put } = builtEngine(functionEnv({ ALLOW_PRIVATE_NETWORKS: 'true' }));
    await put('{ not json');
    const records = kinesisRecords([makeEvent(), makeEvent()]);
    expect((await engine.processRecords(records)).batchItemFailures).toEqual(
      records.map((record) => ({ itemIdentifier: record.kinesis.sequenceNumber })),
    );
  });

  it('in AWS mode (no ALLOW_PRIVATE_NETWORKS) refuses a loopback or plain-http webhook when the file is loaded', async () => {
    const { engine, ledger, log, put } = builtEngine(functionEnv());
    const loopback = receiver.url().replace('http:', 'https:');
    await put({ subscriptions: [webhookSubscription('internal', loopback), webhookSubscription('clear', 'http://hooks.example.com/x')] });
    const refused = log.lines.find((line) => line.message.startsWith('subscriptions.json refused'));
    expect(refused?.detail.errors).toEqual([
      { path: '/subscriptions/0/target/webhook/url', message: expect.stringContaining('points at 127.0.0.1, a loopback, private or link-local address') },
      { path: '/subscriptions/1/target/webhook/url', message: expect.stringContaining('must be an https:// URL') },
    ]);
    // Nothing was ever valid but the file exists: the batch waits (it is retried), nothing is dead-lettered.
    const records = kinesisRecords([makeEvent()]);
    expect((await engine.processRecords(records)).batchItemFailures).toHaveLength(1);
    expect(receiver.requests).toHaveLength(0);
    expect((await ledger.listDead({ subscriptionId: 'internal' })).entries).toEqual([]);
  });
});

describe('engineFromEnvironment', () => {
  it('refuses a setting it cannot read at start, naming it', () => {
    expect(() => builtEngine(functionEnv({ ALLOW_PRIVATE_NETWORKS: 'yes' }))).toThrow(/ALLOW_PRIVATE_NETWORKS must be "true" or "false"/);
    expect(() => builtEngine(functionEnv({ CONFIG_BUCKET_NAME: '' }))).toThrow(/CONFIG_BUCKET_NAME is required/);
    expect(() => builtEngine(functionEnv({ SUBSCRIPTIONS_REFRESH_SECONDS: '0' }))).toThrow(/SUBSCRIPTIONS_REFRESH_SECONDS must be a positive integer/);
  });
});

describe('the router Lambda handler', () => {
  it('stores the batch, then invokes a local Lambda target through the local.functions map', async () => {
    const env = functionEnv({ ALLOW_PRIVATE_NETWORKS: 'true', LOCAL_FUNCTIONS_DIR: join(__dirname, 'fixtures') });
    const subscriptionsKey = env.SUBSCRIPTIONS_KEY!;
    await test.clients.s3.send(
      new PutObjectCommand({
        Bucket: test.names.bucket,
        Key: subscriptionsKey,
        Body: JSON.stringify({
          subscriptions: [{ id: 'audit', target: { lambda: { arn: 'arn:aws:lambda:local:000000000000:function:audit' } } }],
          local: { functions: { audit: './appendingFunction.js' } },
        }),
      }),
    );
    // The handler reads its configuration at module load, as in Lambda.
    Object.assign(process.env, env);
    const { handler } = (await import('../../../lambdas/router/index')) as { handler: (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse> };

    const recordTo = join(scratch, 'audit.jsonl');
    const events = [makeEvent({ data: { recordTo } }), makeEvent({ data: { recordTo } })];
    expect(await handler({ Records: kinesisRecords(events) })).toEqual({ batchItemFailures: [] });
    const received = await eventually(async () => {
      const lines = (await readFile(recordTo, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
      return lines.length === 2 ? lines.map((line) => JSON.parse(line)) : undefined;
    }, 5_000);
    expect(received.map((event) => event.id).sort()).toEqual(events.map((event) => event.id).sort());
    // Delivered ⇒ stored: both are in the event store.
    const store = eventStoreFromEnvironment(env, test.clients);
    for (const event of events) expect((await store.get(event.source, event.id))?.event).toEqual(event);
  });
});
