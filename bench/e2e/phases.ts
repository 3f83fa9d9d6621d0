/**
 * The e2e bench's measurements, the same for either pipeline: a publisher (./publishers) feeding it and the
 * webhook receiver (./receiver) at its end. Each phase has its own event id prefix, so the receiver counts only
 * that phase's events.
 */
import { benchBatch, benchEvent, now } from './events';
import type { Publisher } from './publishers';
import type { PhaseStats, ThreadReceiver } from './receiver';

export const BATCH = 50;
const PACED_GRACE_MS = 2_000;

/** What a publisher had to retry during a phase. */
export interface PublishTrouble {
  /** Batches answered 429/503 and sent again. */
  retries: number;
  /** Batches answered another 5xx and sent again. */
  serverErrors: number;
}

function troubleSince(publisher: Publisher): () => PublishTrouble {
  const { retries, serverErrors } = publisher;
  return () => ({ retries: publisher.retries - retries, serverErrors: publisher.serverErrors - serverErrors });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message())), ms);
    }),
  ]);
}

/** Nearest-rank percentile (p in 0…1) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export interface DrainResult {
  delivered: number;
  /** Why waiting ended: all delivered, no new delivery for `stallMs` (events lost), or `maxMs` passed while still delivering. */
  ended: 'all' | 'stalled' | 'deadline';
  waitedMs: number;
}

/** Waits until the receiver has `expected` events of the phase, the deliveries stall, or `maxMs` pass. */
export async function drain(receiver: ThreadReceiver, expected: number, maxMs: number, stallMs: number): Promise<DrainResult> {
  const started = now();
  let last = -1;
  let lastProgress = started;
  for (;;) {
    const { count } = await receiver.count();
    const at = now();
    if (count >= expected) return { delivered: count, ended: 'all', waitedMs: at - started };
    if (count !== last) {
      last = count;
      lastProgress = at;
    }
    if (at - lastProgress >= stallMs) return { delivered: count, ended: 'stalled', waitedMs: at - started };
    if (at - started >= maxMs) return { delivered: count, ended: 'deadline', waitedMs: at - started };
    await sleep(50);
  }
}

/** Publishes `batches` batches, `inFlight` at a time, and waits for all of them to be delivered (warms every path). */
export async function warmUp(publisher: Publisher, receiver: ThreadReceiver, prefix: string, batches: number, inFlight: number): Promise<void> {
  await receiver.reset(prefix);
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < batches) await publisher.publish(benchBatch(prefix, BATCH * next++, BATCH));
    }),
  );
  const expected = batches * BATCH;
  const result = await drain(receiver, expected, 60_000, 20_000);
  if (result.ended !== 'all') throw new Error(`warm-up: ${result.delivered} of ${expected} events delivered (${result.ended} after ${Math.round(result.waitedMs)} ms)`);
}

export interface IdleResult {
  events: number;
  trouble: PublishTrouble;
  latencies: number[];
  stats: PhaseStats;
}

/**
 * One event at a time: publish, wait for its receipt, pause 10–50 ms (random, so publishes do not fall in step
 * with any poll interval), next; until `maxEvents` or `maxMs`. An event not received within 15 s fails the bench.
 */
export async function idle(publisher: Publisher, receiver: ThreadReceiver, prefix: string, maxEvents: number, maxMs: number): Promise<IdleResult> {
  await receiver.reset(prefix, true);
  const trouble = troubleSince(publisher);
  const started = now();
  let events = 0;
  while (events < maxEvents && now() - started < maxMs) {
    await sleep(10 + Math.random() * 40);
    const event = benchEvent(prefix, events, now());
    const received = receiver.received(event.id);
    await publisher.publish([event]);
    await withTimeout(received, 15_000, () => `idle: event ${event.id} was not delivered within 15 s of its publish`);
    events += 1;
  }
  const stats = await receiver.stats();
  return { events, trouble: trouble(), latencies: stats.latencies, stats };
}

export interface PacedResult {
  /** Events the schedule had. */
  scheduled: number;
  /** Events sent (fewer than scheduled when the publisher could not keep up). */
  published: number;
  trouble: PublishTrouble;
  /** Events per second the publisher achieved (scheduled: `rate`). */
  publishRate: number;
  /** Whether every batch went out and the publisher kept at least 98% of `rate` (a batch late now and then is fine). */
  onSchedule: boolean;
  maxLagMs: number;
  drain: DrainResult;
  /** Per published event: receipt − publish; an undelivered event counts as the wait so far when waiting ended (a lower bound). */
  latencies: number[];
  stats: PhaseStats;
}

/**
 * `rate` events/s for `seconds`, a batch of 50 every 50 ms (at 1,000/s) by the clock, not after the previous
 * answer (so a slow answer does not slow the publisher, up to `maxInFlight` requests open: past that it falls
 * behind, which the result says), then waits for every event to be delivered, for at most `drainMs` after the
 * last acknowledgement ('stalled' when no delivery arrives for `stallMs`).
 */
export async function paced(publisher: Publisher, receiver: ThreadReceiver, prefix: string, rate: number, seconds: number, drainMs: number, stallMs: number, maxInFlight = 16): Promise<PacedResult> {
  await receiver.reset(prefix);
  const trouble = troubleSince(publisher);
  const interval = (BATCH * 1000) / rate;
  const batches = Math.round((rate * seconds) / BATCH);
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  let maxLagMs = 0;
  const t0 = now() + 20;
  let lastFire = t0;
  // A publisher that cannot keep up stops at the end of its time plus this, with what it could send.
  const stopAt = t0 + seconds * 1000 + PACED_GRACE_MS;
  let sentBatches = 0;
  for (let k = 0; k < batches && failure === undefined; k++) {
    const due = t0 + k * interval;
    await sleep(due - now());
    while (pending.size >= maxInFlight && failure === undefined) await Promise.race(pending);
    if (now() > stopAt) break;
    lastFire = now();
    sentBatches += 1;
    maxLagMs = Math.max(maxLagMs, lastFire - due);
    const sent: Promise<void> = publisher
      .publish(benchBatch(prefix, k * BATCH, BATCH))
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => pending.delete(sent));
    pending.add(sent);
  }
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  const published = sentBatches * BATCH;
  const publishRate = published / ((lastFire - t0 + interval) / 1000);
  const drained = await drain(receiver, published, drainMs, stallMs);
  const givenUpAt = now();
  const stats = await receiver.stats();
  const latencies = [...stats.latencies];
  // Undelivered events: at least as late as the last batch's wait so far (every event was published by lastFire).
  for (let i = stats.count; i < published; i++) latencies.push(givenUpAt - lastFire);
  return { scheduled: batches * BATCH, published, trouble: trouble(), publishRate, onSchedule: sentBatches === batches && publishRate >= 0.98 * rate, maxLagMs, drain: drained, latencies, stats };
}

export interface FullSpeedResult {
  published: number;
  trouble: PublishTrouble;
  /** Events acknowledged per second while publishing. */
  acceptedRate: number;
  /** Events received per second from `warmSeconds` after the start to the end of publishing. */
  deliveredRate: number;
  /** Receipts in each second from the start of publishing until waiting ended. */
  perSecond: number[];
  /** Delivered of the published once waiting ended (at most `drainMs` after publishing). */
  drain: DrainResult;
  stats: PhaseStats;
}

/**
 * As fast as the pipeline acknowledges: `inFlight` publishers, each sending its next batch of 50 as soon as the
 * previous one is acknowledged, for `seconds`. Delivered events/s counts receipts between `warmSeconds` and the
 * end of publishing (the pipeline's sustained rate while also accepting at full speed), then waits up to
 * `drainMs` for the rest, which is reported but not waited for beyond that.
 */
export async function fullSpeed(publisher: Publisher, receiver: ThreadReceiver, prefix: string, seconds: number, warmSeconds: number, inFlight: number, drainMs: number): Promise<FullSpeedResult> {
  await receiver.reset(prefix);
  const trouble = troubleSince(publisher);
  const t0 = now();
  const end = t0 + seconds * 1000;
  let next = 0;
  let published = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (now() < end) {
        const from = next;
        next += BATCH;
        await publisher.publish(benchBatch(prefix, from, BATCH));
        published += BATCH;
      }
    }),
  );
  const publishEnd = now();
  const troubleWhilePublishing = trouble();
  const windowStart = t0 + warmSeconds * 1000;
  const windowEnd = Math.min(publishEnd, end);
  const drained = await drain(receiver, published, drainMs, drainMs);
  // Fetched once, after the drain: the window ended before it, so its receipts are all in there.
  const stats = await receiver.stats();
  const inWindow = stats.receivedAt.filter((at) => at >= windowStart && at < windowEnd).length;
  const perSecond: number[] = [];
  for (const at of stats.receivedAt) {
    const second = Math.floor((at - t0) / 1000);
    if (second >= 0) perSecond[second] = (perSecond[second] ?? 0) + 1;
  }
  return {
    published,
    perSecond: Array.from(perSecond, (n) => n ?? 0),
    trouble: troubleWhilePublishing,
    acceptedRate: published / ((publishEnd - t0) / 1000),
    deliveredRate: inWindow / ((windowEnd - windowStart) / 1000),
    drain: drained,
    stats,
  };
}
