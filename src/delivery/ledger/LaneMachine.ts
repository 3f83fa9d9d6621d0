import type { Clock, EventKeys } from '../../crypto';
import type { CloudEventJson } from '../../events/types';
import { nextAttempt } from '../failurePolicy';
import type { DeliveryLog } from './DeliveryLog';
import { deadPk, deadSk, dueAtKey, dueBucketOf, lanePk, sequenceSk } from './keys';
import { readableEntries, type OnUnreadable } from './ledgerEntries';
import type { LedgerItem, LedgerStore } from './LedgerStore';
import { redriveLaneOf } from './laneOf';
import { sealLedgerEvent } from './sealLedgerEvent';
import {
  ATTEMPT_OUTCOME,
  type DeadReason,
  type DeliveredAttempt,
  type DeliveryRef,
  type FailedAttempt,
  type LastAttempt,
  type LedgerEntry,
} from './types';

/** A dead letter's or lane item's reference plus what the ledger knows of its history (a `LedgerEntry` fits). */
export type DeadLetterRef = DeliveryRef & Partial<Pick<LedgerEntry, 'attempts' | 'firstFailedAt' | 'redrivenFrom'>>;

/** Options of `deadLetter`. */
export interface DeadLetterOptions {
  /** `last` is an attempt just made (a 410, a target that cannot work): the delivery log records it. @default false */
  attempted?: boolean;
}

/** What {@link LaneMachine} is built from. */
export interface LaneMachineParts {
  store: LedgerStore;
  keys: EventKeys;
  clock: Clock;
  dueBuckets: number;
  log: DeliveryLog;
  onUnreadable?: OnUnreadable;
  /** Days a dead letter is kept (its `expiresAt`); undefined: until redriven or deleted. */
  deadLetterDays?: number;
}

/**
 * The lanes of the delivery ledger as a state machine over the storage hooks (`LedgerStore`): a delivery
 * enters as a failed head (`recordFailure`) or queued behind one (`enqueueWaiting`), is claimed when due, and
 * leaves delivered (`markDelivered`) or dead (`deadLetter`), the lane's next promoted each time.
 *
 * Every move is a sequence of single-item conditional writes, ordered so that a crash between two of them
 * leaves a duplicate at worst — the new item is written before the old one is removed — and every step may be
 * retried: puts are conditional on absence or overwrite with the same key, deletes of a missing item are
 * no-ops, promotions are conditional on `waiting`. Attempts made are written to the delivery log after the
 * lane's own write.
 */
export class LaneMachine {
  constructor(private readonly parts: LaneMachineParts) {}

  /** Whether a lane holds anything (head or waiting): an ordered event must then queue behind it. Consistent read. */
  async isLaneOccupied(subscriptionId: string, lane: string): Promise<boolean> {
    return (await this.parts.store.firstOf(lanePk(subscriptionId, lane))) !== undefined;
  }

  /**
   * The engine's first attempt failed: the delivery becomes its lane's head, due per the schedule (attempt 1),
   * or dead straight away when the schedule says so (`maxAttempts` 1, a Retry-After past 24 h).
   * A replayed Kinesis record finds its item there already and leaves it as it is.
   */
  async recordFailure(ref: DeliveryRef, event: CloudEventJson, last: FailedAttempt, maxAttempts: number): Promise<'pending' | 'dead'> {
    const next = nextAttempt({ attempts: 1, firstFailedAt: last.at, now: this.parts.clock(), maxAttempts, retryAfterMs: last.retryAfterMs });
    if (next.kind === 'dead') {
      await this.deadLetter({ ...ref, attempts: 1, firstFailedAt: last.at }, event, next.reason, last, { attempted: true });
      return 'dead';
    }
    const pk = lanePk(ref.subscriptionId, ref.lane);
    await this.parts.store.putIfAbsent({
      ...(await this.baseItem(ref, pk, sequenceSk(ref.sequence), event)),
      state: 'pending',
      attempts: 1,
      firstFailedAt: last.at,
      last: lastAttempt(last),
      dueBucket: dueBucketOf(pk, this.parts.dueBuckets),
      dueAt: dueAtKey(next.at),
    });
    await this.logFailure(ref, event, 1, last);
    return 'pending';
  }

  /**
   * Queues an ordered delivery behind its occupied lane (`waiting`, no due time). Then, if it turns out to be
   * the lane's first item — the redeliverer emptied the lane between `isLaneOccupied` and this append — it
   * promotes itself, so it is never stranded. Answers the state it ended in.
   */
  async enqueueWaiting(ref: DeliveryRef, event: CloudEventJson): Promise<'waiting' | 'pending'> {
    const pk = lanePk(ref.subscriptionId, ref.lane);
    const sk = sequenceSk(ref.sequence);
    await this.parts.store.putIfAbsent({ ...(await this.baseItem(ref, pk, sk, event)), state: 'waiting', attempts: 0 });
    const head = await this.promoteNext(ref.subscriptionId, ref.lane);
    return head === sk ? 'pending' : 'waiting';
  }

  /**
   * Moves a delivery to the dead letters with its reason: put the dead letter (keyed by lane + sequence, so a
   * retry overwrites the same item), then delete the lane item, then promote the lane's next. A crash in
   * between leaves the delivery both dead and in its lane: a duplicate, never a loss. Also the engine's path
   * for an event that is dead on arrival (subscription disabled, unusable target); then `attempts` defaults
   * to 1 when a `last` attempt is given, else 0.
   */
  async deadLetter(ref: DeadLetterRef, event: CloudEventJson, reason: DeadReason, last?: LastAttempt, options: DeadLetterOptions = {}): Promise<void> {
    const attempts = ref.attempts ?? (last ? 1 : 0);
    // The attempt is logged before the state changes, so whoever sees the dead letter sees the attempt that killed it.
    if (options.attempted && last) await this.logFailure(ref, event, Math.max(attempts, 1), last, reason);
    const base = await this.baseItem(ref, deadPk(ref.subscriptionId), deadSk(ref.lane, ref.sequence), event);
    await this.parts.store.put({
      ...base,
      state: 'dead',
      attempts,
      firstFailedAt: ref.firstFailedAt ?? last?.at,
      ...(last ? { last: lastAttempt(last) } : {}),
      deadAt: this.parts.clock(),
      deadReason: reason,
      redrivenFrom: ref.redrivenFrom,
      ...(this.parts.deadLetterDays !== undefined ? { expiresAt: Math.floor(this.parts.clock() / 1000) + this.parts.deadLetterDays * 86_400 } : {}),
    });
    await this.parts.store.delete({ pk: lanePk(ref.subscriptionId, ref.lane), sk: sequenceSk(ref.sequence) });
    await this.promoteNext(ref.subscriptionId, ref.lane);
  }

  /**
   * Lane heads due by `now` (claimed ones whose lease has not run out are not due), oldest first, at most
   * `limit`: each bucket is queried for its oldest `limit`, the union sorted by due time. Events decrypted.
   * The index is eventually consistent in DynamoDB; `claim` re-checks against the item itself.
   */
  async due(now: number, limit: number): Promise<LedgerEntry[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    const nowKey = dueAtKey(now);
    const pages = await Promise.all(
      Array.from({ length: this.parts.dueBuckets }, (_, bucket) => this.parts.store.queryDue(String(bucket), nowKey, limit)),
    );
    const items = pages
      .flat()
      .sort((a, b) => (a.dueAt! < b.dueAt! ? -1 : a.dueAt! > b.dueAt! ? 1 : 0))
      .slice(0, limit);
    return readableEntries(items, this.parts.keys, this.parts.store.name, this.parts.onUnreadable);
  }

  /**
   * Takes a due entry for `leaseMs` (longer than one delivery attempt can take): its due time moves to the
   * lease's end, conditional on the item still being the pending head with the due time `entry` was read
   * with. So of two overlapping sweeps one wins; a claimer that dies lets the item fall due again when the
   * lease ends. Answers false when the entry was taken or changed meanwhile. Updates `entry` on success.
   */
  async claim(entry: LedgerEntry, leaseMs: number): Promise<boolean> {
    if (!(leaseMs > 0)) throw new RangeError(`leaseMs must be > 0, got ${leaseMs}`);
    if (entry.state !== 'pending' || entry.nextAttemptAt === undefined) return false;
    const now = this.parts.clock();
    const leaseUntil = now + leaseMs;
    const claimed = await this.parts.store.updateIf(
      { pk: lanePk(entry.subscriptionId, entry.lane), sk: sequenceSk(entry.sequence) },
      { dueAt: dueAtKey(leaseUntil), leaseUntil },
      [],
      { state: 'pending', dueAt: dueAtKey(entry.nextAttemptAt), dueAtOrBefore: dueAtKey(now) },
    );
    if (!claimed) return false;
    entry.leaseUntil = leaseUntil;
    entry.nextAttemptAt = leaseUntil;
    return true;
  }

  /**
   * The claimed entry was delivered: delete it, then promote the lane's next. The delete is unconditional —
   * whoever holds the item now, this event has been delivered — and a crash before the promotion is repaired
   * by the next append to the lane or by `promoteLane` (the delivery itself is done). With `delivered` (and
   * an entry that carries its event), the successful attempt goes to the delivery log first.
   */
  async markDelivered(entry: DeliveryRef | LedgerEntry, delivered?: DeliveredAttempt): Promise<void> {
    // Logged first, as in `deadLetter`: the delivery leaves the ledger only once its history says how.
    if (delivered && 'event' in entry) {
      await this.parts.log.record(
        { ...refOf(entry), source: entry.event.source, id: entry.event.id },
        { at: delivered.at, attempt: entry.attempts + 1, outcome: ATTEMPT_OUTCOME.delivered, status: delivered.status, durationMs: delivered.durationMs },
      );
    }
    await this.parts.store.delete({ pk: lanePk(entry.subscriptionId, entry.lane), sk: sequenceSk(entry.sequence) });
    await this.promoteNext(entry.subscriptionId, entry.lane);
  }

  /**
   * The claimed entry failed again: attempts + 1 and the next time from the schedule (at least `retryAfterMs`),
   * releasing the lease; or dead (`exhausted`), out of the lane, the next promoted. The retry write is
   * conditional on the attempts the entry was read with, so an overlapping sweep's outcome is not counted
   * twice; if the entry moved on meanwhile, nothing is written and 'pending' is answered.
   */
  async markFailed(entry: LedgerEntry, last: FailedAttempt, maxAttempts: number): Promise<'pending' | 'dead'> {
    const attempts = entry.attempts + 1;
    const firstFailedAt = entry.firstFailedAt ?? last.at;
    const next = nextAttempt({ attempts, firstFailedAt, now: this.parts.clock(), maxAttempts, retryAfterMs: last.retryAfterMs });
    if (next.kind === 'dead') {
      await this.deadLetter({ ...entry, attempts, firstFailedAt }, entry.event, next.reason, last, { attempted: true });
      return 'dead';
    }
    const pk = lanePk(entry.subscriptionId, entry.lane);
    const updated = await this.parts.store.updateIf(
      { pk, sk: sequenceSk(entry.sequence) },
      { attempts, firstFailedAt, last: lastAttempt(last), dueAt: dueAtKey(next.at), dueBucket: dueBucketOf(pk, this.parts.dueBuckets) },
      ['leaseUntil'],
      { state: 'pending', attempts: entry.attempts },
    );
    if (updated) await this.logFailure(entry, entry.event, attempts, last);
    return 'pending';
  }

  /**
   * Makes the lane's first item its head if it is `waiting` (due now). Safe to call any time, from anywhere:
   * the update is conditional on `waiting`, so concurrent promoters agree. Repairs a lane left headless by a
   * crash between a delete and its promotion.
   */
  async promoteLane(subscriptionId: string, lane: string): Promise<void> {
    await this.promoteNext(subscriptionId, lane);
  }

  /**
   * A dead letter back into a lane of its own (`redrive:…`), due now, attempts and the 24 h window reset. The
   * new lane item is written before the dead letter is deleted; the lane name derives from the dead letter, so
   * a retried redrive finds it written. Answers the new reference.
   */
  async revive(dead: LedgerItem): Promise<DeliveryRef> {
    const lane = redriveLaneOf(dead.lane, dead.sequence);
    const pk = lanePk(dead.subscriptionId, lane);
    const now = this.parts.clock();
    await this.parts.store.putIfAbsent({
      pk,
      sk: sequenceSk(dead.sequence),
      subscriptionId: dead.subscriptionId,
      lane,
      sequence: dead.sequence,
      state: 'pending',
      source: dead.source,
      id: dead.id,
      type: dead.type,
      // The AAD binds subscription, source and id, none of which change: the sealed event moves as it is.
      sealed: dead.sealed,
      attempts: 0,
      recordedAt: now,
      dueBucket: dueBucketOf(pk, this.parts.dueBuckets),
      dueAt: dueAtKey(now),
      redrivenFrom: dead.redrivenFrom ?? dead.lane,
    });
    await this.parts.store.delete({ pk: dead.pk, sk: dead.sk });
    return { subscriptionId: dead.subscriptionId, lane, sequence: dead.sequence };
  }

  /** The first item of a lane, promoted from `waiting` to the due head when it is one; answers its sort key. */
  private async promoteNext(subscriptionId: string, lane: string): Promise<string | undefined> {
    const pk = lanePk(subscriptionId, lane);
    const first = await this.parts.store.firstOf(pk);
    if (!first || first.state !== 'waiting') return first?.sk;
    // Another promoter may get there first (the condition fails): it is the head either way.
    await this.parts.store.updateIf(
      { pk, sk: first.sk },
      { state: 'pending', dueBucket: dueBucketOf(pk, this.parts.dueBuckets), dueAt: dueAtKey(this.parts.clock()) },
      [],
      { state: 'waiting' },
    );
    return first.sk;
  }

  private async logFailure(ref: DeliveryRef, event: CloudEventJson, attempt: number, last: FailedAttempt, deadReason?: DeadReason): Promise<void> {
    await this.parts.log.record(
      { ...refOf(ref), source: event.source, id: event.id },
      {
        at: last.at,
        attempt,
        outcome: deadReason === undefined ? ATTEMPT_OUTCOME.retry : ATTEMPT_OUTCOME.dead,
        ...(last.status !== undefined ? { status: last.status } : {}),
        ...(last.durationMs !== undefined ? { durationMs: last.durationMs } : {}),
        reason: last.reason,
        error: last.error,
        ...(deadReason !== undefined ? { deadReason } : {}),
      },
    );
  }

  private async baseItem(
    ref: DeliveryRef,
    pk: string,
    sk: string,
    event: CloudEventJson,
  ): Promise<Pick<LedgerItem, 'pk' | 'sk' | 'subscriptionId' | 'lane' | 'sequence' | 'source' | 'id' | 'type' | 'sealed' | 'recordedAt'>> {
    const sealed = await sealLedgerEvent(ref.subscriptionId, event, this.parts.keys);
    return {
      pk,
      sk,
      subscriptionId: ref.subscriptionId,
      lane: ref.lane,
      sequence: ref.sequence,
      source: event.source,
      id: event.id,
      type: event.type,
      sealed,
      recordedAt: this.parts.clock(),
    };
  }
}

/** Only the fields the ledger keeps: `retryAfterMs` is spent on the schedule, `durationMs` goes to the log. */
function lastAttempt(last: LastAttempt): LastAttempt {
  const kept: LastAttempt = { at: last.at, reason: last.reason, error: last.error };
  if (last.status !== undefined) kept.status = last.status;
  return kept;
}

function refOf(ref: DeliveryRef): DeliveryRef {
  return { subscriptionId: ref.subscriptionId, lane: ref.lane, sequence: ref.sequence };
}
