import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { RedeliverWork } from '../../../src/engine/RedeliverWork';
import { ReplayJobs } from '../../../src/replay/ReplayJobs';
import { webhookIdOf } from '../../../src/delivery/webhookIdOf';
import { makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../delivery/support/Receiver';
import { EngineHarness, RecordingLog, webhookSubscription } from './support/EngineHarness';

// The redeliver handler when nothing is due: one look at the `due` index and the replay jobs, then it returns,
// instead of sweeping for REDELIVER_SWEEP_SECONDS (what an idle stage paid for every minute).

const SECRET = 'whsec_' + randomBytes(32).toString('base64');
const SWEEP_SECONDS = 8;

let harness: EngineHarness;
let receiver: Receiver;
let handler: typeof import('../../../lambdas/redeliver/index').handler;
const context = { getRemainingTimeInMillis: () => 120_000 } as Context;

beforeAll(async () => {
  harness = await EngineHarness.start({ env: { HOOK_SECRET: SECRET } });
  receiver = await Receiver.start();
  Object.assign(process.env, harness.test.env, {
    CONFIG_BUCKET_NAME: harness.test.names.bucket,
    ALLOW_PRIVATE_NETWORKS: 'true',
    HOOK_SECRET: SECRET,
    REDELIVER_SWEEP_SECONDS: String(SWEEP_SECONDS),
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  ({ handler } = await import('../../../lambdas/redeliver/index'));
});
afterAll(async () => {
  await receiver.close();
  await harness.close();
});
beforeEach(() => receiver.reset());

describe('the redeliver handler with nothing to do', () => {
  it('returns at once (no sweep loop) when nothing is due and no replay job runs', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('quiet', receiver.url())] });
    const started = Date.now();
    const result = await handler({}, context);
    expect(result).toMatchObject({ idle: true, rounds: 0, delivered: 0 });
    // A sweep would have taken SWEEP_SECONDS.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(receiver.requests).toHaveLength(0);
  });

  it('sweeps and delivers, as before, when a delivery is due now', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('due-now', receiver.url())] });
    receiver.answer((_request, response) => response.writeHead(500).end());
    const event = makeEvent();
    // Failed 10 s ago on the real clock: due now for the handler, which knows only Date.now.
    harness.clock.offsetMs = -10_000;
    await harness.publish(event);
    harness.clock.offsetMs = 0;
    receiver.answer((_request, response) => response.writeHead(204).end());
    receiver.reset();

    const result = await handler({}, context);
    expect(result).toMatchObject({ idle: false, delivered: 1 });
    expect(receiver.requests.map((request) => request.headers['webhook-id'])).toEqual([webhookIdOf(event.source, event.id)]);
    expect(await harness.pending('due-now')).toEqual([]);
  });

  it('sweeps when a retry falls due before the sweep would end, and delivers it when it is due', async () => {
    await harness.putSubscriptions({ subscriptions: [webhookSubscription('due-soon', receiver.url())] });
    receiver.answer((_request, response) => response.writeHead(500).end());
    const event = makeEvent();
    await harness.publish(event);
    const [pending] = await harness.pending('due-soon');
    const dueInMs = pending.nextAttemptAt! - Date.now();
    expect(dueInMs).toBeGreaterThan(0);
    expect(dueInMs).toBeLessThan(SWEEP_SECONDS * 1000);
    receiver.answer((_request, response) => response.writeHead(204).end());
    receiver.reset();

    const result = await handler({}, context);
    expect(result).toMatchObject({ idle: false, delivered: 1 });
    expect(receiver.requests).toHaveLength(1);
  }, 30_000);

  it('sweeps when a replay job is running', async () => {
    const jobs = new ReplayJobs({ documents: harness.test.clients.documents, tableName: harness.test.names.deliveryTable });
    const now = Date.now();
    await jobs.create({ subscriptionId: 'gone', from: new Date(now - 60_000).toISOString(), to: new Date(now).toISOString(), rate: 10 });
    const result = await handler({}, context);
    expect(result.idle).toBe(false);
    // The job's subscription is not in subscriptions.json: the runner ends it, and the next start is idle again.
    expect((await jobs.claimable(Date.now() + 120_000)).filter((job) => job.subscriptionId === 'gone')).toEqual([]);
    expect(await handler({}, context)).toMatchObject({ idle: true });
  }, 30_000);
});

describe('RedeliverWork', () => {
  it('answers yes (sweep as before) when it cannot tell, and says why', async () => {
    const log = new RecordingLog();
    const work = new RedeliverWork({
      // The failure of a read is what no emulator does on demand.
      ledger: { due: async () => Promise.reject(new Error('ProvisionedThroughputExceededException')) },
      replayJobs: { claimable: async () => [] },
      log,
    });
    expect(await work.anyBefore(Date.now())).toBe(true);
    expect(log.lines).toEqual([{ level: 'warn', message: 'could not tell whether anything is due; sweeping', detail: { error: expect.stringContaining('ProvisionedThroughputExceededException') } }]);
  });
});
