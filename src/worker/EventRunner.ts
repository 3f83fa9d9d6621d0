import type { KinesisStreamRecord } from 'aws-lambda';
import { decodeKinesisRecord, type StreamedEvent } from '../stream/decodeKinesisRecord';
import { kinesisStreamRecord } from '../stream/kinesisStreamRecord';
import { describeError, type EventIdempotency } from './EventIdempotency';
import { EventClaimLostError, EventCompletionError, EventInProgressError } from './errors';
import type { ParkDetails, LaneRecord } from './ParkedLanes';
import type { EventHandler, HandlerContext, WorkerLog, WorkerMetrics } from './types';

export interface EventRunnerOptions {
  consumer: string;
  handler: EventHandler;
  idempotency: EventIdempotency;
  /** Runs of one event before it is parked. */
  maxAttempts: number;
  /** Pause before the next run after `attempt` failed runs. */
  backoff: (attempt: number) => number;
  /** Longest pause while another run holds the event's claim, before asking again. */
  inProgressPollMs: number;
  log: WorkerLog;
  metrics?: WorkerMetrics;
}

/** Under what a run happens: the fencing token, the abort signal, and how attempts are budgeted. */
export interface RunScope {
  fencingToken: number;
  signal: AbortSignal;
  /** Aborted on a graceful stop: no further run or pause starts (a running handler finishes). @default signal */
  stopSignal?: AbortSignal;
  /**
   * `absolute`: park once the event's stored attempt count (crashed runs included) reaches maxAttempts — a
   * poison event that kills its worker is parked too. `fresh`: allow maxAttempts more runs from the count
   * found now (a released parked event).
   */
  budget: 'absolute' | 'fresh';
}

/** How one event ended. */
export type RunOutcome =
  /** `unrecorded`: run by `runFirst` without a claim; the caller writes its completion. */
  | { kind: 'handled'; unrecorded?: true }
  | { kind: 'duplicate' }
  /** Out of attempts (or not a CloudEvent): park it. */
  | { kind: 'exhausted'; details: ParkDetails }
  /** Stopped before it was done (lease lost, worker stopping): it is not done and must not be checkpointed. */
  | { kind: 'aborted' };

/** Thrown inside the claim when earlier runs (crashed ones included) used the budget up: the handler is not called. */
class BudgetSpent extends Error {
  constructor() {
    super('earlier runs used every attempt without finishing (the worker crashed or timed out while handling it)');
    this.name = 'AttemptsExhausted';
  }
}

/**
 * Runs one stream record through the user's handler under its idempotency record: decode, claim, handle,
 * complete; retries a failing handler with backoff up to the attempt budget, waits while another run holds
 * the claim, and retries DynamoDB failures of its own bookkeeping without counting them as attempts.
 */
export class EventRunner {
  constructor(private readonly options: EventRunnerOptions) {}

  async run(record: LaneRecord, scope: RunScope): Promise<RunOutcome> {
    const { consumer, handler, idempotency, maxAttempts, log, metrics } = this.options;
    let streamed: StreamedEvent;
    try {
      streamed = decodeKinesisRecord(toLambdaRecord(record));
    } catch (error) {
      log('warn', 'record is not a CloudEvent; parking its key', { consumer, shardId: record.shardId, sequenceNumber: record.sequenceNumber, error: String(error) });
      return { kind: 'exhausted', details: { reason: 'undecodable', attempts: 0, lastError: String(error) } };
    }
    const { event } = streamed;
    const identity = { source: event.source, id: event.id };
    let limit: number | undefined = scope.budget === 'absolute' ? maxAttempts : undefined;
    let infrastructureFailures = 0;
    const stop = scope.stopSignal ?? scope.signal;
    for (;;) {
      if (scope.signal.aborted || stop.aborted) return { kind: 'aborted' };
      let ranAttempt: number | undefined;
      let handlerError: { error: unknown } | undefined;
      try {
        const result = await idempotency.runOnce(identity, async (claim) => {
          limit ??= claim.attempt - 1 + maxAttempts;
          if (claim.attempt > limit) throw new BudgetSpent();
          ranAttempt = claim.attempt;
          try {
            await handler(event, handlerContext(consumer, record, scope, claim.attempt));
          } catch (error) {
            handlerError = { error };
            throw error;
          }
        });
        if (result.duplicate) {
          metrics?.addMetric('DuplicatesSkipped', 'Count', 1);
          return { kind: 'duplicate' };
        }
        metrics?.addMetric('EventsHandled', 'Count', 1);
        return { kind: 'handled' };
      } catch (error) {
        if (error instanceof BudgetSpent) {
          const stored = await idempotency.inspect(identity).catch(() => undefined);
          return { kind: 'exhausted', details: { ...eventDetails(streamed), reason: 'handler_failed', attempts: stored?.attempts ?? limit ?? maxAttempts, lastError: stored?.lastError ?? new BudgetSpent().message } };
        }
        if (error instanceof EventCompletionError) return this.retryCompletion(identity, error, record, scope);
        if (error instanceof EventInProgressError) {
          // Another run holds it (a previous lease owner still finishing): wait for it to complete or expire.
          await sleep(Math.min(error.retryAfterMs, this.options.inProgressPollMs), stop);
          continue;
        }
        if (error instanceof EventClaimLostError && ranAttempt !== undefined) {
          // Our run outlived the in-progress timeout and another took over: that run completes the record.
          log('warn', 'idempotency claim taken over while the handler ran', { consumer, source: event.source, id: event.id, sequenceNumber: record.sequenceNumber });
          return { kind: 'handled' };
        }
        if (ranAttempt === undefined || !handlerError || handlerError.error !== error) {
          // Our own bookkeeping failed (DynamoDB): not the handler's attempt; retry after a pause.
          infrastructureFailures += 1;
          log('warn', 'idempotency record write failed; retrying', { consumer, sequenceNumber: record.sequenceNumber, error: String(error) });
          await sleep(this.options.backoff(infrastructureFailures), stop);
          continue;
        }
        metrics?.addMetric('HandlerFailures', 'Count', 1);
        log('warn', 'handler failed', { consumer, source: event.source, id: event.id, sequenceNumber: record.sequenceNumber, attempt: ranAttempt, error: String(error) });
        if (ranAttempt >= limit!) {
          return { kind: 'exhausted', details: { ...eventDetails(streamed), reason: 'handler_failed', attempts: ranAttempt, lastError: describeError(error) } };
        }
        await sleep(this.options.backoff(ranAttempt), stop);
      }
    }
  }

  /** The record's CloudEvent, or undefined when it is not one (`run` parks those). */
  decode(record: LaneRecord): StreamedEvent | undefined {
    try {
      return decodeKinesisRecord(toLambdaRecord(record));
    } catch {
      return undefined;
    }
  }

  /**
   * The first run of an event that has no record yet, without a claim: the shard's lease keeps every other
   * worker of the consumer off it, and the caller writes its completion in a batch (`CompletionBuffer`). A
   * failure is recorded (so it counts towards `maxAttempts`) and the event goes on through `run`, claims and
   * all; a run stopped by the signal is `aborted` and counts nothing.
   */
  async runFirst(record: LaneRecord, streamed: StreamedEvent, scope: RunScope): Promise<RunOutcome> {
    const { consumer, handler, idempotency, maxAttempts, log, metrics } = this.options;
    const { event } = streamed;
    try {
      await handler(event, handlerContext(consumer, record, scope, 1));
      metrics?.addMetric('EventsHandled', 'Count', 1);
      return { kind: 'handled', unrecorded: true };
    } catch (error) {
      if (scope.signal.aborted) return { kind: 'aborted' };
      metrics?.addMetric('HandlerFailures', 'Count', 1);
      log('warn', 'handler failed', { consumer, source: event.source, id: event.id, sequenceNumber: record.sequenceNumber, attempt: 1, error: String(error) });
      const stop = scope.stopSignal ?? scope.signal;
      for (let failures = 1; ; failures++) {
        try {
          await idempotency.recordFailure({ source: event.source, id: event.id }, 1, error);
          break;
        } catch (writeError) {
          log('warn', 'idempotency record write failed; retrying', { consumer, sequenceNumber: record.sequenceNumber, error: String(writeError) });
          await sleep(this.options.backoff(failures), stop);
          if (scope.signal.aborted || stop.aborted) return { kind: 'aborted' };
        }
      }
      if (maxAttempts <= 1) return { kind: 'exhausted', details: { ...eventDetails(streamed), reason: 'handler_failed', attempts: 1, lastError: describeError(error) } };
      await sleep(this.options.backoff(1), stop);
      return this.run(record, scope);
    }
  }

  /** The handler's effects are done: keep trying to record that, rather than letting the claim expire and re-run it. */
  private async retryCompletion(identity: { source: string; id: string }, failure: EventCompletionError, record: LaneRecord, scope: RunScope): Promise<RunOutcome> {
    const stop = scope.stopSignal ?? scope.signal;
    for (let failures = 1; ; failures++) {
      this.options.log('warn', 'recording a completion failed; retrying', { consumer: this.options.consumer, sequenceNumber: record.sequenceNumber, error: String(failure.cause) });
      await sleep(this.options.backoff(failures), stop);
      // Stopped first: the record stays in progress, and the next run waits for it to expire (a re-run).
      if (scope.signal.aborted || stop.aborted) return { kind: 'aborted' };
      try {
        await this.options.idempotency.complete(identity, failure.token);
        this.options.metrics?.addMetric('EventsHandled', 'Count', 1);
        return { kind: 'handled' };
      } catch (error) {
        if (error instanceof EventClaimLostError) return { kind: 'handled' };
      }
    }
  }

  /**
   * Marks a record's event done without running the handler (`skip` of a parked event), so a later re-read
   * of it from the stream is a duplicate too. A record that is not a CloudEvent has no record to mark.
   */
  async acknowledge(record: LaneRecord): Promise<void> {
    const streamed = this.decode(record);
    if (streamed === undefined) return;
    const identity = { source: streamed.event.source, id: streamed.event.id };
    const claim = await this.options.idempotency.claim(identity);
    if (claim.status === 'claimed') await this.options.idempotency.complete(identity, claim.token);
  }
}

function eventDetails(streamed: StreamedEvent): Pick<ParkDetails, 'source' | 'id' | 'type'> {
  return { source: streamed.event.source, id: streamed.event.id, type: streamed.event.type };
}

/** The Lambda record shape `decodeKinesisRecord` reads (the same the local poller builds). */
export function toLambdaRecord(record: LaneRecord): KinesisStreamRecord {
  return kinesisStreamRecord({ ...record, arrivedAt: new Date(record.arrivedAt) });
}

/** Sleeps, waking early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** What the handler is told about the event it runs. */
function handlerContext(consumer: string, record: LaneRecord, scope: RunScope, attempt: number): HandlerContext {
  return {
    consumer,
    shardId: record.shardId,
    sequenceNumber: record.sequenceNumber,
    partitionKey: record.partitionKey,
    arrivedAt: record.arrivedAt,
    fencingToken: scope.fencingToken,
    attempt,
    signal: scope.signal,
  };
}
