import { randomBytes } from 'node:crypto';
import Cryptr from 'cryptr';
import { compactDecrypt } from 'jose';
import { Webhook } from 'standardwebhooks';
import { makeEvent } from '../../helpers/cloudEvents';
import { Receiver, type ReceivedRequest } from '../delivery/support/Receiver';
import { EngineHarness, webhookSubscription } from './support/EngineHarness';
import { webhookIdOf } from '../../../src/delivery/webhookIdOf';

// The engine and the redeliverer against the emulators, delivering to real HTTP receivers on 127.0.0.1 that
// check every request with the standardwebhooks library itself.

const SECRET = 'whsec_' + randomBytes(32).toString('base64');
const JWE_KEY = randomBytes(32);
const CRYPTR_PASSPHRASE = 'chefs-consumer-passphrase';

let harness: EngineHarness;
let receiver: Receiver;

beforeAll(async () => {
  harness = await EngineHarness.start({
    env: { HOOK_SECRET: SECRET, JWE_KEY: JWE_KEY.toString('base64'), CRYPTR_KEY: CRYPTR_PASSPHRASE },
  });
  receiver = await Receiver.start();
});
afterAll(async () => {
  await receiver.close();
  await harness.close();
});
beforeEach(() => {
  receiver.reset();
  receiver.answer((_request, response) => response.writeHead(204).end());
});

function verified(request: ReceivedRequest): Record<string, any> {
  return new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>) as Record<string, any>;
}

describe('engine → webhook', () => {
  it('delivers each matching event once, signed, and leaves non-matching events and subscriptions alone', async () => {
    await harness.putSubscriptions({
      subscriptions: [
        webhookSubscription('orders', receiver.url('/orders'), { types: ['com.example.orders.*'] }),
        webhookSubscription('big-orders', receiver.url('/big'), { filter: { data: { total: [{ numeric: ['>', 1000] }] } } }),
      ],
    });
    const small = makeEvent({ data: { total: 10 } });
    const big = makeEvent({ data: { total: 5000 } });
    const other = makeEvent({ type: 'com.example.users.created', data: { total: 1 } });

    const result = await harness.publish(small, big, other);

    expect(result.batchItemFailures).toEqual([]);
    const byPath = (path: string) => receiver.requests.filter((request) => request.path === path).map((request) => verified(request).id);
    expect(byPath('/orders').sort()).toEqual([small.id, big.id].sort());
    expect(byPath('/big')).toEqual([big.id]);
    for (const request of receiver.requests) {
      expect(request.headers['content-type']).toBe('application/cloudevents+json');
      const body = JSON.parse(request.body.toString());
      expect(request.headers['webhook-id']).toBe(webhookIdOf(body.source, body.id));
    }
    expect(await harness.pending('orders')).toEqual([]);
  });

  it('metadata payloads carry no data', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('public', receiver.url(), {}, { payload: 'metadata' })] });
    const event = makeEvent({ data: { secret: 'not for you' } });
    await harness.publish(event);
    const [request] = receiver.requests;
    const body = verified(request);
    expect(body).not.toHaveProperty('data');
    expect(body).toMatchObject({ id: event.id, type: event.type, source: event.source });
  });

  it('encrypted payloads open with jose (compact JWE) and with cryptr', async () => {
    await harness.putSubscriptions({
      subscriptions: [
        webhookSubscription('jwe', receiver.url('/jwe'), {}, { payload: 'encrypted', encryption: { key: { env: 'JWE_KEY' } } }),
        webhookSubscription('cryptr', receiver.url('/cryptr'), {}, {
          payload: 'encrypted',
          encryption: { format: 'cryptr', key: { env: 'CRYPTR_KEY' } },
        }),
      ],
    });
    const event = makeEvent({ data: { orderId: 42, card: '4111' } });
    await harness.publish(event);

    const jwe = verified(receiver.requests.find((request) => request.path === '/jwe')!);
    const { plaintext, protectedHeader } = await compactDecrypt(jwe.data, JWE_KEY);
    expect(protectedHeader).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
    expect(JSON.parse(Buffer.from(plaintext).toString())).toEqual(event.data);

    const cryptr = verified(receiver.requests.find((request) => request.path === '/cryptr')!);
    expect(JSON.parse(new Cryptr(CRYPTR_PASSPHRASE).decrypt(cryptr.data))).toEqual(event.data);
  });

  it('retries a failing receiver from the ledger on the schedule: 500, 500, then 200, same webhook-id', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('flaky', receiver.url())] });
    let calls = 0;
    receiver.answer((_request, response) => response.writeHead(++calls <= 2 ? 500 : 200).end());
    const event = makeEvent();

    expect((await harness.publish(event)).batchItemFailures).toEqual([]);
    const [pending] = await harness.pending('flaky');
    expect(pending).toMatchObject({ state: 'pending', attempts: 1, last: { status: 500 } });
    expect(pending.nextAttemptAt! - harness.clock.now()).toBeGreaterThan(4_000);

    // Not due yet: nothing is attempted.
    expect((await harness.redeliverAfter(1_000)).taken).toBe(0);
    // First retry after 5 s fails again; the next waits 30 s.
    expect(await harness.redeliverAfter(5_000)).toMatchObject({ taken: 1, failed: 1 });
    const [second] = await harness.pending('flaky');
    expect(second).toMatchObject({ attempts: 2 });
    expect(second.nextAttemptAt! - harness.clock.now()).toBeGreaterThan(29_000);
    expect(await harness.redeliverAfter(31_000)).toMatchObject({ taken: 1, delivered: 1 });

    expect(receiver.requests).toHaveLength(3);
    expect(receiver.requests.map((request) => verified(request).id)).toEqual([event.id, event.id, event.id]);
    expect(new Set(receiver.requests.map((request) => request.headers['webhook-id']))).toEqual(new Set([webhookIdOf(event.source, event.id)]));
    expect(await harness.pending('flaky')).toEqual([]);
    expect(await harness.dead('flaky')).toEqual([]);
  });

  it('honours Retry-After of a 429 when it is longer than the schedule', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('throttled', receiver.url())] });
    let calls = 0;
    receiver.answer((_request, response) => (++calls === 1 ? response.writeHead(429, { 'retry-after': '120' }).end() : response.writeHead(200).end()));
    const event = makeEvent();
    await harness.publish(event);

    const [pending] = await harness.pending('throttled');
    expect(pending.last).toMatchObject({ status: 429, reason: 'throttled' });
    expect(pending.nextAttemptAt! - harness.clock.now()).toBeGreaterThan(115_000);
    // Where the schedule alone would retry (5 s), the receiver asked for two minutes: not yet.
    expect((await harness.redeliverAfter(6_000)).taken).toBe(0);
    expect(await harness.redeliverAfter(120_000)).toMatchObject({ delivered: 1 });
    expect(receiver.requests).toHaveLength(2);
  });

  it('dead-letters after maxAttempts with the last status kept', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('doomed', receiver.url(), {}, { maxAttempts: 2 })] });
    receiver.answer((_request, response) => response.writeHead(502).end());
    const event = makeEvent();
    await harness.publish(event);
    expect(await harness.redeliverAfter(6_000)).toMatchObject({ deadLettered: 1 });

    const [dead] = await harness.dead('doomed');
    expect(dead).toMatchObject({ state: 'dead', deadReason: 'exhausted', attempts: 2, last: { status: 502 } });
    expect(dead.event).toEqual(event);
    expect(await harness.pending('doomed')).toEqual([]);
  });

  it('a 410 disables the subscription; later events are dead-lettered unattempted; re-enable + redrive delivers them all', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('gone', receiver.url())] });
    receiver.answer((_request, response) => response.writeHead(410).end());
    const first = makeEvent();
    await harness.publish(first);
    expect((await harness.ledger.disabledSubscriptions()).map((entry) => entry.subscriptionId)).toEqual(['gone']);
    expect(harness.metrics.counts.SubscriptionDisabled).toBeGreaterThanOrEqual(1);

    const later = [makeEvent(), makeEvent()];
    await harness.publish(...later);
    expect(receiver.requests).toHaveLength(1); // only the 410 itself
    const dead = await harness.dead('gone');
    expect(dead.map((entry) => entry.event.id).sort()).toEqual([first, ...later].map((event) => event.id).sort());
    expect(dead.every((entry) => entry.deadReason === 'subscription_disabled')).toBe(true);

    receiver.answer((_request, response) => response.writeHead(200).end());
    expect(await harness.ledger.enableSubscription('gone', { redrive: true })).toEqual({ redriven: 3 });
    expect(await harness.redeliverAfter(0)).toMatchObject({ delivered: 3 });
    expect(receiver.requests.slice(1).map((request) => verified(request).id).sort()).toEqual([first, ...later].map((event) => event.id).sort());
    expect(await harness.dead('gone')).toEqual([]);

    const after = makeEvent();
    await harness.publish(after);
    expect(verified(receiver.requests.at(-1)!).id).toBe(after.id);
  });

  it('keeps a delivery to an unreachable receiver in the ledger for a retry', async () => {
    await harness.putSubscriptions({
      subscriptions: [webhookSubscription('bad-target', 'http://127.0.0.1:1/unreachable', {}, { timeoutSeconds: 1 })],
    });
    await harness.publish(makeEvent());
    // Connection refused is a retry (the receiver may come back): it waits in the ledger, nothing lost.
    const [pending] = await harness.pending('bad-target');
    expect(pending.last).toMatchObject({ reason: 'connection' });
  });
});
