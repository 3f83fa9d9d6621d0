/**
 * End-to-end benchmark (issue 9, goal 1): the local bus from `POST /events` to a signed webhook's receipt,
 * beside the same pipeline on NATS JetStream when `nats-server` is on PATH.
 *
 * The local bus runs as `npm start` runs it, in a process of its own: `startLocalBus({ port: 0,
 * subscriptionsFile })`, in memory, one webhook subscription (every event, default delivery options) to a receiver
 * on 127.0.0.1 that answers 200 at once and records each event's receipt time (./e2e/receiver.ts, a worker thread
 * of this process). Events are ~1 KB CloudEvents, each carrying its publish time, published from this process's
 * main thread in batches of 50 (`application/cloudevents-batch+json`); latency = receipt time − publish time,
 * so it includes the 202. The JetStream pipeline: `nats-server -js` (file storage, temporary directory), the same
 * publisher shape (one acknowledged publish per event, a batch's 50 in flight together), a pull consumer in a
 * process of its own POSTing each message to the same receiver, signed (Standard Webhooks, HMAC-SHA256), 16 in
 * flight (the bus's default per-subscription concurrency), acking after the 2xx. A sample of every phase's
 * deliveries is verified with the `standardwebhooks` library: a bad signature fails the bench.
 *
 * Rows:
 * - paced 1,000 events/s for 20 s: every event delivered (fails the bench when deliveries stop short of it),
 *   publish → receipt p50 (goal ≤ 50 ms) and p99 (goal ≤ 250 ms); baseline JetStream paced the same way for 5 s;
 * - full speed (4 batches in flight): delivered events/s, goal ≥ 0.8 × JetStream;
 * - idle, one event at a time: publish → receipt p50, goal ≤ 20 ms; baseline JetStream the same way.
 * Everything started (bus, nats-server, the JetStream consumer, the receiver) is stopped even on failure.
 * SWITCHYARD_E2E_CPU_PROF_DIR=<dir> makes each bus process write a CPU profile there (`--cpu-prof`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { natsServerVersion, startJetStreamPipeline } from './e2e/jetstream';
import { BATCH, fullSpeed, idle, paced, percentile, warmUp, type FullSpeedResult, type IdleResult, type PacedResult, type PublishTrouble } from './e2e/phases';
import { forkTs, type Managed } from './e2e/processes';
import { BusPublisher, type Publisher } from './e2e/publishers';
import { ThreadReceiver, type PhaseStats } from './e2e/receiver';
import type { Benchmark, BenchRow } from './types';
import { DELIVERY_DEFAULTS } from '../src/routing/config/constants';

const PACED_RATE = 1_000;
const PACED_SECONDS = 20;
const PACED_BASELINE_SECONDS = 5;
/** How long after the last publish a paced run waits for the rest of its events. */
const PACED_DRAIN_MS = 10_000;
const FULL_SPEED_SECONDS = 10;
const FULL_SPEED_WARM_SECONDS = 2;
const FULL_SPEED_IN_FLIGHT = 4;
const FULL_SPEED_DRAIN_MS = 5_000;
const IDLE_EVENTS = 150;
const IDLE_MAX_MS = 15_000;
const WARM_UP_BATCHES = 10;
/** The bus's default per-subscription concurrency, given to the JetStream consumer too. */
const DELIVERY_CONCURRENCY = DELIVERY_DEFAULTS.concurrency;

const P50_GOAL_MS = 50;
const P99_GOAL_MS = 250;
const IDLE_P50_GOAL_MS = 20;
const RATIO_GOAL = 0.8;

interface PipelineFigures {
  idle: IdleResult;
  paced: PacedResult;
  full: FullSpeedResult;
}

interface RunningBus {
  process: Managed;
  publisher: BusPublisher;
  stop(): Promise<void>;
}

/** Set it to a directory to have each local bus process write a CPU profile (`--cpu-prof`) there. */
const CPU_PROFILE_DIR = process.env.SWITCHYARD_E2E_CPU_PROF_DIR || undefined;

async function startBus(subscriptionsFile: string): Promise<RunningBus> {
  const bus = forkTs('local bus', 'busProcess.ts', [subscriptionsFile], CPU_PROFILE_DIR);
  try {
    const { url } = await bus.firstMessage<{ url: string }>(60_000);
    const publisher = new BusPublisher(url);
    return {
      process: bus,
      publisher,
      stop: async () => {
        await publisher.close();
        await bus.stop();
      },
    };
  } catch (error) {
    await bus.stop();
    throw error;
  }
}

/** Runs `step`, adding the tail of `owner`'s output to its error. */
async function watching<T>(owner: Managed | undefined, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (owner && error instanceof Error) error.message += `\n${owner.tail()}`;
    throw error;
  }
}

function checkPhase(label: string, stats: PhaseStats, verifier: Webhook): void {
  if (stats.malformed > 0) throw new Error(`e2e ${label}: the receiver got ${stats.malformed} requests that were not a bench event`);
  if (stats.samples.length === 0 && stats.count > 0) throw new Error(`e2e ${label}: no request was sampled`);
  for (const sample of stats.samples) {
    try {
      verifier.verify(sample.body, sample.headers);
    } catch (error) {
      throw new Error(`e2e ${label}: a delivery's Standard Webhooks signature does not verify (${String(error)}); headers ${JSON.stringify(sample.headers)}`);
    }
  }
}

async function measure(
  label: string,
  publisher: Publisher,
  receiver: ThreadReceiver,
  verifier: Webhook,
  owner: Managed | undefined,
  pacedSeconds: number,
  restart?: () => Promise<{ publisher: Publisher; process: Managed }>,
): Promise<PipelineFigures> {
  const tag = `${label}-${randomBytes(4).toString('hex')}`;
  const step = async <T>(name: string, run: () => Promise<T>) => {
    const started = Date.now();
    process.stderr.write(`  ${label}: ${name}\n`);
    const result = await watching(owner, run);
    process.stderr.write(`  ${label}: ${name} took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return result;
  };
  await step('warm-up', () => warmUp(publisher, receiver, `${tag}-warm-`, WARM_UP_BATCHES, FULL_SPEED_IN_FLIGHT));
  const idleResult = await step('idle', () => idle(publisher, receiver, `${tag}-idle-`, IDLE_EVENTS, IDLE_MAX_MS));
  checkPhase(`${label} idle`, idleResult.stats, verifier);
  const pacedResult = await step(`paced ${PACED_RATE}/s for ${pacedSeconds} s`, () => paced(publisher, receiver, `${tag}-paced-`, PACED_RATE, pacedSeconds, PACED_DRAIN_MS, PACED_DRAIN_MS));
  checkPhase(`${label} paced`, pacedResult.stats, verifier);
  if (pacedResult.drain.ended === 'stalled') {
    throw new Error(
      `e2e ${label} paced: only ${pacedResult.drain.delivered} of ${pacedResult.published} events delivered, and no delivery at all in the ${PACED_DRAIN_MS / 1000} s after the last publish: events lost or the bus stuck` +
        (owner ? `\n${owner.tail()}` : ''),
    );
  }
  if (pacedResult.drain.ended === 'deadline' && restart) {
    // Still delivering the paced backlog: a fresh pipeline, so the full-speed run does not start behind.
    ({ publisher, process: owner } = await restart());
    await step('warm-up after restart', () => warmUp(publisher, receiver, `${tag}-warm2-`, WARM_UP_BATCHES, FULL_SPEED_IN_FLIGHT));
  }
  const fullResult = await step(`full speed for ${FULL_SPEED_SECONDS} s`, () =>
    fullSpeed(publisher, receiver, `${tag}-full-`, FULL_SPEED_SECONDS, FULL_SPEED_WARM_SECONDS, FULL_SPEED_IN_FLIGHT, FULL_SPEED_DRAIN_MS),
  );
  checkPhase(`${label} full speed`, fullResult.stats, verifier);
  process.stderr.write(`  ${label}: full speed receipts per second: ${fullResult.perSecond.join(' ')}\n`);
  return { idle: idleResult, paced: pacedResult, full: fullResult };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;
const troubleNote = ({ retries, serverErrors }: PublishTrouble) =>
  [retries ? `${retries} batches answered 429/503 and re-sent` : '', serverErrors ? `${serverErrors} batches answered 500 and re-sent` : ''].filter(Boolean).join(', ');

function buildRows(bus: PipelineFigures, js: PipelineFigures | undefined, natsVersion: string | undefined): BenchRow[] {
  const noBaseline = natsVersion ? undefined : 'no baseline: nats-server not on PATH (Debian package nats-server)';
  const jsName = `NATS JetStream ${natsVersion ?? ''}`.trim();
  const lowerIsBetter = (value: number, baselineValue: number) => (js ? baselineValue / value : NaN);

  const p = bus.paced;
  const pacedDelivered = p.drain.ended === 'all';
  const pacedNote =
    `${fmt(p.drain.delivered)} of ${fmt(p.published)} delivered` +
    (pacedDelivered ? '' : ` within ${Math.round(PACED_DRAIN_MS / 1000)} s of the last publish (the rest counted at their wait so far: a lower bound)`) +
    `, ${p.stats.duplicates} duplicates; ` +
    (p.onSchedule
      ? `published on schedule, a batch at most ${ms(p.maxLagMs)} late`
      : `publisher fell behind: ${fmt(p.published)} of ${fmt(p.scheduled)} sent, ${fmt(p.publishRate)} events/s, up to ${ms(p.maxLagMs)} late`) +
    (troubleNote(p.trouble) ? `; ${troubleNote(p.trouble)}` : '');
  const pacedBaseline = js ? `${jsName}, the same publisher at ${fmt(PACED_RATE)}/s for ${PACED_BASELINE_SECONDS} s` : noBaseline!;
  const pacedRow = (which: 'p50' | 'p99', q: number, goal: number): BenchRow => {
    const value = percentile(p.latencies, q);
    const baselineValue = js ? percentile(js.paced.latencies, q) : NaN;
    return {
      name: `e2e paced ${fmt(PACED_RATE)} events/s for ${PACED_SECONDS} s (batches of ${BATCH}): publish → webhook receipt ${which} (${pacedNote})`,
      value,
      unit: 'ms',
      baseline: pacedBaseline,
      baselineValue,
      ratio: lowerIsBetter(value, baselineValue),
      goal: `value <= ${goal}, every event delivered, publisher on schedule, no 500s`,
      met: value <= goal && pacedDelivered && p.onSchedule && p.trouble.serverErrors === 0,
    };
  };

  const f = bus.full;
  const fullNote =
    `${FULL_SPEED_IN_FLIGHT} batches of ${BATCH} in flight for ${FULL_SPEED_SECONDS} s, receipts counted from ${FULL_SPEED_WARM_SECONDS} s; ` +
    `${fmt(f.acceptedRate)} events/s accepted; ${fmt(f.drain.delivered)} of ${fmt(f.published)} delivered ${f.drain.ended === 'all' ? `${(f.drain.waitedMs / 1000).toFixed(1)} s after publishing stopped` : `${Math.round(FULL_SPEED_DRAIN_MS / 1000)} s after publishing stopped (not waited for further)`}` +
    (f.stats.duplicates ? `, ${f.stats.duplicates} duplicates` : '') +
    (troubleNote(f.trouble) ? `; ${troubleNote(f.trouble)}` : '');
  const fullRow: BenchRow = js
    ? {
        name: `e2e full speed: delivered events/s (${fullNote})`,
        value: f.deliveredRate,
        unit: 'events/s',
        baseline: `${jsName}: same publisher (acked publishes), file storage, pull consumer POSTing signed webhooks, ${DELIVERY_CONCURRENCY} in flight (${fmt(js.full.acceptedRate)} events/s accepted)`,
        baselineValue: js.full.deliveredRate,
        ratio: f.deliveredRate / js.full.deliveredRate,
        goal: `ratio >= ${RATIO_GOAL}, no 500s`,
        met: f.deliveredRate / js.full.deliveredRate >= RATIO_GOAL && f.trouble.serverErrors === 0,
      }
    : {
        name: `e2e full speed: delivered events/s (${fullNote})`,
        value: f.deliveredRate,
        unit: 'events/s',
        baseline: noBaseline!,
        baselineValue: NaN,
        ratio: NaN,
        goal: `ratio >= ${RATIO_GOAL} vs JetStream (not judged: no baseline)`,
        met: false,
      };

  const i = bus.idle;
  const idleValue = percentile(i.latencies, 0.5);
  const idleBaselineValue = js ? percentile(js.idle.latencies, 0.5) : NaN;
  const idleRow: BenchRow = {
    name: `e2e idle: publish → webhook receipt p50, one event at a time (${i.events} events, 10–50 ms apart; p99 ${ms(percentile(i.latencies, 0.99))}${troubleNote(i.trouble) ? `; ${troubleNote(i.trouble)}` : ''})`,
    value: idleValue,
    unit: 'ms',
    baseline: js ? `${jsName}, the same way (${js.idle.events} events; p99 ${ms(percentile(js.idle.latencies, 0.99))})` : noBaseline!,
    baselineValue: idleBaselineValue,
    ratio: lowerIsBetter(idleValue, idleBaselineValue),
    goal: `value <= ${IDLE_P50_GOAL_MS}`,
    met: idleValue <= IDLE_P50_GOAL_MS && i.trouble.serverErrors === 0,
  };
  return [pacedRow('p50', 0.5, P50_GOAL_MS), pacedRow('p99', 0.99, P99_GOAL_MS), fullRow, idleRow];
}

const e2eBenchmark: Benchmark = {
  name: 'e2e',
  run: async () => {
    const natsVersion = natsServerVersion();
    if (!natsVersion) process.stderr.write('  e2e: nats-server is not on PATH: no JetStream baseline\n');
    const secret = 'whsec_' + randomBytes(32).toString('base64');
    const verifier = new Webhook(secret);
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-e2e-'));
    const stops: (() => Promise<unknown>)[] = [];
    let receiver: ThreadReceiver | undefined;
    try {
      receiver = await ThreadReceiver.start();
      const subscriptionsFile = join(dir, 'subscriptions.json');
      writeFileSync(
        subscriptionsFile,
        JSON.stringify({ subscriptions: [{ id: 'e2e-webhook', description: 'every event, to the e2e bench receiver', target: { webhook: { url: receiver.url, secret } } }] }, null, 2),
      );

      let bus = await startBus(subscriptionsFile);
      stops.push(() => bus.stop());
      const busFigures = await measure('bus', bus.publisher, receiver, verifier, bus.process, PACED_SECONDS, async () => {
        await bus.stop();
        bus = await startBus(subscriptionsFile);
        return bus;
      });
      await bus.stop();

      let jsFigures: PipelineFigures | undefined;
      if (natsVersion) {
        const pipeline = await startJetStreamPipeline(receiver.url, secret, DELIVERY_CONCURRENCY);
        stops.push(() => pipeline.stop());
        jsFigures = await measure('jetstream', pipeline.publisher, receiver, verifier, pipeline.router, PACED_BASELINE_SECONDS);
        if (jsFigures.paced.drain.ended !== 'all') throw new Error(`e2e jetstream paced: ${jsFigures.paced.drain.delivered} of ${jsFigures.paced.published} delivered`);
        await pipeline.stop();
      }
      return buildRows(busFigures, jsFigures, natsVersion);
    } finally {
      for (const stop of stops.reverse()) await stop().catch((error) => process.stderr.write(`  e2e: stopping failed: ${String(error)}\n`));
      await receiver?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const e2eBenchmarks: Benchmark[] = [e2eBenchmark];
