import { Webhook } from 'standardwebhooks';
import type { CloudEventJson } from '../../../src/events/types';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { SECRET, startReplayBus, type ReplayBus } from './support/replayBus';

/**
 * The replay test, end to end on a local bus: events under several keys reach two subscriptions live; a
 * replay of a window to one of them brings it exactly the window's events it matches, in stream order per key,
 * and the other subscription gets nothing more.
 */
let replay: ReplayBus;

beforeAll(async () => {
  replay = await startReplayBus([
    { id: 'orders', path: '/orders', types: ['com.example.orders.>'] },
    { id: 'everything', path: '/everything' },
  ]);
});
afterAll(async () => {
  await replay?.stop();
});

const KEYS = ['customer-1', 'customer-2', 'customer-3', 'customer-4'];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `perKey` order events per key (alternating two order types), plus one event per key of a type `orders` does not match. */
function batch(perKey: number, label: string): CloudEventJson[] {
  const events: CloudEventJson[] = [];
  for (let n = 0; n < perKey; n++) {
    for (const key of KEYS) {
      events.push(makeEvent({ partitionkey: key, type: n % 2 ? 'com.example.orders.paid' : 'com.example.orders.created', data: { label, key, n } }));
    }
  }
  for (const key of KEYS) events.push(makeEvent({ partitionkey: key, type: 'com.example.users.renamed', data: { label, key } }));
  return events;
}

async function publishAndAwait(events: CloudEventJson[]): Promise<void> {
  const before = replay.received('/everything').length;
  await replay.publish(events);
  await eventually(async () => (replay.received('/everything').length >= before + events.length ? true : undefined), 30_000);
}

/** Ids per partition key, in the order given. */
function idsByKey(events: CloudEventJson[]): Record<string, string[]> {
  const byKey: Record<string, string[]> = {};
  for (const event of events) (byKey[String(event.partitionkey)] ??= []).push(event.id);
  return byKey;
}

describe('replay: order per key and isolation', () => {
  test('re-delivers exactly the window’s matching events to the one subscription, in stream order per key, signed as live ones', async () => {
    await publishAndAwait(batch(3, 'before'));
    await pause(50);
    const from = new Date().toISOString();
    await pause(50);
    const inWindow = [...batch(6, 'window-a'), ...batch(6, 'window-b')];
    // Two requests, so the window spans more than one PutRecords call per shard.
    await publishAndAwait(inWindow.slice(0, 30));
    await publishAndAwait(inWindow.slice(30));
    await pause(50);
    const to = new Date().toISOString();
    await pause(50);
    await publishAndAwait(batch(3, 'after'));

    const liveOrders = replay.received('/orders').length;
    const liveEverything = replay.received('/everything').length;
    const expected = inWindow.filter((event) => event.type.startsWith('com.example.orders.'));
    expect(expected).toHaveLength(48);

    // The receiver holds each replayed delivery 100 ms and notes which keys are in flight: one at a time per key,
    // keys in parallel. 20 a second: pages of 4, so the job checkpoints between pages and resumes from its cursor in the next sweep.
    const inFlight = new Set<string>();
    let sameKeyOverlaps = 0;
    let mostKeysInFlight = 0;
    replay.receiver.answer((request, response) => {
      if (request.path !== '/orders') {
        response.writeHead(204).end();
        return;
      }
      const key = String((JSON.parse(request.body.toString('utf8')) as CloudEventJson).partitionkey);
      if (inFlight.has(key)) sameKeyOverlaps += 1;
      inFlight.add(key);
      mostKeysInFlight = Math.max(mostKeysInFlight, inFlight.size);
      setTimeout(() => {
        inFlight.delete(key);
        response.writeHead(204).end();
      }, 100);
    });
    const job = await replay.jobs.create({ subscriptionId: 'orders', from, to, rate: 20, types: ['com.example.orders.>'] });
    const finished = await replay.finished(job.jobId);
    expect(finished).toMatchObject({ state: 'done', counts: { scanned: 48, matched: 48, delivered: 48, failed: 0 } });

    const replayed = replay.received('/orders').slice(liveOrders);
    expect(replayed.map((event) => event.id).sort()).toEqual(expected.map((event) => event.id).sort());
    expect(idsByKey(replayed)).toEqual(idsByKey(expected));
    expect(sameKeyOverlaps).toBe(0);
    expect(mostKeysInFlight).toBeGreaterThan(1);
    // The same bytes a live delivery carries, signed the same way (webhook-id derived from source and id).
    const requests = replay.receiver.requests.filter((request) => request.path === '/orders').slice(liveOrders);
    for (const request of requests) expect(new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>)).toBeDefined();

    // Nothing of the replay reaches the other subscription, even a while later.
    await pause(1_500);
    expect(replay.received('/everything')).toHaveLength(liveEverything);
    expect(replay.received('/orders')).toHaveLength(liveOrders + 48);
  });
});
