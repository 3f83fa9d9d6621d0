import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../crypto';
import { batchGetItems, batchPutItems, type BatchRetryOptions } from '../store/batchItems';
import { isConditionFailure } from '../store/errors';
import { itemKey } from '../store/itemKey';
import { EventClaimLostError, EventCompletionError, EventInProgressError } from './errors';
import { requireTableAndConsumer } from './workerTable';

/** The identity of an event for idempotency: CloudEvents' `source` + `id` (producers dedupe on the pair). */
export interface EventIdentity {
  source: string;
  id: string;
}

export interface EventIdempotencyOptions {
  /** Document client (emulator-bound locally). */
  documents: DynamoDBDocumentClient;
  /** The idempotency table (IDEMPOTENCY_TABLE_SCHEMA), shared with ingest dedupe; keys never collide (see `recordKey`). */
  tableName: string;
  /** The consumer whose effects these records guard: each consumer handles every event once. */
  consumer: string;
  /**
   * How long a claim may stay unfinished before another worker may take it over, in ms: longer than the
   * slowest handler, or a takeover runs the handler while the first run is still going. @default 60000
   */
  inProgressTimeoutMs?: number;
  /**
   * How long a completed record answers "duplicate", in seconds: longer than any redelivery or replay
   * (Kinesis retention is 24 h by default, up to 365 days). @default 604800 (7 days)
   */
  retentionSeconds?: number;
  /** @default Date.now */
  clock?: Clock;
}

/** What `claim` answers. */
export type EventClaim =
  /** This caller may run the handler now, then `complete` (or `fail`/`abandon`). `attempt` counts from 1 across crashes. */
  | { status: 'claimed'; token: string; attempt: number }
  /** The event's effects are done: skip it. */
  | { status: 'completed'; completedAt: number }
  /** Someone else runs it right now (e.g. the previous owner of a stolen lease): ask again after `retryAfterMs`. */
  | { status: 'in_progress'; retryAfterMs: number };

/** What `runOnce` answers: the handler's result, or that the event was handled before. */
export type RunOnceResult<T> = { duplicate: false; result: T; attempt: number } | { duplicate: true; completedAt: number };

/** What `lookup` found for one event: its live (unexpired) record's status and runs so far. */
export interface StoredEventState {
  status: EventRecordStatus;
  attempts: number;
}

/** One event whose handler succeeded, for `completeMany`. */
export interface EventCompletion extends EventIdentity {
  /** Runs of the event so far, this one included. */
  attempts: number;
}

/** The claim a handler runs under, as `runOnce` passes it to `fn`. */
export interface HeldClaim {
  token: string;
  /** 1 on the first run; counts failed runs and runs lost to crashes (an in-progress mark that expired). */
  attempt: number;
}

/** States of a worker idempotency record. */
export const EventRecordStatus = {
  inProgress: 'in_progress',
  completed: 'completed',
  failed: 'failed',
} as const;
export type EventRecordStatus = (typeof EventRecordStatus)[keyof typeof EventRecordStatus];

/** One worker idempotency record. */
interface EventRecord {
  pk: string;
  consumer: string;
  source: string;
  id: string;
  status: EventRecordStatus;
  token: string;
  /** Runs started so far, this one included. */
  attempts: number;
  claimedAt: number;
  /** Epoch ms after which an in-progress claim is presumed crashed and may be taken over. */
  inProgressUntil?: number;
  /** Epoch seconds: checked in the conditions (so no TTL is needed, e.g. on dynalite) and the table's TTL attribute. */
  expiresAt: number;
  completedAt?: number;
  lastError?: string;
}

export const DEFAULT_EVENT_IN_PROGRESS_TIMEOUT_MS = 60_000;
export const DEFAULT_EVENT_RETENTION_SECONDS = 7 * 24 * 60 * 60;
/** Rounds of put-then-read in `claim` before answering "in progress": only a record changing under us needs more than two. */
const CLAIM_ROUNDS = 4;
/** Stored error messages are cut to this length (a record must stay small). */
const MAX_ERROR_CHARS = 1000;

/**
 * The idempotency record per (consumer, source, id) that makes a redelivered event a no-op for a worker
 * (`ShardWorker`, and the Lambda variant in `src/worker/lambda`). Modelled on Powertools idempotency's
 * DynamoDB layer, with single-item conditional writes only:
 *
 * - `claim` puts an in-progress mark (one conditional put when the event is new). A completed record answers
 *   `completed`; a live in-progress mark answers `in_progress`; a `failed` record, or an in-progress mark whose
 *   `inProgressTimeoutMs` has passed (its holder crashed), is taken over with `attempt` + 1.
 * - `complete` marks it completed (conditional on the claim's token); from then on the event is skipped.
 * - `fail` gives the claim back after a handler error, keeping the attempt count (so a poison event that
 *   crashes or fails its worker is still parked after `maxAttempts`); `abandon` gives it back without
 *   counting (the handler never ran, e.g. the lease was lost first).
 *
 * What this does not do: a crash after the handler's effects but before `complete` leaves an in-progress mark
 * that expires, and the handler runs again. Effects that must happen once even then are made conditional on
 * the handler context's sequence number or fencing token (see `ShardWorker`).
 */
export class EventIdempotency {
  readonly consumer: string;
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly inProgressTimeoutMs: number;
  private readonly retentionSeconds: number;
  private readonly clock: Clock;

  constructor(options: EventIdempotencyOptions) {
    this.documents = options.documents;
    this.tableName = options.tableName;
    this.consumer = options.consumer;
    this.inProgressTimeoutMs = options.inProgressTimeoutMs ?? DEFAULT_EVENT_IN_PROGRESS_TIMEOUT_MS;
    this.retentionSeconds = options.retentionSeconds ?? DEFAULT_EVENT_RETENTION_SECONDS;
    this.clock = options.clock ?? Date.now;
    requireTableAndConsumer('EventIdempotency', options);
    if (!(this.inProgressTimeoutMs > 0)) {
      throw new RangeError(`EventIdempotency: inProgressTimeoutMs must be > 0, got ${this.inProgressTimeoutMs}`);
    }
    if (!(this.retentionSeconds * 1000 >= this.inProgressTimeoutMs)) {
      throw new RangeError(`EventIdempotency: retentionSeconds must cover inProgressTimeoutMs, got ${this.retentionSeconds}`);
    }
  }

  /**
   * The record's key: `["worker", consumer, source, id]` as JSON (see `itemKey`), which no ingest dedupe key
   * (`["ingest", …]`) nor another consumer's key can equal.
   */
  recordKey(event: EventIdentity): string {
    return itemKey('worker', this.consumer, event.source, event.id);
  }

  /**
   * Runs `fn` unless the event was completed before: claim → fn → complete, or fail and rethrow when fn
   * throws. Throws `EventInProgressError` when another run holds the event (retry after its `retryAfterMs`),
   * `EventClaimLostError` if the claim was taken over while fn ran (fn's effects happened; see the class
   * comment), and `EventCompletionError` if fn succeeded but the completion could not be written (retry
   * `complete` with its token).
   */
  async runOnce<T>(event: EventIdentity, fn: (claim: HeldClaim) => Promise<T>): Promise<RunOnceResult<T>> {
    const claim = await this.claim(event);
    if (claim.status === 'completed') return { duplicate: true, completedAt: claim.completedAt };
    if (claim.status === 'in_progress') throw new EventInProgressError(event.source, event.id, claim.retryAfterMs);
    let result: T;
    try {
      result = await fn({ token: claim.token, attempt: claim.attempt });
    } catch (error) {
      await this.fail(event, claim.token, error);
      throw error;
    }
    try {
      await this.complete(event, claim.token);
    } catch (error) {
      if (error instanceof EventClaimLostError) throw error;
      throw new EventCompletionError(event.source, event.id, claim.token, claim.attempt, { cause: error });
    }
    return { duplicate: false, result, attempt: claim.attempt };
  }

  async claim(event: EventIdentity): Promise<EventClaim> {
    const pk = this.recordKey(event);
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      const now = this.clock();
      const fresh = this.newClaim(event, pk, now, 1);
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: fresh,
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :nowSeconds',
            ExpressionAttributeValues: { ':nowSeconds': Math.floor(now / 1000) },
          }),
        );
        return { status: 'claimed', token: fresh.token, attempt: 1 };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const existing = await this.read(pk);
      if (!existing) continue; // deleted in between: the put may succeed now
      const readAt = this.clock();
      if (existing.expiresAt <= Math.floor(readAt / 1000)) continue;
      if (existing.status === EventRecordStatus.completed) return { status: 'completed', completedAt: existing.completedAt ?? existing.claimedAt };
      if (existing.status === EventRecordStatus.inProgress && (existing.inProgressUntil ?? 0) > readAt) {
        return { status: 'in_progress', retryAfterMs: Math.max(1, (existing.inProgressUntil ?? readAt) - readAt) };
      }
      // Failed, or an in-progress mark whose holder presumably crashed: take it over, counting the attempt.
      const takeover = this.newClaim(event, pk, readAt, (existing.attempts ?? 1) + 1);
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: takeover,
            ConditionExpression: '#token = :seenToken AND #status = :seenStatus',
            ExpressionAttributeNames: { '#token': 'token', '#status': 'status' },
            ExpressionAttributeValues: { ':seenToken': existing.token, ':seenStatus': existing.status },
          }),
        );
        return { status: 'claimed', token: takeover.token, attempt: takeover.attempts };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Someone else moved first: look again.
      }
    }
    return { status: 'in_progress', retryAfterMs: 100 };
  }

  /** Marks the claimed event completed; throws `EventClaimLostError` if the claim is no longer this token's. */
  async complete(event: EventIdentity, token: string): Promise<void> {
    const now = this.clock();
    await this.updateHeld(event, token, {
      UpdateExpression: 'SET #status = :completed, completedAt = :now, expiresAt = :expiresAt REMOVE inProgressUntil',
      ExpressionAttributeValues: { ':completed': EventRecordStatus.completed, ':now': now, ':expiresAt': this.expiry(now) },
    });
  }

  /** Gives the claim back after a handler error, keeping the attempt count; throws `EventClaimLostError` like `complete`. */
  async fail(event: EventIdentity, token: string, error?: unknown): Promise<void> {
    await this.updateHeld(event, token, {
      UpdateExpression: 'SET #status = :failed, lastError = :error REMOVE inProgressUntil',
      ExpressionAttributeValues: { ':failed': EventRecordStatus.failed, ':error': describeError(error) },
    });
  }

  /**
   * Gives a claim back without counting an attempt: the handler did not run. The next claim starts again at
   * the attempt count before this claim. Nothing happens if the claim was taken over meanwhile.
   */
  async abandon(event: EventIdentity, token: string): Promise<void> {
    const pk = this.recordKey(event);
    const existing = await this.read(pk);
    if (!existing || existing.token !== token || existing.status !== EventRecordStatus.inProgress) return;
    try {
      if (existing.attempts <= 1) {
        await this.documents.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk },
            ConditionExpression: '#token = :token AND #status = :inProgress',
            ExpressionAttributeNames: { '#token': 'token', '#status': 'status' },
            ExpressionAttributeValues: { ':token': token, ':inProgress': EventRecordStatus.inProgress },
          }),
        );
      } else {
        await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk },
            UpdateExpression: 'SET #status = :failed, attempts = attempts - :one REMOVE inProgressUntil',
            ConditionExpression: '#token = :token AND #status = :inProgress',
            ExpressionAttributeNames: { '#token': 'token', '#status': 'status' },
            ExpressionAttributeValues: { ':token': token, ':inProgress': EventRecordStatus.inProgress, ':failed': EventRecordStatus.failed, ':one': 1 },
          }),
        );
      }
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * The live records of many events at once (BatchGetItem, 100 keys a request, unprocessed keys sent again),
   * keyed by `recordKey`; an event without a record, or with an expired one, is absent from the map.
   */
  async lookup(events: readonly EventIdentity[]): Promise<Map<string, StoredEventState>> {
    const found = new Map<string, StoredEventState>();
    const keys = [...new Set(events.map((event) => this.recordKey(event)))];
    const nowSeconds = Math.floor(this.clock() / 1000);
    const items = await batchGetItems(
      this.documents,
      this.tableName,
      keys.map((pk) => ({ pk })),
      {
        consistent: true,
        projection: { ProjectionExpression: 'pk, #status, attempts, expiresAt', ExpressionAttributeNames: { '#status': 'status' } },
        ...batchRetry('EventIdempotency.lookup', 'keys'),
      },
    );
    for (const item of items) {
      if ((item.expiresAt as number) <= nowSeconds) continue;
      found.set(item.pk as string, { status: item.status as EventRecordStatus, attempts: (item.attempts as number | undefined) ?? 1 });
    }
    return found;
  }

  /**
   * Marks many handled events completed at once, without claims (BatchWriteItem, 25 items a request, all
   * requests in parallel, unprocessed items sent again). The writes are unconditional: the caller must be the
   * only runner of these events (a `ShardWorker` holding the shard's lease), and what it writes is true —
   * each event's handler did succeed. Resolves once every record is durable; throws if some could not be
   * written (the caller retries: writing a completion twice is harmless).
   */
  async completeMany(completions: readonly EventCompletion[]): Promise<void> {
    const now = this.clock();
    const expiresAt = this.expiry(now);
    const items = new Map<string, Record<string, unknown>>();
    for (const completion of completions) {
      const pk = this.recordKey(completion);
      items.set(pk, { pk, status: EventRecordStatus.completed, attempts: completion.attempts, completedAt: now, expiresAt });
    }
    await batchPutItems(this.documents, this.tableName, [...items.values()], batchRetry('EventIdempotency.completeMany', 'items'));
  }

  /**
   * Records a failed run of an event that ran without a claim (see `completeMany`), so the attempt counts
   * towards `maxAttempts` and a later claim takes it over with `attempt` + 1. Does nothing when the event has
   * a live record already (someone else's claim or completion).
   */
  async recordFailure(event: EventIdentity, attempts: number, error: unknown): Promise<void> {
    const now = this.clock();
    const { inProgressUntil: _running, ...claim } = this.newClaim(event, this.recordKey(event), now, attempts);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...claim, status: EventRecordStatus.failed, lastError: describeError(error) },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :nowSeconds',
          ExpressionAttributeValues: { ':nowSeconds': Math.floor(now / 1000) },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** The stored record, for tools and tests (undefined when absent or expired). */
  async inspect(event: EventIdentity): Promise<{ status: EventRecordStatus; attempts: number; lastError?: string } | undefined> {
    const existing = await this.read(this.recordKey(event));
    if (!existing || existing.expiresAt <= Math.floor(this.clock() / 1000)) return undefined;
    return { status: existing.status, attempts: existing.attempts, ...(existing.lastError ? { lastError: existing.lastError } : {}) };
  }

  private newClaim(event: EventIdentity, pk: string, now: number, attempts: number): EventRecord {
    return {
      pk,
      consumer: this.consumer,
      source: event.source,
      id: event.id,
      status: EventRecordStatus.inProgress,
      token: randomUUID(),
      attempts,
      claimedAt: now,
      inProgressUntil: now + this.inProgressTimeoutMs,
      expiresAt: this.expiry(now),
    };
  }

  private async updateHeld(
    event: EventIdentity,
    token: string,
    update: { UpdateExpression: string; ExpressionAttributeValues: Record<string, unknown> },
  ): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: this.recordKey(event) },
          UpdateExpression: update.UpdateExpression,
          ConditionExpression: '#token = :token AND #status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status', '#token': 'token' },
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':token': token, ':inProgress': EventRecordStatus.inProgress },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.read(this.recordKey(event));
      throw new EventClaimLostError(event.source, event.id, existing?.status, { cause: error });
    }
  }

  private expiry(now: number): number {
    return Math.floor(now / 1000) + this.retentionSeconds;
  }

  private async read(pk: string): Promise<EventRecord | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk }, ConsistentRead: true }));
    return Item as EventRecord | undefined;
  }
}

/** Unprocessed keys or items are resent 8 rounds, the pause starting at 20 ms; then the call fails, naming itself. */
function batchRetry(what: string, unit: string): BatchRetryOptions {
  return { maxRounds: 8, retryBaseMs: 20, exhausted: (left, rounds) => new Error(`${what}: ${left} ${unit} still unprocessed after ${rounds} rounds`) };
}

/** An error as stored and reported: `Name: message`, cut to 1,000 characters. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error ?? 'unknown error');
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}
