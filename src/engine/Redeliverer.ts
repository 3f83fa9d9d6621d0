import { setTimeout as delay } from 'node:timers/promises';
import { deliver } from '../delivery/deliver';
import { DEAD_REASON, type DeadReason, type LedgerEntry } from '../delivery/ledger/types';
import { OUTCOME } from '../delivery/types';
import type { Subscription } from '../routing/subscriptionTypes';
import { DeliveryBase, describeError, type DeliveryBaseOptions } from './DeliveryBase';
import { RecurringProblem } from './RecurringProblem';
import type { RedelivererLedger } from './ledgerPorts';
import { lastAttemptOf } from '../delivery/failurePolicy';
import { deliveryFields, outcomeFields, recordFinalFailure } from './outcomes';
import { ENGINE_METRIC } from './types';

/** Options of {@link Redeliverer}. */
export interface RedelivererOptions extends DeliveryBaseOptions<RedelivererLedger> {
  /** Due deliveries taken per round. @default 100 */
  batchSize?: number;
  /** Clock in epoch ms: which deliveries are due, and attempt times. @default Date.now */
  now?: () => number;
  /** Pause between rounds; rejects or resolves early when `signal` aborts. @default node:timers/promises setTimeout */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Options of one {@link Redeliverer.sweep}. */
export interface SweepOptions {
  /** No round starts at or after this epoch ms (deliveries already started finish). */
  untilMs: number;
  /** Pause between rounds that found nothing more to do. @default 1000 */
  intervalMs?: number;
  /** Stop early, e.g. when the local bus stops. */
  signal?: AbortSignal;
}

/** What one sweep did. */
export interface SweepResult {
  rounds: number;
  delivered: number;
  failed: number;
  deadLettered: number;
}

/**
 * Extra lease beyond the attempt's own timeout: an OAuth webhook may fetch a token and post twice. While the
 * lease lasts no other sweep takes the delivery; if this process dies, it is attempted again after it.
 */
const LEASE_MARGIN_MS = 30_000;
const TOKEN_REQUEST_ALLOWANCE_MS = 10_000;

/**
 * The redeliverer: attempts the deliveries of the ledger that are due (failed ones whose next attempt time
 * has come, and ordered events promoted when the one before them was delivered or dead), under the same
 * per-subscription limits as the engine. Each is claimed first (a lease), so overlapping sweeps never
 * deliver one twice at once. Delivered → removed (the next of its lane becomes due); failed → the next
 * attempt is scheduled or the delivery is dead; 410 → subscription disabled and the delivery dead; the
 * subscription gone from subscriptions.json, or disabled → dead with that reason.
 */
export class Redeliverer extends DeliveryBase<RedelivererLedger> {
  private readonly batchSize: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly roundProblem = new RecurringProblem();

  constructor(options: RedelivererOptions) {
    super(options);
    this.batchSize = options.batchSize ?? 100;
    this.sleep = options.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));
  }

  /**
   * Rounds of due deliveries until `untilMs`: a round takes up to `batchSize` due deliveries and attempts them
   * concurrently. A round that delivered something is followed at once (it may have made the next event of an
   * ordered key due); otherwise the sweep pauses `intervalMs`, so short backoffs are honoured within about that.
   */
  async sweep(options: SweepOptions): Promise<SweepResult> {
    const intervalMs = options.intervalMs ?? 1000;
    const result: SweepResult = { rounds: 0, delivered: 0, failed: 0, deadLettered: 0 };
    while (!options.signal?.aborted && this.now() < options.untilMs) {
      const round = await this.round();
      result.rounds += 1;
      result.delivered += round.delivered;
      result.failed += round.failed;
      result.deadLettered += round.deadLettered;
      const busy = round.delivered > 0 || round.taken >= this.batchSize;
      if (busy) continue;
      const pause = Math.min(intervalMs, options.untilMs - this.now());
      if (pause > 0) await this.pause(pause, options.signal);
    }
    return result;
  }

  /** One round: due deliveries now, attempted concurrently. Never throws; problems are logged. */
  async round(): Promise<{ taken: number; delivered: number; failed: number; deadLettered: number }> {
    const tally = { taken: 0, delivered: 0, failed: 0, deadLettered: 0 };
    let due: readonly LedgerEntry[];
    let routes;
    try {
      routes = await this.routes.current();
      await this.disabled.current();
      due = await this.ledger.due(this.now(), this.batchSize);
      this.roundProblem.clear();
    } catch (error) {
      // Nothing is lost: the deliveries stay due in the ledger until a round can read them.
      const text = describeError(error);
      if (this.roundProblem.shouldReport(text)) this.log.error('redeliver round skipped', { error: text });
      return tally;
    }
    tally.taken = due.length;
    await Promise.all(
      due.map(async (entry) => {
        try {
          const result = await this.redeliver(entry, routes.byId.get(entry.subscriptionId));
          if (result !== undefined) tally[result] += 1;
        } catch (error) {
          // The lease runs out and a later round tries again: nothing is lost.
          this.log.error('could not update the ledger after a redelivery; it will be attempted again', {
            ...deliveryFields(entry, entry.event),
            error: describeError(error),
          });
          this.count(ENGINE_METRIC.ledgerWriteFailed);
        }
      }),
    );
    return tally;
  }

  private async redeliver(entry: LedgerEntry, subscription: Subscription | undefined): Promise<'delivered' | 'failed' | 'deadLettered' | undefined> {
    if (subscription === undefined) {
      if (!(await this.ledger.claim(entry, LEASE_MARGIN_MS))) return undefined;
      await this.deadLetter(entry, DEAD_REASON.subscriptionRemoved, 'subscription removed from subscriptions.json; delivery dead-lettered');
      return 'deadLettered';
    }
    if (this.disabled.has(subscription.id)) {
      if (!(await this.ledger.claim(entry, LEASE_MARGIN_MS))) return undefined;
      await this.deadLetter(entry, DEAD_REASON.subscriptionDisabled, 'subscription is disabled; delivery dead-lettered');
      return 'deadLettered';
    }
    // Claimed only once the limiter lets it start, so waiting for a slot does not eat into the lease.
    return this.limiter.run(subscription, async () => {
      const leaseMs = 2 * subscription.delivery.timeoutSeconds * 1000 + TOKEN_REQUEST_ALLOWANCE_MS + LEASE_MARGIN_MS;
      if (!(await this.ledger.claim(entry, leaseMs))) return undefined;
      const outcome = await deliver(entry.event, subscription, this.deps);
      this.timeAttempt(outcome.durationMs);
      const fields = { ...deliveryFields(entry, entry.event), attempt: entry.attempts + 1, ...outcomeFields(outcome) };
      if (outcome.kind === OUTCOME.delivered) {
        // The success ends the delivery's log (its earlier attempts failed, or it was held back or redriven).
        await this.ledger.markDelivered(entry, { at: this.now(), status: outcome.status, durationMs: outcome.durationMs });
        this.log.info('redelivered', fields);
        this.count(ENGINE_METRIC.delivered);
        return 'delivered';
      }
      const last = lastAttemptOf(outcome, this.now());
      // This attempt counts in a dead letter's history too.
      const attempted = { ...entry, attempts: entry.attempts + 1 };
      switch (outcome.kind) {
        case OUTCOME.retry:
          if ((await this.ledger.markFailed(entry, last, subscription.delivery.maxAttempts)) === 'dead') {
            this.log.error('redelivery failed and dead-lettered: attempts or the 24 h window exhausted', fields);
            this.count(ENGINE_METRIC.deadLettered);
            return 'deadLettered';
          }
          this.log.warn('redelivery failed; it will be retried', fields);
          this.count(ENGINE_METRIC.deliveryFailed);
          return 'failed';
        case OUTCOME.disable:
        case OUTCOME.deadLetter:
          await recordFinalFailure(this.finalFailures, attempted, entry.event, outcome, last, fields);
          return 'deadLettered';
      }
    });
  }

  private async deadLetter(entry: LedgerEntry, reason: DeadReason, message: string): Promise<void> {
    await this.ledger.deadLetter(entry, entry.event, reason, entry.last);
    this.log.warn(message, deliveryFields(entry, entry.event));
    this.count(ENGINE_METRIC.deadLettered);
  }

  private async pause(ms: number, signal?: AbortSignal): Promise<void> {
    try {
      await this.sleep(ms, signal);
    } catch (error) {
      if (!signal?.aborted) throw error;
    }
  }
}
