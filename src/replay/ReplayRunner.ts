import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { DeliveryDeps } from '../delivery/deliver';
import type { DeliveryLedger } from '../delivery/ledger';
import { DeliveryLimiter } from '../engine/DeliveryLimiter';
import type { SubscriptionsSource } from '../routing/config/SubscriptionsSource';
import { SubscriptionMatcher } from '../routing/SubscriptionMatcher';
import type { Subscription } from '../routing/subscriptionTypes';
import type { EventQuery, EventQueryPage } from '../store/types';
import { ReplayDelivery, type ReplayLedger } from './ReplayDelivery';
import type { ReplayJobs } from './ReplayJobs';
import { ReplayPacer } from './ReplayPacer';
import { REPLAY_STATE, type ReplayCounts, type ReplayJob } from './types';

/** Where the stored events of a window come from: the event store's query (ascending pages are in stream order per partition key). */
export interface ReplayEventSource {
  queryEvents(query: EventQuery): Promise<EventQueryPage>;
}

/** Where the runner reports; Powertools Logger fits. */
export interface ReplayLog {
  info(message: string, detail: Record<string, unknown>): void;
  warn(message: string, detail: Record<string, unknown>): void;
  error(message: string, detail: Record<string, unknown>): void;
}

/** Options of {@link ReplayRunner}. */
export interface ReplayRunnerOptions {
  jobs: Pick<ReplayJobs, 'claimable' | 'claim' | 'checkpoint' | 'finish' | 'release'>;
  store: ReplayEventSource;
  /** subscriptions.json as the engine serves it: a replay goes to the subscription as it is now. */
  source: Pick<SubscriptionsSource, 'current'>;
  /** Failed replayed deliveries go here, in replay lanes; a disabled subscription is not replayed to. */
  ledger: ReplayLedger & Pick<DeliveryLedger, 'disabledSubscriptions'>;
  /** Clients of `deliver` (the process's own: one keep-alive pool). */
  deliveryDeps: DeliveryDeps;
  /** The replays' limiter: never the engine's, so live deliveries never queue behind a replay. @default a new one */
  limiter?: DeliveryLimiter;
  log?: ReplayLog;
  /** How long a claim holds without a checkpoint; a runner that dies frees its job after this. @default 60000 */
  leaseMs?: number;
  /** Pause between two looks for jobs (new ones start beside those running). @default 1000 */
  intervalMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/** Options of one {@link ReplayRunner.run}. */
export interface ReplayRunOptions {
  /** No page starts at or after this epoch ms (the page in flight finishes). */
  untilMs: number;
  signal?: AbortSignal;
}

/** What one run did, summed over its jobs. */
export interface ReplayRunResult {
  /** Pages delivered and checkpointed. */
  pages: number;
  delivered: number;
  failed: number;
}

/**
 * Events per store page: about a fifth of a second of work at the job's rate (at least one event, at most 100). Small
 * store requests interleave with the live path's (on the local bus they share one emulator thread) instead of holding
 * it; and a page never outlasts the sweep it runs in by much, whatever the rate, so the redeliverer beside it is not
 * kept waiting.
 */
export function replayPageSize(rate: number): number {
  return Math.min(100, Math.max(1, Math.ceil(rate / 5)));
}

const SILENT: ReplayLog = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * Runs replay jobs (see `ReplayJobs`) beside the redeliverer's sweep: in AWS inside the redeliver function, apart
 * from the router, so live traffic never waits for it; on the local bus in the loop that calls that handler.
 * A job is claimed with a lease, then read page by page (ascending, from its cursor) from the event store; the
 * events its subscription matches are delivered to that subscription alone, in stream order per partition key
 * (`ReplayDelivery`), and the cursor and counts are checkpointed after every page, so a crash resumes where it
 * stopped (at worst one page is delivered twice; receivers dedupe on `webhook-id`).
 */
export class ReplayRunner {
  private readonly owner = randomUUID();
  private readonly delivery: ReplayDelivery;
  private readonly leaseMs: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly log: ReplayLog;
  private readonly matchers = new WeakMap<Subscription, SubscriptionMatcher>();
  private readonly running = new Set<string>();

  constructor(private readonly options: ReplayRunnerOptions) {
    this.now = options.now ?? Date.now;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.intervalMs = options.intervalMs ?? 1000;
    this.log = options.log ?? SILENT;
    this.delivery = new ReplayDelivery(options.ledger, options.deliveryDeps, options.limiter ?? new DeliveryLimiter(), this.now);
  }

  /**
   * Runs the jobs there are until `untilMs`, looking for new ones every `intervalMs` (a job created meanwhile starts
   * beside those running). Never throws; problems are logged.
   */
  async run(options: ReplayRunOptions): Promise<ReplayRunResult> {
    const result: ReplayRunResult = { pages: 0, delivered: 0, failed: 0 };
    const runs: Promise<void>[] = [];
    while (!options.signal?.aborted && this.now() < options.untilMs) {
      try {
        const fresh = (await this.options.jobs.claimable(this.now())).filter((job) => !this.running.has(job.jobId));
        // Read only when there is a job to start: most looks find none.
        const disabled = fresh.length > 0 ? await this.disabledSubscriptions() : new Set<string>();
        for (const job of fresh) {
          // Marked before the claim: the next look must not start this job a second time while it is claimed.
          this.running.add(job.jobId);
          runs.push(this.runJob(job, options, result, disabled).finally(() => this.running.delete(job.jobId)));
        }
      } catch (error) {
        this.log.error('could not look for replay jobs', { error: describe(error) });
      }
      const pause = Math.min(this.intervalMs, options.untilMs - this.now());
      if (pause > 0) await delay(pause, undefined, { signal: options.signal }).catch(() => undefined);
    }
    await Promise.all(runs);
    return result;
  }

  /** One job until it ends or the time is up; the lease is let go of when time is up, so the next run takes it at once. */
  private async runJob(job: ReplayJob, options: ReplayRunOptions, result: ReplayRunResult, disabled: ReadonlySet<string>): Promise<void> {
    const { jobs } = this.options;
    if (!(await jobs.claim(job.jobId, this.owner, this.leaseMs).catch(() => false))) return;
    const counts: ReplayCounts = { ...job.counts };
    const fields = { jobId: job.jobId, subscriptionId: job.subscriptionId };
    let cursor = job.cursor;
    const lanes = { blockedLanes: new Set<string>(), checkedLanes: new Set<string>(), pacer: new ReplayPacer(job.rate) };
    try {
      if (disabled.has(job.subscriptionId)) {
        await this.fail(job, counts, `subscription ${job.subscriptionId} is disabled: enable it (switchyard subscriptions enable ${job.subscriptionId}), then replay again`);
        return;
      }
      while (!options.signal?.aborted && this.now() < options.untilMs) {
        const subscription = (await this.options.source.current()).subscriptions.find((candidate) => candidate.id === job.subscriptionId);
        if (subscription === undefined) {
          await this.fail(job, counts, `subscription ${job.subscriptionId} is no longer in subscriptions.json`);
          return;
        }
        const page = await this.options.store.queryEvents(queryOf(job, subscription, cursor));
        const matcher = this.matcherOf(subscription);
        const matched = page.events.filter((stored) => matcher.match(stored.event).length > 0);
        const outcome = await this.delivery.deliverPage(matched, { jobId: job.jobId, subscription, ...lanes });
        counts.scanned += page.events.length;
        counts.matched += matched.length;
        counts.delivered += outcome.delivered;
        counts.failed += outcome.failed;
        result.pages += 1;
        result.delivered += outcome.delivered;
        result.failed += outcome.failed;
        if (outcome.gone !== undefined) {
          await this.fail(job, counts, outcome.gone);
          return;
        }
        if (page.next === undefined) {
          if (await jobs.finish(job.jobId, this.owner, { state: REPLAY_STATE.done, counts })) this.log.info('replay done', { ...fields, ...counts });
          return;
        }
        cursor = page.next;
        if (!(await jobs.checkpoint(job.jobId, this.owner, { cursor, counts }, this.leaseMs))) {
          this.log.info('replay stopped: cancelled, or taken over by another runner', fields);
          return;
        }
      }
      await jobs.release(job.jobId, this.owner);
    } catch (error) {
      if (isRefusedQuery(error)) {
        await this.fail(job, counts, `the event store refused the query: ${describe(error)}`).catch(() => undefined);
        return;
      }
      // Nothing is lost: the job resumes from its last checkpoint once the lease is free.
      this.log.error('replay interrupted; it resumes from its last checkpoint', { ...fields, error: describe(error) });
      await jobs.release(job.jobId, this.owner).catch(() => undefined);
    }
  }

  /** Subscriptions turned off (a 410, or by hand): their replays fail rather than deliver to them. */
  private async disabledSubscriptions(): Promise<ReadonlySet<string>> {
    return new Set((await this.options.ledger.disabledSubscriptions()).map((disabled) => disabled.subscriptionId));
  }

  private async fail(job: ReplayJob, counts: ReplayCounts, error: string): Promise<void> {
    this.log.warn('replay failed', { jobId: job.jobId, subscriptionId: job.subscriptionId, error });
    await this.options.jobs.finish(job.jobId, this.owner, { state: REPLAY_STATE.failed, counts, error });
  }

  /** The subscription alone: matching it is the whole test (other subscriptions get nothing of a replay). */
  private matcherOf(subscription: Subscription): SubscriptionMatcher {
    let matcher = this.matchers.get(subscription);
    if (matcher === undefined) {
      matcher = new SubscriptionMatcher([subscription]);
      this.matchers.set(subscription, matcher);
    }
    return matcher;
  }
}

/**
 * The store query of a job: its window, the types its subscription may match (as recorded at creation, so the
 * cursor stays valid if subscriptions.json changes meanwhile), ascending, a page sized by its rate.
 */
export function queryOf(job: Pick<ReplayJob, 'from' | 'to' | 'rate' | 'types'>, subscription: Pick<Subscription, 'types'>, cursor?: string): EventQuery {
  return {
    types: job.types ?? subscription.types ?? '>',
    from: job.from,
    to: job.to,
    limit: replayPageSize(job.rate),
    ...(cursor !== undefined ? { cursor } : {}),
  };
}

function isRefusedQuery(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'InvalidQueryError';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
