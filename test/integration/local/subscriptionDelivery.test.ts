import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../delivery/support/Receiver';

/**
 * The "done means", in process: a local bus started with a subscriptions file, an event POSTed to it,
 * and a webhook receiver on 127.0.0.1 that verifies the Standard Webhooks signature of what arrives — through
 * the ingest handler, Kinesis, the engine handler driven by its shard poller, and (for a failing receiver) the
 * ledger and the redeliver handler's local timer.
 */
const SECRET = 'whsec_' + randomBytes(32).toString('base64');

let bus: LocalBus;
let receiver: Receiver;
let dir: string;
let subscriptionsFile: string;

function subscriptions(hooks: Record<string, string>) {
  return JSON.stringify({
    subscriptions: Object.entries(hooks).map(([id, path]) => ({
      id,
      target: { webhook: { url: receiver.url(path), secret: SECRET } },
      delivery: { timeoutSeconds: 5 },
    })),
  });
}

beforeAll(async () => {
  receiver = await Receiver.start();
  dir = await mkdtemp(join(tmpdir(), 'switchyard-bus-'));
  subscriptionsFile = join(dir, 'subscriptions.json');
  await writeFile(subscriptionsFile, subscriptions({ hooks: '/hooks' }));
  bus = await startLocalBus({ port: 0, shards: 1, subscriptionsFile });
});
afterAll(async () => {
  await bus.stop();
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

async function post(event: object) {
  const response = await fetch(`${bus.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(event),
  });
  expect(response.status).toBe(202);
}

const arrivals = (path: string) =>
  receiver.requests
    .filter((request) => request.path === path)
    .map((request) => new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>) as { id: string });

describe('local bus: POST /events → webhook', () => {
  it('delivers a published event to the subscribed receiver with a valid Standard Webhooks signature', async () => {
    const event = makeEvent({ data: { hello: 'world' } });
    await post(event);
    const [delivered] = await eventually(async () => (arrivals('/hooks').length > 0 ? arrivals('/hooks') : undefined), 15_000);
    expect(delivered).toEqual(event);
  });

  it('applies an edited subscriptions file, and retries a failing receiver through the redeliver timer', async () => {
    await writeFile(subscriptionsFile, subscriptions({ hooks: '/hooks', flaky: '/flaky' }));
    let flakyCalls = 0;
    receiver.answer((request, response) => response.writeHead(request.path === '/flaky' && ++flakyCalls === 1 ? 500 : 204).end());
    // The watcher uploads the file and the engine re-reads it within about a second each.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    const event = makeEvent();
    await post(event);
    // The first attempt fails; the ledger retries it 5 s later.
    const retried = await eventually(async () => (arrivals('/flaky').length >= 2 ? arrivals('/flaky') : undefined), 20_000, 200);
    expect(retried.map((body) => body.id)).toEqual([event.id, event.id]);
    expect(arrivals('/hooks').map((body) => body.id)).toContain(event.id);
  });
});
