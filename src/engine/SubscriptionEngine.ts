import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { deliver } from '../delivery/deliver';
import { laneOf } from '../delivery/ledger/laneOf';
import { DEAD_REASON, type DeliveryRef } from '../delivery/ledger/types';
import { OUTCOME, type DeliveryOutcome } from '../delivery/types';
import type { CloudEventJson } from '../events/types';
import type { Subscription } from '../routing/subscriptionTypes';
import type { StreamedEvent } from '../stream/decodeKinesisRecord';
import { batchItemFailuresOf, decodeKinesisRecords } from '../stream/decodeKinesisRecords';
import { DeliveryBase, describeError, type DeliveryBaseOptions } from './DeliveryBase';
import { RecurringProblem } from './RecurringProblem';
import type { EngineLedger } from './ledgerPorts';
import { lastAttemptOf } from '../delivery/failurePolicy';
import { attemptFields, deliveryFields, recordFinalFailure } from './outcomes';
import { ENGINE_METRIC } from './types';

/** Options of {@link SubscriptionEngine}. */
export type SubscriptionEngineOptions = DeliveryBaseOptions<EngineLedger>;

/** Options of one batch's deliveries. */
export interface DeliverOptions {
  /**
   * Epoch ms (wall clock) by which every delivery started must be over: one whose longest attempt would end
   * later does not start, it goes to the ledger as pending, due now. @default none
   */
  deadline?: number;
}

/** What every delivery of one batch shares. */
interface BatchContext {
  disabled: ReadonlySet<string>;
  deadline?: number;
}

/**
 * The longest one attempt may take: the request timeout, or for an OAuth webhook a token request and two posts
 * (a 401 renews the token once), as the redeliverer's lease allows.
 */
export function attemptAllowanceMs(subscription: Pick<Subscription, 'target' | 'delivery'>): number {
  const requestMs = subscription.delivery.timeoutSeconds * 1000;
  return subscription.target.kind === 'oauthWebhook' ? 2 * requestMs + 10_000 : requestMs;
}

/** Stands for a delivery the limiter let start only after the deadline. */
const DEFERRED = Symbol('deferred');

/**
 * Records decoded and matched between two turns of the event loop. The first deliveries go out after the
 * first slice instead of after the whole batch (up to 10,000 records), and their answers are taken in while
 * the rest is decoded, rather than the connections idling behind one long synchronous loop.
 */
const DISPATCH_SLICE = 64;

/** One turn of the event loop: pending socket writes and reads are handled before decoding goes on. */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Where an ordered lane stands while a batch goes through it. */
type LaneState =
  /** Nothing of the lane is in the ledger: deliver now. */
  | 'open'
  /** An earlier event of the lane is in the ledger: later ones queue behind it. */
  | 'blocked'
  /** A ledger write for the lane failed: later events are not touched, Kinesis brings them all back. */
  | 'broken';

/**
 * The subscription engine: one Kinesis batch at a time, every event to every subscription that matches it.
 *
 * For each record: decode the CloudEvent, match it against subscriptions.json, then for each matching
 * subscription either deliver it (webhook, OAuth webhook or Lambda, under the subscription's concurrency and
 * rate limits) or hand it to the delivery ledger: a failed attempt waits there for its retry, a dead one is
 * kept with its reason, and an event of an ordered subscription whose key already has an event in the ledger
 * waits behind it. Deliveries of a batch run concurrently, except that an ordered subscription's events of one
 * partition key go one at a time in stream order.
 *
 * A record is reported in `batchItemFailures` only when a ledger write for it failed: every other outcome is
 * final for the stream (delivered, or safely in the ledger), so Kinesis never re-sends a batch for a receiver's
 * fault.
 */
export class SubscriptionEngine extends DeliveryBase<EngineLedger> {
  private readonly routingProblem = new RecurringProblem();

  /** Handles one batch of one shard, in stream order; resolves with the records Kinesis must send again. */
  async processRecords(records: readonly KinesisStreamRecord[], options: DeliverOptions = {}): Promise<KinesisStreamBatchResponse> {
    const events = decodeKinesisRecords(records, (error) => {
      this.log.error('record is not a CloudEvent; not delivered', { sequence: error.sequence, reason: error.message });
      this.count(ENGINE_METRIC.undecodableRecord);
    });
    return batchItemFailuresOf(records, await this.deliverEvents(events, options));
  }

  /**
   * Delivers decoded events of one shard, in stream order (the router's second step, after storing them).
   * Resolves with the sequences Kinesis must send again (a ledger write failed), or `all` when the batch could
   * not be routed at all (no valid subscriptions.json, the ledger unreachable).
   */
  async deliverEvents(events: readonly StreamedEvent[], options: DeliverOptions = {}): Promise<ReadonlySet<string> | 'all'> {
    let routes;
    let disabled: ReadonlySet<string>;
    try {
      routes = await this.routes.current();
      disabled = await this.disabled.current();
      this.routingProblem.clear();
    } catch (error) {
      // No valid subscriptions.json yet, or the ledger is unreachable: routing now could drop events, so the
      // whole batch is handed back and Kinesis retries it (the shard waits until the cause is fixed).
      const text = describeError(error);
      if (this.routingProblem.shouldReport(text)) this.log.error('cannot route this batch; it will be retried', { records: events.length, error: text });
      return 'all';
    }

    const failed = new Set<string>();
    const lanes = new Map<string, Promise<LaneState>>();
    const work: Promise<unknown>[] = [];
    const batch: BatchContext = { disabled, deadline: options.deadline };
    let guarded = 0;
    for (let index = 0; index < events.length; index++) {
      if (index > 0 && index % DISPATCH_SLICE === 0) {
        // The final Promise.all reports a failure; until then a handler keeps it from being "unhandled".
        Promise.all(work.slice(guarded)).catch(() => undefined);
        guarded = work.length;
        await yieldToIo();
      }
      const decoded = events[index];
      const matched = routes.matcher.matchJson(decoded.json);
      for (const id of matched) {
        const subscription = routes.byId.get(id)!;
        const ref: DeliveryRef = {
          subscriptionId: subscription.id,
          lane: laneOf(subscription, decoded.event, decoded.partitionKey),
          sequence: decoded.sequence,
        };
        const fail = () => failed.add(ref.sequence);
        if (subscription.delivery.ordered) {
          // One promise chain per lane: the lane's events of this batch go one after the other, in stream order.
          const key = `${ref.subscriptionId}\u0000${ref.lane}`;
          const previous = lanes.get(key) ?? this.laneStateAtStart(ref, decoded.event);
          const next = previous.then((state) => this.deliverInLane(state, subscription, ref, decoded.event, batch, fail));
          lanes.set(key, next);
          work.push(next);
        } else {
          // Its own lane: nothing to wait for but the subscription's limits (`attempt` checks for a disabled one).
          work.push(this.attempt(subscription, ref, decoded.event, batch, fail));
        }
      }
    }
    await Promise.all(work);
    return failed;
  }

  /** Whether an ordered lane already holds an event in the ledger when the batch first reaches it. */
  private async laneStateAtStart(ref: DeliveryRef, event: CloudEventJson): Promise<LaneState> {
    try {
      return (await this.ledger.isLaneOccupied(ref.subscriptionId, ref.lane)) ? 'blocked' : 'open';
    } catch (error) {
      this.ledgerFailed('could not read the lane', ref, event, error);
      return 'broken';
    }
  }

  private async deliverInLane(
    state: LaneState,
    subscription: Subscription,
    ref: DeliveryRef,
    event: CloudEventJson,
    batch: BatchContext,
    fail: () => void,
  ): Promise<LaneState> {
    if (state === 'broken') {
      // An earlier event of this key could not be recorded, so this one must not overtake it: Kinesis retries
      // from the earliest failed record and brings both back in order.
      fail();
      return 'broken';
    }
    if (batch.disabled.has(subscription.id)) {
      return (await this.deadLetterDisabled(ref, event, fail)) ? state : 'broken';
    }
    if (state === 'blocked') {
      try {
        await this.ledger.enqueueWaiting(ref, event);
      } catch (error) {
        this.ledgerFailed('could not hold the event back behind its key', ref, event, error);
        fail();
        return 'broken';
      }
      this.log.debug('delivery held back behind an earlier event of its key', deliveryFields(ref, event));
      this.count(ENGINE_METRIC.deliveryHeldBack);
      return 'blocked';
    }
    const result = await this.attempt(subscription, ref, event, batch, fail);
    return result === 'inLedger' ? 'blocked' : result === 'ledgerFailed' ? 'broken' : 'open';
  }

  /**
   * One delivery attempt and its bookkeeping. `inLedger`: it waits for a retry there (an ordered lane is now
   * blocked); `done`: delivered or dead; `ledgerFailed`: the record must be retried by Kinesis.
   */
  private async attempt(
    subscription: Subscription,
    ref: DeliveryRef,
    event: CloudEventJson,
    batch: BatchContext,
    fail: () => void,
  ): Promise<'done' | 'inLedger' | 'ledgerFailed'> {
    // Disabled by a 410 earlier in this batch (the cache was told at once).
    if (batch.disabled.has(subscription.id) || this.disabled.has(subscription.id)) {
      return (await this.deadLetterDisabled(ref, event, fail)) ? 'done' : 'ledgerFailed';
    }
    if (this.pastDeadline(batch, subscription)) return this.defer(ref, event, fail);
    // The deadline is checked again once the limiter lets the delivery start: a low rate or a full
    // concurrency may have kept it waiting until the invocation's end.
    const outcome = await this.limiter.run<DeliveryOutcome | typeof DEFERRED>(subscription, () =>
      this.pastDeadline(batch, subscription) ? Promise.resolve(DEFERRED) : deliver(event, subscription, this.deps),
    );
    if (outcome === DEFERRED) return this.defer(ref, event, fail);
    this.timeAttempt(outcome.durationMs);
    const fields = attemptFields(ref, event, outcome);
    if (outcome.kind === OUTCOME.delivered) {
      // A first-attempt success writes nothing (the delivery log keeps only deliveries that failed at least
      // once): it is counted and logged, and the bus pays no extra write per event for it.
      this.log.debug('delivered', fields);
      this.count(ENGINE_METRIC.delivered);
      return 'done';
    }
    const last = lastAttemptOf(outcome, this.now());
    try {
      switch (outcome.kind) {
        case OUTCOME.retry:
          if ((await this.ledger.recordFailure(ref, event, last, subscription.delivery.maxAttempts)) === 'dead') {
            // maxAttempts 1, or a Retry-After beyond the 24 h window.
            this.log.error('delivery failed and dead-lettered: no attempt left', fields);
            this.count(ENGINE_METRIC.deadLettered);
            return 'done';
          }
          this.log.warn('delivery failed; it will be retried', fields);
          this.count(ENGINE_METRIC.deliveryFailed);
          return 'inLedger';
        case OUTCOME.disable:
        case OUTCOME.deadLetter:
          await recordFinalFailure(this.finalFailures, ref, event, outcome, last, fields);
          return 'done';
      }
    } catch (error) {
      this.ledgerFailed('could not record the failed delivery', ref, event, error);
      fail();
      return 'ledgerFailed';
    }
  }

  /** Whether an attempt starting now could outlast the deadline (its longest: see `attemptAllowanceMs`). */
  private pastDeadline(batch: BatchContext, subscription: Subscription): boolean {
    return batch.deadline !== undefined && Date.now() + attemptAllowanceMs(subscription) > batch.deadline;
  }

  /**
   * A delivery not started before the invocation's deadline goes to the ledger as pending, due now (no attempt
   * counted): the redeliverer takes it from there, and the batch ends in time instead of timing out whole (which
   * would deliver its finished part again). In an ordered lane it becomes the lane's head, so later events of
   * the key queue behind it.
   */
  private async defer(ref: DeliveryRef, event: CloudEventJson, fail: () => void): Promise<'inLedger' | 'ledgerFailed'> {
    try {
      await this.ledger.enqueueWaiting(ref, event);
    } catch (error) {
      this.ledgerFailed('could not hand a delivery past the deadline to the ledger', ref, event, error);
      fail();
      return 'ledgerFailed';
    }
    this.log.debug('delivery deferred to the ledger: the invocation is near its deadline', deliveryFields(ref, event));
    this.count(ENGINE_METRIC.deliveryDeferred);
    return 'inLedger';
  }

  /** Events for a disabled subscription are kept as dead letters, redriven after it is re-enabled. */
  private async deadLetterDisabled(ref: DeliveryRef, event: CloudEventJson, fail: () => void): Promise<boolean> {
    try {
      await this.ledger.deadLetter(ref, event, DEAD_REASON.subscriptionDisabled);
    } catch (error) {
      this.ledgerFailed('could not dead-letter the event of a disabled subscription', ref, event, error);
      fail();
      return false;
    }
    this.log.warn('subscription is disabled; event dead-lettered', deliveryFields(ref, event));
    this.count(ENGINE_METRIC.deadLettered);
    return true;
  }

  private ledgerFailed(what: string, ref: DeliveryRef, event: CloudEventJson, error: unknown): void {
    this.log.error(`${what}; the record will be retried`, { ...deliveryFields(ref, event), error: describeError(error) });
    this.count(ENGINE_METRIC.ledgerWriteFailed);
  }
}
