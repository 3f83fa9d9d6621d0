import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { OAuth2Server } from 'oauth2-mock-server';
import { Webhook } from 'standardwebhooks';
import type { CloudEventJson } from '../../../src/events/types';
import { makeEvent } from '../../helpers/cloudEvents';
import { Receiver, type ReceivedRequest } from '../delivery/support/Receiver';
import { EngineHarness, kinesisRecords, webhookSubscription } from './support/EngineHarness';

const SECRET = 'whsec_' + randomBytes(32).toString('base64');

let harness: EngineHarness;
let receiver: Receiver;

beforeAll(async () => {
  harness = await EngineHarness.start({ env: { HOOK_SECRET: SECRET, ERP_CLIENT_SECRET: 'erp-secret' } });
  receiver = await Receiver.start();
});
afterAll(async () => {
  await receiver.close();
  await harness.close();
});
beforeEach(() => receiver.reset());

function body(request: ReceivedRequest): CloudEventJson {
  return new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>) as CloudEventJson;
}

/** `name` of each event the receiver accepted (2xx), per partition key, in arrival order. */
function acceptedByKey(accepted: CloudEventJson[]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const event of accepted) (result[String(event.partitionkey)] ??= []).push(String((event.data as { name: string }).name));
  return result;
}

describe('ordered subscriptions', () => {
  it('a failing key holds back only its own later events, which arrive in stream order once it recovers', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('ordered', receiver.url(), {}, { ordered: true })] });
    let keyBFails = true;
    const accepted: CloudEventJson[] = [];
    let inFlightB = 0;
    let maxInFlightB = 0;
    receiver.answer(async (request, response) => {
      const event = body(request);
      const isB = event.partitionkey === 'B';
      if (isB) maxInFlightB = Math.max(maxInFlightB, ++inFlightB);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (isB) inFlightB -= 1;
      if (isB && keyBFails) {
        response.writeHead(503).end();
        return;
      }
      accepted.push(event);
      response.writeHead(200).end();
    });
    const event = (key: string, name: string) => makeEvent({ partitionkey: key, data: { name } });

    const first = await harness.publish(
      event('A', 'a1'),
      event('B', 'b1'),
      event('A', 'a2'),
      event('B', 'b2'),
      event('C', 'c1'),
      event('B', 'b3'),
      event('A', 'a3'),
    );
    expect(first.batchItemFailures).toEqual([]);
    expect(acceptedByKey(accepted)).toEqual({ A: ['a1', 'a2', 'a3'], C: ['c1'] });
    // b1 was tried once; b2 and b3 were not tried at all, they wait behind it.
    expect(receiver.requests.filter((request) => body(request).partitionkey === 'B')).toHaveLength(1);
    const lane = await harness.pending('ordered');
    expect(lane.map((entry) => [(entry.event.data as { name: string }).name, entry.state])).toEqual([
      ['b1', 'pending'],
      ['b2', 'waiting'],
      ['b3', 'waiting'],
    ]);

    // A later batch: key A flows, key B's new event queues behind the ledger's.
    await harness.publish(event('B', 'b4'), event('A', 'a4'));
    expect(acceptedByKey(accepted).A).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect((await harness.pending('ordered')).map((entry) => (entry.event.data as { name: string }).name)).toEqual(['b1', 'b2', 'b3', 'b4']);

    // Still failing at the first retry: nothing overtakes b1.
    expect(await harness.redeliverAfter(6_000)).toMatchObject({ taken: 1, failed: 1 });
    keyBFails = false;
    let round = await harness.redeliverAfter(31_000);
    while (round.taken > 0) round = await harness.redeliverer.round();

    expect(acceptedByKey(accepted).B).toEqual(['b1', 'b2', 'b3', 'b4']);
    expect(maxInFlightB).toBe(1);
    expect(await harness.pending('ordered')).toEqual([]);
  });

  it('keeps each key in stream order across a batch far longer than one dispatch slice', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('ordered-long', receiver.url(), {}, { ordered: true })] });
    const accepted: CloudEventJson[] = [];
    receiver.answer((request, response) => {
      accepted.push(body(request));
      response.writeHead(204).end();
    });
    const keys = ['K1', 'K2', 'K3'];
    const events = Array.from({ length: 200 }, (_, i) => makeEvent({ partitionkey: keys[i % keys.length], data: { name: `n${i}` } }));

    expect((await harness.publish(...events)).batchItemFailures).toEqual([]);
    expect(accepted).toHaveLength(200);
    const expected: Record<string, string[]> = {};
    events.forEach((event, i) => (expected[String(event.partitionkey)] ??= []).push(`n${i}`));
    expect(acceptedByKey(accepted)).toEqual(expected);
  });

  it('events of a key for a disabled subscription go dead, not into the lane', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('ordered-gone', receiver.url(), {}, { ordered: true })] });
    receiver.answer((_request, response) => response.writeHead(410).end());
    await harness.publish(makeEvent({ partitionkey: 'K' }), makeEvent({ partitionkey: 'K' }), makeEvent({ partitionkey: 'K' }));
    expect(receiver.requests).toHaveLength(1);
    expect((await harness.dead('ordered-gone')).map((entry) => entry.deadReason)).toEqual([
      'subscription_disabled',
      'subscription_disabled',
      'subscription_disabled',
    ]);
    expect(await harness.pending('ordered-gone')).toEqual([]);
  });
});

describe('unordered subscriptions', () => {
  it('deliver a batch concurrently, never more at once than the subscription\'s concurrency', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('limited', receiver.url(), {}, { concurrency: 3 })] });
    let inFlight = 0;
    let maxInFlight = 0;
    receiver.answer(async (_request, response) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 30));
      inFlight -= 1;
      response.writeHead(204).end();
    });
    const events = Array.from({ length: 12 }, () => makeEvent());
    await harness.publish(...events);
    expect(receiver.requests.map((request) => body(request).id).sort()).toEqual(events.map((event) => event.id).sort());
    expect(maxInFlight).toBe(3);
  });
});

describe('OAuth webhooks', () => {
  let oauth: OAuth2Server;
  let tokenRequests: number;

  beforeAll(async () => {
    oauth = new OAuth2Server();
    await oauth.issuer.keys.generate('RS256');
    await oauth.start(0, '127.0.0.1');
    tokenRequests = 0;
    oauth.service.on('beforeResponse', (_response: unknown, req: IncomingMessage) => {
      if (req.url?.startsWith('/token')) tokenRequests += 1;
    });
  });
  afterAll(() => oauth.stop());

  it('gets one token for a whole batch of concurrent deliveries and sends it as a bearer token', async () => {
    const tokenUrl = `http://127.0.0.1:${oauth.address().port}/token`;
    await harness.putSubscriptions({
      subscriptions: [
        {
          id: 'erp',
          target: {
            oauthWebhook: {
              url: receiver.url('/erp'),
              tokenUrl,
              clientId: 'switchyard',
              clientSecret: { env: 'ERP_CLIENT_SECRET' },
              scope: 'events.write',
              secret: { env: 'HOOK_SECRET' },
            },
          },
        },
      ],
    });
    receiver.answer((request, response) => response.writeHead(/^Bearer .+/.test(String(request.headers.authorization)) ? 200 : 401).end());
    const events = Array.from({ length: 20 }, () => makeEvent());
    await harness.publish(...events.slice(0, 10));
    await harness.publish(...events.slice(10));

    expect(receiver.requests.map((request) => body(request).id).sort()).toEqual(events.map((event) => event.id).sort());
    expect(new Set(receiver.requests.map((request) => request.headers.authorization)).size).toBe(1);
    expect(tokenRequests).toBe(1);
  });
});

describe('batch item failures', () => {
  it('reports only records whose ledger write failed, and a failed key\'s later events with them, in order', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('bookkeeping', receiver.url(), {}, { ordered: true })] });
    receiver.answer((request, response) => response.writeHead(body(request).partitionkey === 'X' ? 500 : 204).end());
    // DynamoDB refusing writes (throttling, an outage): no emulator does that on demand, so the real client
    // gets a middleware that fails its PutItem calls while `refuse` is set.
    let refuse = true;
    harness.test.clients.documents.middlewareStack.add(
      (next, context) => async (args) => {
        if (refuse && /^Put(Item)?Command$/.test(String(context.commandName))) throw Object.assign(new Error('injected outage'), { name: 'InternalServerError' });
        return next(args);
      },
      { step: 'initialize', name: 'refusePuts' },
    );
    const [x1, y1, x2] = kinesisRecords([
      makeEvent({ partitionkey: 'X' }),
      makeEvent({ partitionkey: 'Y' }),
      makeEvent({ partitionkey: 'X' }),
    ]);
    try {
      const result = await harness.engine.processRecords([x1, y1, x2]);
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: x1.kinesis.sequenceNumber }, { itemIdentifier: x2.kinesis.sequenceNumber }]);
    } finally {
      refuse = false;
      harness.test.clients.documents.middlewareStack.remove('refusePuts');
    }
    // x2 was never attempted: it must not overtake x1.
    const keys = () => receiver.requests.map((request) => `${body(request).partitionkey}`);
    expect(keys().sort()).toEqual(['X', 'Y']);
    expect(harness.log.lines.some((line) => line.level === 'error' && line.detail.subscriptionId === 'bookkeeping')).toBe(true);

    // Kinesis sends the batch again from the first failed record.
    expect((await harness.engine.processRecords([x1, y1, x2])).batchItemFailures).toEqual([]);
    expect((await harness.pending('bookkeeping')).map((entry) => [entry.sequence, entry.state])).toEqual([
      [x1.kinesis.sequenceNumber, 'pending'],
      [x2.kinesis.sequenceNumber, 'waiting'],
    ]);
  });

  it('passes over a record that is not a CloudEvent, logging it, and delivers the rest', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('tolerant', receiver.url())] });
    receiver.answer((_request, response) => response.writeHead(204).end());
    const [good] = kinesisRecords([makeEvent()]);
    const [bad] = kinesisRecords([makeEvent()]);
    bad.kinesis.data = Buffer.from('{"not":"an event"}').toString('base64');
    expect((await harness.engine.processRecords([bad, good])).batchItemFailures).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
    expect(harness.log.lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'record is not a CloudEvent; not delivered', detail: expect.objectContaining({ sequence: bad.kinesis.sequenceNumber }) }),
    );
  });
});
