import { performance } from 'node:perf_hooks';
import type { CloudEventJson } from '../../../src/events/types';
import { replayPageSize } from '../../../src/replay/ReplayRunner';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { startReplayBus, type ReplayBus, type TestSubscription } from './support/replayBus';

/**
 * The proof that replays travel in a lane of their own: live end-to-end latency (publish → receiver) on a
 * local bus, idle and then while a replay of 10,000 stored events runs at a high rate to another subscription,
 * stays within twice its idle value (medians). The replay is cancelled once measured: its 10,000 deliveries would
 * take half a minute more, and the order test checks what a replay delivers.
 */
const BULK = 10_000;
const SAMPLES = 25;
const TRIALS = 3;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Three times the default rate: the replay paces its starts evenly, so it does not crowd the bus's one process. */
const RATE = 300;

const LIVE: TestSubscription = { id: 'live', path: '/live', types: ['com.example.live.>'] };
const REPLAYED: TestSubscription = { id: 'replayed', path: '/replayed', types: ['com.example.bulk.>'] };

let replay: ReplayBus;
/** Resolves the wait for a live event by id when the receiver gets it. */
const arrivals = new Map<string, () => void>();

beforeAll(async () => {
  // One shard: a live event published after the bulk reaches its receiver only once the router stored the whole bulk.
  replay = await startReplayBus([LIVE], { shards: 1 });
  replay.receiver.answer((request, response) => {
    response.writeHead(204).end();
    if (request.path === '/live') arrivals.get((JSON.parse(request.body.toString('utf8')) as CloudEventJson).id)?.();
  });
});
afterAll(async () => {
  await replay?.stop();
});

/** Publish → receiver, in ms, of one live event. */
async function liveLatency(): Promise<number> {
  const event = makeEvent({ type: 'com.example.live.ping', partitionkey: 'live' });
  const arrived = new Promise<void>((resolve) => arrivals.set(event.id, resolve));
  const started = performance.now();
  await replay.publish([event]);
  await arrived;
  arrivals.delete(event.id);
  return performance.now() - started;
}

async function medianLatency(): Promise<number> {
  const samples: number[] = [];
  for (let n = 0; n < SAMPLES; n++) samples.push(await liveLatency());
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

describe('replay: a lane of its own', () => {
  test(`live latency during a ${BULK.toLocaleString('en')}-event replay at ${RATE}/s stays within 2× its idle value`, async () => {
    const from = new Date(Date.now() - 1_000).toISOString();
    const bulk = Array.from({ length: BULK }, (_, n) => makeEvent({ type: 'com.example.bulk.item', partitionkey: `bulk-${n % 50}`, data: { n } }));
    await replay.publish(bulk);
    await liveLatency(); // after the bulk in the one shard: the bulk is stored
    const to = new Date().toISOString();
    await replay.setSubscriptions([LIVE, REPLAYED]);
    expect(replay.count('/replayed')).toBe(0);

    await liveLatency(); // warm

    // Up to three trials, each idle then during a fresh replay of the window: another test file running beside this
    // one (two jest workers on two cores) can load the machine during one phase and not the other, which only ever
    // makes a trial fail. A replay that slows live traffic fails every trial.
    const trials: { idle: number; during: number }[] = [];
    while (trials.length < TRIALS && !trials.some(({ idle, during }) => during <= 2 * idle)) {
      const idle = await medianLatency();
      const before = replay.count('/replayed');
      const job = await replay.jobs.create({ subscriptionId: REPLAYED.id, from, to, rate: RATE, types: REPLAYED.types });
      // Measured once the replay is under way (its first pages delivered), not while it starts.
      await eventually(async () => (replay.count('/replayed') >= before + 300 ? true : undefined), 30_000);
      const during = await medianLatency();
      trials.push({ idle, during });
      process.stderr.write(`live latency median: idle ${idle.toFixed(1)} ms, during the replay ${during.toFixed(1)} ms\n`);
      // The measurement ran while the replay was delivering, not after it.
      expect(await replay.jobs.get(job.jobId)).toMatchObject({ state: 'running' });
      expect(replay.count('/replayed') - before).toBeLessThan(BULK);

      // Cancelled, the runner stops at its next checkpoint: at most the page in flight is still delivered.
      expect(await replay.jobs.cancel(job.jobId)).toBe(true);
      const atCancel = replay.count('/replayed');
      await pause(1_500);
      const afterCancel = replay.count('/replayed');
      expect(afterCancel).toBeLessThanOrEqual(atCancel + replayPageSize(RATE));
      await pause(500);
      expect(replay.count('/replayed')).toBe(afterCancel);
      expect(await replay.jobs.get(job.jobId)).toMatchObject({ state: 'cancelled' });
    }
    expect(trials.filter(({ idle, during }) => during <= 2 * idle)).toHaveLength(1);
  }, 120_000);
});
