import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { DeliveryLimiter } from '../../../src/engine/DeliveryLimiter';
import { DisabledSubscriptionsCache } from '../../../src/engine/DisabledSubscriptionsCache';
import { Redeliverer } from '../../../src/engine/Redeliverer';
import { makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../delivery/support/Receiver';
import { EngineHarness, RecordingLog, webhookSubscription } from './support/EngineHarness';
import { webhookIdOf } from '../../../src/delivery/webhookIdOf';

const SECRET = 'whsec_' + randomBytes(32).toString('base64');

let harness: EngineHarness;
let receiver: Receiver;

beforeAll(async () => {
  harness = await EngineHarness.start({ env: { HOOK_SECRET: SECRET } });
  receiver = await Receiver.start();
});
afterAll(async () => {
  await receiver.close();
  await harness.close();
});
beforeEach(() => receiver.reset());

/** Another redeliverer on the same ledger, as a second overlapping invocation would be. */
function secondRedeliverer(options: { sleep?: (ms: number, signal?: AbortSignal) => Promise<void>; now?: () => number } = {}) {
  return new Redeliverer({
    source: harness.source,
    ledger: harness.ledger,
    deliveryDeps: harness.deps,
    log: new RecordingLog(),
    limiter: new DeliveryLimiter(),
    disabled: new DisabledSubscriptionsCache(harness.ledger, 0),
    now: harness.clock.now,
    ...options,
  });
}

describe('Redeliverer', () => {
  it('dead-letters the deliveries of a subscription removed from subscriptions.json', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('leaving', receiver.url())] });
    receiver.answer((_request, response) => response.writeHead(500).end());
    const event = makeEvent();
    await harness.publish(event);
    expect(await harness.pending('leaving')).toHaveLength(1);

    await harness.putSubscriptions({ subscriptions: [] });
    expect(await harness.redeliverAfter(6_000)).toMatchObject({ deadLettered: 1 });
    expect(receiver.requests).toHaveLength(1);
    const [dead] = await harness.dead('leaving');
    expect(dead).toMatchObject({ deadReason: 'subscription_removed', last: { status: 500 } });
    expect(dead.event).toEqual(event);
  });

  it('dead-letters a pending delivery of a subscription disabled meanwhile, without attempting it', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('paused', receiver.url())] });
    receiver.answer((_request, response) => response.writeHead(503).end());
    await harness.publish(makeEvent());
    await harness.ledger.disableSubscription('paused', 'by hand');
    receiver.reset();
    expect(await harness.redeliverAfter(6_000)).toMatchObject({ deadLettered: 1 });
    expect(receiver.requests).toHaveLength(0);
    expect((await harness.dead('paused')).map((entry) => entry.deadReason)).toEqual(['subscription_disabled']);
    await harness.ledger.enableSubscription('paused');
  });

  it('a 410 on a retry disables the subscription and dead-letters the delivery with both attempts counted', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('retired', receiver.url())] });
    receiver.answer((_request, response) => response.writeHead(500).end());
    const event = makeEvent();
    await harness.publish(event);
    receiver.answer((_request, response) => response.writeHead(410).end());

    expect(await harness.redeliverAfter(6_000)).toMatchObject({ deadLettered: 1 });
    expect(receiver.requests).toHaveLength(2);
    expect((await harness.ledger.disabledSubscriptions()).map((entry) => entry.subscriptionId)).toContain('retired');
    const [dead] = await harness.dead('retired');
    expect(dead).toMatchObject({ deadReason: 'subscription_disabled', attempts: 2, last: { status: 410, reason: 'gone' } });
    expect(dead.event).toEqual(event);
    expect(await harness.pending('retired')).toEqual([]);

    // Disabled at once in this process: the next event is dead-lettered without an attempt.
    await harness.publish(makeEvent());
    expect(receiver.requests).toHaveLength(2);
    expect(await harness.dead('retired')).toHaveLength(2);
    await harness.ledger.enableSubscription('retired');
  });

  it('two overlapping sweeps deliver each due delivery once', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('contended', receiver.url())] });
    let fail = true;
    receiver.answer(async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      response.writeHead(fail ? 500 : 204).end();
    });
    const events = Array.from({ length: 6 }, () => makeEvent());
    await harness.publish(...events);
    fail = false;
    receiver.reset();
    harness.clock.advance(6_000);
    const other = secondRedeliverer();
    const [a, b] = await Promise.all([harness.redeliverer.round(), other.round()]);

    expect(a.delivered + b.delivered).toBe(6);
    expect(receiver.requests.map((request) => request.headers['webhook-id']).sort()).toEqual(events.map((event) => webhookIdOf(event.source, event.id)).sort());
    expect(await harness.pending('contended')).toEqual([]);
  });

  it('sweeps until its deadline, pausing between idle rounds, and stops early when aborted', async () => {
    await harness.putSubscriptions({ subscriptions: [] });
    // A clock that moves only when the sweep pauses.
    let time = harness.clock.now();
    const start = time;
    const pauses: number[] = [];
    const redeliverer = secondRedeliverer({
      now: () => time,
      sleep: async (ms) => {
        pauses.push(ms);
        time += ms;
      },
    });
    const result = await redeliverer.sweep({ untilMs: start + 3_500, intervalMs: 1_000 });
    expect(result.rounds).toBe(4);
    expect(pauses).toEqual([1_000, 1_000, 1_000, 500]);

    const controller = new AbortController();
    const aborted = secondRedeliverer();
    const sweeping = aborted.sweep({ untilMs: harness.clock.now() + 60_000, intervalMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    expect((await sweeping).rounds).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('the redeliver Lambda handler', () => {
  it('sweeps due deliveries within the time the invocation has left', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('scheduled', receiver.url())] });
    receiver.answer((_request, response) => response.writeHead(500).end());
    const event = makeEvent();
    // Recorded as failed 10 s ago on the real clock: due now for a handler that knows only Date.now.
    harness.clock.offsetMs = -10_000;
    await harness.publish(event);
    harness.clock.offsetMs = 0;
    receiver.answer((_request, response) => response.writeHead(204).end());
    receiver.reset();

    Object.assign(process.env, harness.test.env, {
      CONFIG_BUCKET_NAME: harness.test.names.bucket,
      ALLOW_PRIVATE_NETWORKS: 'true',
      HOOK_SECRET: SECRET,
      REDELIVER_SWEEP_SECONDS: '1',
    });
    const { handler } = await import('../../../lambdas/redeliver/index');
    const context = { getRemainingTimeInMillis: () => 60_000 } as Context;
    const result = await handler({}, context);

    expect(result).toMatchObject({ delivered: 1 });
    expect(receiver.requests.map((request) => request.headers['webhook-id'])).toEqual([webhookIdOf(event.source, event.id)]);
    expect(await harness.pending('scheduled')).toEqual([]);
  });
});
