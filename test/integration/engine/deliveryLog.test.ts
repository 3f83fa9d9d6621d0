import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../delivery/support/Receiver';
import { EngineHarness, webhookSubscription } from './support/EngineHarness';

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

/** Every item of the delivery table, whatever it is. */
async function tableItemCount(): Promise<number> {
  const { Count = 0 } = await harness.test.clients.dynamodb.send(new ScanCommand({ TableName: harness.test.names.deliveryTable, Select: 'COUNT', ConsistentRead: true }));
  return Count;
}

describe('the delivery log, written by the engine and the redeliverer', () => {
  it('keeps every attempt of a delivery that failed twice, then succeeded: time, status, latency, outcome', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('flaky', receiver.url('/flaky'))] });
    const statuses = [500, 503, 200];
    // The first answer is slow, so its latency is measurably the receiver's.
    receiver.answer((_request, response) => {
      const status = statuses[receiver.requests.length - 1]!;
      setTimeout(() => response.writeHead(status).end(), receiver.requests.length === 1 ? 60 : 0);
    });
    const event = makeEvent();
    const startedAt = harness.clock.now();
    await harness.publish(event);
    expect(await harness.redeliverAfter(6_000)).toMatchObject({ failed: 1 });
    expect(await harness.redeliverAfter(31_000)).toMatchObject({ delivered: 1 });
    expect(receiver.requests).toHaveLength(3);

    const history = await harness.ledger.show('flaky', event.source, event.id);
    expect(history?.status).toBe('delivered_after_retry');
    const attempts = history!.attempts;
    expect(attempts.map((a) => [a.attempt, a.status, a.outcome, a.reason])).toEqual([
      [1, 500, 'retry', 'http_status'],
      [2, 503, 'retry', 'throttled'],
      [3, 200, 'delivered', undefined],
    ]);
    expect(attempts[0]!.durationMs).toBeGreaterThanOrEqual(55);
    for (const attempt of attempts) expect(attempt.durationMs).toEqual(expect.any(Number));
    expect(attempts[0]!.at).toBeGreaterThanOrEqual(startedAt);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(6_000);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(31_000);
    expect(attempts[0]!.error).toBe('receiver answered 500 Internal Server Error');
    // Never the event's data.
    expect(JSON.stringify(attempts)).not.toContain(JSON.stringify(event.data));
  });

  it('writes nothing to the delivery table for a first-attempt success', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('healthy', receiver.url('/ok'))] });
    receiver.answer((_request, response) => response.writeHead(204).end());
    const before = await tableItemCount();
    const events = [makeEvent(), makeEvent(), makeEvent()];
    expect(await harness.publish(...events)).toEqual({ batchItemFailures: [] });
    expect(receiver.requests).toHaveLength(3);
    expect(await tableItemCount()).toBe(before);
    expect(await harness.ledger.show('healthy', events[0]!.source, events[0]!.id)).toBeUndefined();
  });
});
