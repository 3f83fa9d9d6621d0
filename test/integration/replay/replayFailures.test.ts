import { createEventKeys } from '../../../src/crypto';
import { DeliveryLedger } from '../../../src/delivery/ledger/DeliveryLedger';
import type { CloudEventJson } from '../../../src/events/types';
import { createAwsClients } from '../../../src/wiring/awsClients';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { startReplayBus, type ReplayBus } from './support/replayBus';

/**
 * A replayed delivery that fails goes to the ledger in the replay's own lane and is retried by the redeliverer like
 * any other; for an ordered subscription the key's later replayed events wait behind it, and arrive in stream order.
 */
let replay: ReplayBus;
let ledger: DeliveryLedger;

beforeAll(async () => {
  replay = await startReplayBus([{ id: 'ordered', path: '/ordered', types: ['com.example.orders.>'], delivery: { ordered: true } }], { shards: 1 });
  const clients = createAwsClients(process.env);
  ledger = new DeliveryLedger({
    documents: clients.documents,
    tableName: replay.bus.names.deliveryTable,
    keys: createEventKeys({ kms: clients.kms, keyId: process.env.KMS_KEY_ID! }),
  });
});
afterAll(async () => {
  await replay?.stop();
});

describe('replay: failures', () => {
  test('a failed replayed event waits in a replay lane, its key’s later events behind it; the redeliverer sends them in order', async () => {
    const from = new Date(Date.now() - 1_000).toISOString();
    const events = [0, 1, 2, 3].flatMap((n) => ['customer-A', 'customer-B'].map((key) => makeEvent({ partitionkey: key, data: { n } })));
    await replay.publish(events);
    await eventually(async () => (replay.count('/ordered') === events.length ? true : undefined), 30_000);
    const to = new Date().toISOString();

    // The replay's attempt at customer-A's second event fails once; everything else is accepted.
    const failing = events[2];
    expect(failing).toMatchObject({ partitionkey: 'customer-A', data: { n: 1 } });
    const accepted: CloudEventJson[] = [];
    let failures = 0;
    replay.receiver.answer((request, response) => {
      const event = JSON.parse(request.body.toString('utf8')) as CloudEventJson;
      if (event.id === failing.id && failures === 0) {
        failures += 1;
        response.writeHead(500).end();
        return;
      }
      accepted.push(event);
      response.writeHead(204).end();
    });

    const job = await replay.jobs.create({ subscriptionId: 'ordered', from, to, rate: 50, types: ['com.example.orders.>'] });
    const finished = await replay.finished(job.jobId);
    // customer-A: the first delivered, the second failed, the two after it held back; customer-B: all four delivered.
    expect(finished).toMatchObject({ state: 'done', counts: { scanned: 8, matched: 8, delivered: 5, failed: 3 } });
    const lane = `replay:${job.jobId}:key:customer-A`;
    const pending = await ledger.listPending({ subscriptionId: 'ordered' });
    expect(pending.entries.map((entry) => [entry.lane, entry.state, entry.event.id])).toEqual([
      [lane, 'pending', events[2].id],
      [lane, 'waiting', events[4].id],
      [lane, 'waiting', events[6].id],
    ]);

    // The redeliverer retries the head after the schedule's first delay (5 s), then the two behind it.
    await eventually(async () => (accepted.length === 8 ? true : undefined), 30_000, 100);
    const byKey = (key: string) => accepted.filter((event) => event.partitionkey === key).map((event) => event.id);
    expect(byKey('customer-A')).toEqual([events[0], events[2], events[4], events[6]].map((event) => event.id));
    expect(byKey('customer-B')).toEqual([events[1], events[3], events[5], events[7]].map((event) => event.id));
    await eventually(async () => ((await ledger.listPending({ subscriptionId: 'ordered' })).entries.length === 0 ? true : undefined), 10_000, 200);
  });

  test('a replay to a disabled subscription fails, saying how to enable it, and delivers nothing', async () => {
    await ledger.disableSubscription('ordered', 'maintenance');
    const before = replay.count('/ordered');
    const job = await replay.jobs.create({ subscriptionId: 'ordered', from: new Date(Date.now() - 60_000).toISOString(), to: new Date().toISOString(), rate: 50 });
    expect(await replay.finished(job.jobId)).toMatchObject({
      state: 'failed',
      error: 'subscription ordered is disabled: enable it (switchyard subscriptions enable ordered), then replay again',
      counts: { scanned: 0, delivered: 0 },
    });
    expect(replay.count('/ordered')).toBe(before);
    await ledger.enableSubscription('ordered');
  });
});
