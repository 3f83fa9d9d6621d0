import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { openEventData, sealEventData, type Clock, type EventKeys, type SealedEventData } from '../../crypto';
import type { CloudEventJson } from '../../events/types';
import { CorruptItemError, InvalidQueryError, isConditionFailure } from '../../store/errors';
import {
  checkSubscriptionId,
  DEAD_PK_PREFIX,
  deadPk,
  deadSk,
  dueAtKey,
  dueBucketOf,
  LANE_PK_PREFIX,
  lanePk,
  sequenceSk,
  SUBSCRIPTIONS_PK,
} from './keys';
import { redriveLaneOf } from './laneOf';
import { nextAttempt } from './retrySchedule';
import {
  DEAD_REASON,
  type DeadReason,
  type DeliveryRef,
  type DisabledSubscription,
  type FailedAttempt,
  type LastAttempt,
  type LedgerEntry,
  type LedgerPage,
  type LedgerState,
  type ListOptions,
} from './types';

/** The table's sparse GSI over lane heads awaiting an attempt (DELIVERY_TABLE_SCHEMA). */
export const DUE_INDEX = 'due';
export const DEFAULT_DUE_BUCKETS = 8;
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;

/** Binds a sealed event to its subscription, source and id: an item's event cannot be swapped for another's. */
const AAD_LABEL = 'switchyard/delivery-ledger/v1';

export interface DeliveryLedgerOptions {
  /** Document client (emulator-bound locally). */
  documents: DynamoDBDocumentClient;
  /** The delivery table (DELIVERY_TABLE_SCHEMA). */
  tableName: string;
  /** Data key caches for sealing the stored events (see `createEventKeys`). */
  keys: EventKeys;
  /** @default Date.now */
  clock?: Clock;
  /**
   * Buckets of the `due` index. Writers and readers of one table must agree: a head in a bucket the
   * reader does not query is never retried. @default 8
   */
  dueBuckets?: number;
  /**
   * An item whose event does not open (altered, or its KMS key unusable) is left in place, skipped by
   * `due` and the listings, and reported here; without a handler the error is thrown instead.
   */
  onUnreadable?: (ref: DeliveryRef, error: unknown) => void;
}

/** A dead letter's or lane item's reference plus what the ledger knows of its history (a `LedgerEntry` fits). */
export type DeadLetterRef = DeliveryRef & Partial<Pick<LedgerEntry, 'attempts' | 'firstFailedAt' | 'redrivenFrom'>>;

/** One lane item or dead letter as stored. The event is sealed whole; source, id and type stay in clear for operators. */
interface LedgerItem {
  pk: string;
  sk: string;
  subscriptionId: string;
  lane: string;
  sequence: string;
  state: LedgerState;
  source: string;
  id: string;
  type: string;
  sealed: SealedEventData<Uint8Array>;
  attempts: number;
  recordedAt: number;
  firstFailedAt?: number;
  last?: LastAttempt;
  /** Lane heads only (`pending`): the `due` index keys. */
  dueBucket?: string;
  dueAt?: string;
  leaseUntil?: number;
  deadAt?: number;
  deadReason?: DeadReason;
  redrivenFrom?: string;
}

interface DisabledItem {
  pk: string;
  sk: string;
  subscriptionId: string;
  disabledAt: number;
  reason: string;
}

/**
 * The delivery ledger on DynamoDB (layout in PLAN.md "The delivery ledger" and `types.ts`).
 *
 * Every move is a sequence of single-item conditional writes (no transactions: dynalite has none), ordered
 * so that a crash between two of them leaves a duplicate at worst — the new item is written before the old
 * one is removed — and every step may be retried: puts are conditional on absence or overwrite with the
 * same key, deletes of a missing item are no-ops, promotions are conditional on `waiting`.
 */
export class DeliveryLedger {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly keys: EventKeys;
  private readonly clock: Clock;
  private readonly dueBuckets: number;
  private readonly onUnreadable?: (ref: DeliveryRef, error: unknown) => void;

  constructor(options: DeliveryLedgerOptions) {
    this.documents = options.documents;
    this.tableName = options.tableName;
    this.keys = options.keys;
    this.clock = options.clock ?? Date.now;
    this.dueBuckets = options.dueBuckets ?? DEFAULT_DUE_BUCKETS;
    this.onUnreadable = options.onUnreadable;
    if (!this.tableName) throw new RangeError('DeliveryLedger: tableName is required, got an empty string');
    if (!Number.isInteger(this.dueBuckets) || this.dueBuckets < 1 || this.dueBuckets > 100) {
      throw new RangeError(`DeliveryLedger: dueBuckets must be an integer from 1 to 100, got ${this.dueBuckets}`);
    }
  }

  // ── Engine side ──────────────────────────────────────────────────────────────────────────────────────────

  /** Whether a lane holds anything (head or waiting): an ordered event must then queue behind it. Consistent read. */
  async isLaneOccupied(subscriptionId: string, lane: string): Promise<boolean> {
    const { Items = [] } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': lanePk(subscriptionId, lane) },
        ProjectionExpression: 'pk',
        ConsistentRead: true,
        Limit: 1,
      }),
    );
    return Items.length > 0;
  }

  /**
   * The engine's first attempt failed: the delivery becomes its lane's head, due per the schedule (attempt 1),
   * or dead straight away when the schedule says so (`maxAttempts` 1, a Retry-After past 24 h).
   * A replayed Kinesis record finds its item there already and leaves it as it is.
   */
  async recordFailure(ref: DeliveryRef, event: CloudEventJson, last: FailedAttempt, maxAttempts: number): Promise<'pending' | 'dead'> {
    const next = nextAttempt({ attempts: 1, firstFailedAt: last.at, now: this.clock(), maxAttempts, retryAfterMs: last.retryAfterMs });
    if (next.kind === 'dead') {
      await this.deadLetter({ ...ref, attempts: 1, firstFailedAt: last.at }, event, next.reason, last);
      return 'dead';
    }
    const pk = lanePk(ref.subscriptionId, ref.lane);
    const item: LedgerItem = {
      ...(await this.baseItem(ref, pk, sequenceSk(ref.sequence), event)),
      state: 'pending',
      attempts: 1,
      firstFailedAt: last.at,
      last: lastAttempt(last),
      dueBucket: dueBucketOf(pk, this.dueBuckets),
      dueAt: dueAtKey(next.at),
    };
    await this.putIfAbsent(item);
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
    const item: LedgerItem = { ...(await this.baseItem(ref, pk, sk, event)), state: 'waiting', attempts: 0 };
    await this.putIfAbsent(item);
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
  async deadLetter(ref: DeadLetterRef, event: CloudEventJson, reason: DeadReason, last?: LastAttempt): Promise<void> {
    const pk = lanePk(ref.subscriptionId, ref.lane);
    const base = await this.baseItem(ref, deadPk(ref.subscriptionId), deadSk(ref.lane, ref.sequence), event);
    const dead: LedgerItem = {
      ...base,
      state: 'dead',
      attempts: ref.attempts ?? (last ? 1 : 0),
      firstFailedAt: ref.firstFailedAt ?? last?.at,
      ...(last ? { last: lastAttempt(last) } : {}),
      deadAt: this.clock(),
      deadReason: reason,
      redrivenFrom: ref.redrivenFrom,
    };
    await this.documents.send(new PutCommand({ TableName: this.tableName, Item: withoutUndefined(dead) }));
    await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { pk, sk: sequenceSk(ref.sequence) } }));
    await this.promoteNext(ref.subscriptionId, ref.lane);
  }

  // ── Redeliver side ───────────────────────────────────────────────────────────────────────────────────────

  /**
   * Lane heads due by `now` (claimed ones whose lease has not run out are not due), oldest first, at most
   * `limit`: each bucket is queried for its oldest `limit`, the union sorted by due time. Events decrypted.
   * The index is eventually consistent in DynamoDB; `claim` re-checks against the item itself.
   */
  async due(now: number, limit: number): Promise<LedgerEntry[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    const nowKey = dueAtKey(now);
    const pages = await Promise.all(
      Array.from({ length: this.dueBuckets }, (_, bucket) =>
        this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: DUE_INDEX,
            KeyConditionExpression: 'dueBucket = :bucket AND dueAt <= :now',
            ExpressionAttributeValues: { ':bucket': String(bucket), ':now': nowKey },
            Limit: limit,
          }),
        ),
      ),
    );
    const items = pages
      .flatMap((page) => (page.Items ?? []) as LedgerItem[])
      .sort((a, b) => (a.dueAt! < b.dueAt! ? -1 : a.dueAt! > b.dueAt! ? 1 : 0))
      .slice(0, limit);
    return this.readableEntries(items);
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
    const now = this.clock();
    const leaseUntil = now + leaseMs;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: lanePk(entry.subscriptionId, entry.lane), sk: sequenceSk(entry.sequence) },
          UpdateExpression: 'SET dueAt = :leaseEnd, leaseUntil = :leaseUntil',
          ConditionExpression: '#state = :pending AND dueAt = :seen AND dueAt <= :now',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':leaseEnd': dueAtKey(leaseUntil),
            ':leaseUntil': leaseUntil,
            ':pending': 'pending',
            ':seen': dueAtKey(entry.nextAttemptAt),
            ':now': dueAtKey(now),
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    entry.leaseUntil = leaseUntil;
    entry.nextAttemptAt = leaseUntil;
    return true;
  }

  /**
   * The claimed entry was delivered: delete it, then promote the lane's next. The delete is unconditional —
   * whoever holds the item now, this event has been delivered — and a crash before the promotion is repaired
   * by the next append to the lane or by `promoteLane` (the delivery itself is done).
   */
  async markDelivered(entry: DeliveryRef): Promise<void> {
    await this.documents.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: lanePk(entry.subscriptionId, entry.lane), sk: sequenceSk(entry.sequence) } }),
    );
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
    const next = nextAttempt({ attempts, firstFailedAt, now: this.clock(), maxAttempts, retryAfterMs: last.retryAfterMs });
    if (next.kind === 'dead') {
      await this.deadLetter({ ...entry, attempts, firstFailedAt }, entry.event, next.reason, last);
      return 'dead';
    }
    const pk = lanePk(entry.subscriptionId, entry.lane);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk, sk: sequenceSk(entry.sequence) },
          UpdateExpression: 'SET attempts = :attempts, firstFailedAt = :firstFailedAt, #last = :last, dueAt = :dueAt, dueBucket = :bucket REMOVE leaseUntil',
          ConditionExpression: '#state = :pending AND attempts = :seen',
          ExpressionAttributeNames: { '#state': 'state', '#last': 'last' },
          ExpressionAttributeValues: {
            ':attempts': attempts,
            ':firstFailedAt': firstFailedAt,
            ':last': lastAttempt(last),
            ':dueAt': dueAtKey(next.at),
            ':bucket': dueBucketOf(pk, this.dueBuckets),
            ':pending': 'pending',
            ':seen': entry.attempts,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
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

  // ── Operations (library now, CLI later) ──────────────────────────────────────────────────────────────────

  /**
   * Dead letters, in key order within a subscription (lane, then sequence). With `subscriptionId`, one
   * Query; without, a Scan filtered on the `DEAD#` key prefix, which reads the whole table in the worst case
   * (acceptable for an operator's listing, not for a hot path).
   */
  async listDead(options: ListOptions = {}): Promise<LedgerPage> {
    return this.list(DEAD_PK_PREFIX, options.subscriptionId === undefined ? undefined : deadPk(options.subscriptionId), options);
  }

  /**
   * Lane items, `pending` heads and `waiting` ones. A Scan filtered on the `LANE#` (or `LANE#<id>#`) prefix
   * either way: a subscription's lanes are separate partitions.
   */
  async listPending(options: ListOptions = {}): Promise<LedgerPage> {
    if (options.subscriptionId !== undefined) checkSubscriptionId(options.subscriptionId);
    const prefix = options.subscriptionId === undefined ? LANE_PK_PREFIX : `${LANE_PK_PREFIX}${options.subscriptionId}#`;
    return this.list(prefix, undefined, options);
  }

  /**
   * Redrives one dead letter (`ref` as listed: its subscription, lane and sequence): it becomes a lane of its
   * own (`redrive:…`), due now, attempts and the 24 h window reset. It does not rejoin its key's lane — that
   * key's later events have moved on, and blocking them now would reorder them anyway. The new lane item is
   * written before the dead letter is deleted; the lane name derives from the dead letter, so a retried
   * redrive finds it written. Answers the new reference, or undefined when no such dead letter exists.
   */
  async redrive(ref: DeliveryRef): Promise<DeliveryRef | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: deadPk(ref.subscriptionId), sk: deadSk(ref.lane, ref.sequence) }, ConsistentRead: true }),
    );
    return Item ? this.redriveItem(this.checked(Item)) : undefined;
  }

  /** Redrives every dead letter of a subscription (only those dead for `reason`, when given). Answers how many. */
  async redriveAll(subscriptionId: string, options: { reason?: DeadReason } = {}): Promise<number> {
    let count = 0;
    for await (const page of this.partitionPages(deadPk(subscriptionId))) {
      const items = page.map((item) => this.checked(item));
      for (const item of items) {
        if (options.reason !== undefined && item.deadReason !== options.reason) continue;
        await this.redriveItem(item);
        count++;
      }
    }
    return count;
  }

  /** Turns a subscription off (a 410, or by hand); its events go dead `subscription_disabled`. The first disable's time and reason stand. */
  async disableSubscription(subscriptionId: string, reason: string): Promise<void> {
    checkSubscriptionId(subscriptionId);
    const item: DisabledItem = { pk: SUBSCRIPTIONS_PK, sk: subscriptionId, subscriptionId, disabledAt: this.clock(), reason };
    try {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * Turns a subscription back on; with `redrive`, then redrives its dead letters of reason
   * `subscription_disabled` (those the disablement caused). Engines notice within their disabled-set cache time.
   */
  async enableSubscription(subscriptionId: string, options: { redrive?: boolean } = {}): Promise<{ redriven: number }> {
    checkSubscriptionId(subscriptionId);
    await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: SUBSCRIPTIONS_PK, sk: subscriptionId } }));
    const redriven = options.redrive ? await this.redriveAll(subscriptionId, { reason: DEAD_REASON.subscriptionDisabled }) : 0;
    return { redriven };
  }

  /** Every disabled subscription: one (paged) consistent Query on pk `SUBSCRIPTIONS`. */
  async disabledSubscriptions(): Promise<DisabledSubscription[]> {
    const disabled: DisabledSubscription[] = [];
    for await (const page of this.partitionPages<DisabledItem>(SUBSCRIPTIONS_PK)) {
      for (const item of page) {
        disabled.push({ subscriptionId: item.subscriptionId, disabledAt: item.disabledAt, reason: item.reason });
      }
    }
    return disabled;
  }

  // ── Internals ────────────────────────────────────────────────────────────────────────────────────────────

  /** Every item of one partition, a (consistent) Query page at a time; the next page is read once the caller asks for it. */
  private async *partitionPages<Item = Record<string, unknown>>(pk: string): AsyncGenerator<Item[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      yield (page.Items ?? []) as Item[];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** The first item of a lane, promoted from `waiting` to the due head when it is one; answers its sort key. */
  private async promoteNext(subscriptionId: string, lane: string): Promise<string | undefined> {
    const pk = lanePk(subscriptionId, lane);
    const { Items = [] } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ExpressionAttributeNames: { '#state': 'state' },
        ProjectionExpression: 'sk, #state',
        ConsistentRead: true,
        Limit: 1,
      }),
    );
    const first = Items[0] as Pick<LedgerItem, 'sk' | 'state'> | undefined;
    if (!first || first.state !== 'waiting') return first?.sk;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk, sk: first.sk },
          UpdateExpression: 'SET #state = :pending, dueBucket = :bucket, dueAt = :now',
          ConditionExpression: '#state = :waiting',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':waiting': 'waiting',
            ':bucket': dueBucketOf(pk, this.dueBuckets),
            ':now': dueAtKey(this.clock()),
          },
        }),
      );
    } catch (error) {
      // Another promoter got there first: it is the head either way.
      if (!isConditionFailure(error)) throw error;
    }
    return first.sk;
  }

  private async redriveItem(dead: LedgerItem): Promise<DeliveryRef> {
    const lane = redriveLaneOf(dead.lane, dead.sequence);
    const pk = lanePk(dead.subscriptionId, lane);
    const item: LedgerItem = {
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
      recordedAt: this.clock(),
      dueBucket: dueBucketOf(pk, this.dueBuckets),
      dueAt: dueAtKey(this.clock()),
      redrivenFrom: dead.redrivenFrom ?? dead.lane,
    };
    await this.putIfAbsent(item);
    await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: dead.pk, sk: dead.sk } }));
    return { subscriptionId: dead.subscriptionId, lane, sequence: dead.sequence };
  }

  /** A conditional put that leaves an existing item alone: a retried or replayed write is a no-op. */
  private async putIfAbsent(item: LedgerItem): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({ TableName: this.tableName, Item: withoutUndefined(item), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  private async baseItem(
    ref: DeliveryRef,
    pk: string,
    sk: string,
    event: CloudEventJson,
  ): Promise<Pick<LedgerItem, 'pk' | 'sk' | 'subscriptionId' | 'lane' | 'sequence' | 'source' | 'id' | 'type' | 'sealed' | 'recordedAt'>> {
    if (typeof event?.source !== 'string' || typeof event.id !== 'string') {
      throw new TypeError('the ledger needs a CloudEvent with a string source and id');
    }
    const plaintext = Buffer.from(JSON.stringify(event), 'utf8');
    const sealed = await sealEventData(plaintext, ledgerAad(ref.subscriptionId, event.source, event.id), this.keys);
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
      recordedAt: this.clock(),
    };
  }

  private async list(prefix: string, queryPk: string | undefined, options: ListOptions): Promise<LedgerPage> {
    const limit = options.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new InvalidQueryError('limit', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
    }
    let startKey: Record<string, unknown> | undefined = options.cursor === undefined ? undefined : decodeCursor(options.cursor, queryPk);
    const items: LedgerItem[] = [];
    // `Limit` bounds the items read, not those matched, so each round asks for no more than still fit the page.
    do {
      const common = { TableName: this.tableName, Limit: limit - items.length, ExclusiveStartKey: startKey };
      const page = await this.documents.send(
        queryPk
          ? new QueryCommand({ ...common, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': queryPk }, ConsistentRead: true })
          : new ScanCommand({ ...common, FilterExpression: 'begins_with(pk, :prefix)', ExpressionAttributeValues: { ':prefix': prefix }, ConsistentRead: true }),
      );
      items.push(...((page.Items ?? []) as Record<string, unknown>[]).map((item) => this.checked(item)));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    const entries = await this.readableEntries(items);
    return { entries, ...(startKey ? { cursor: encodeCursor(startKey) } : {}) };
  }

  /** Decrypts items into entries; an unreadable one goes to `onUnreadable` (or throws) rather than hiding the rest. */
  private async readableEntries(items: LedgerItem[]): Promise<LedgerEntry[]> {
    const settled = await Promise.allSettled(items.map((item) => this.toEntry(item)));
    const entries: LedgerEntry[] = [];
    settled.forEach((result, index) => {
      if (result.status === 'fulfilled') {
        entries.push(result.value);
        return;
      }
      const item = items[index]!;
      if (!this.onUnreadable) throw result.reason;
      this.onUnreadable({ subscriptionId: item.subscriptionId, lane: item.lane, sequence: item.sequence }, result.reason);
    });
    return entries;
  }

  private async toEntry(raw: LedgerItem): Promise<LedgerEntry> {
    const item = this.checked(raw as unknown as Record<string, unknown>);
    const plaintext = await openEventData(item.sealed, ledgerAad(item.subscriptionId, item.source, item.id), this.keys);
    const event = JSON.parse(plaintext.toString('utf8')) as CloudEventJson;
    return withoutUndefined({
      subscriptionId: item.subscriptionId,
      lane: item.lane,
      sequence: item.sequence,
      state: item.state,
      event,
      attempts: item.attempts,
      firstFailedAt: item.firstFailedAt,
      nextAttemptAt: item.state === 'pending' && item.dueAt !== undefined ? Number(item.dueAt) : undefined,
      last: item.last,
      deadAt: item.deadAt,
      deadReason: item.deadReason,
      leaseUntil: item.leaseUntil,
      redrivenFrom: item.redrivenFrom,
    }) as LedgerEntry;
  }

  private checked(raw: Record<string, unknown>): LedgerItem {
    const item = raw as Partial<LedgerItem>;
    if (!item.subscriptionId || !item.lane || !item.sequence || !item.state || !item.source || !item.id || !item.sealed || typeof item.attempts !== 'number') {
      throw new CorruptItemError(this.tableName, String(item.pk), `ledger item ${String(item.pk)} ${String(item.sk)} lacks its reference, state, event or attempts`);
    }
    return item as LedgerItem;
  }
}

/** `[label, subscription, source, id]` as JSON: unambiguous whatever the strings hold (see crypto's `eventAad`). */
export function ledgerAad(subscriptionId: string, source: string, id: string): Buffer {
  return Buffer.from(JSON.stringify([AAD_LABEL, subscriptionId, source, id]), 'utf8');
}

/** Only the fields the ledger keeps: `retryAfterMs` is spent on the schedule, and nothing else may sneak in. */
function lastAttempt(last: LastAttempt): LastAttempt {
  return withoutUndefined({ at: last.at, status: last.status, reason: last.reason, error: last.error }) as LastAttempt;
}

function withoutUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify([key.pk, key.sk]), 'utf8').toString('base64url');
}

/** A cursor is the last key read; one from a subscription's listing only continues that subscription's. */
function decodeCursor(cursor: string, queryPk: string | undefined): { pk: string; sk: string } {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidQueryError('cursor', 'cursor is not one this ledger issued', { cause: error });
  }
  if (!Array.isArray(parts) || parts.length !== 2 || parts.some((part) => typeof part !== 'string')) {
    throw new InvalidQueryError('cursor', 'cursor is not one this ledger issued');
  }
  if (queryPk !== undefined && parts[0] !== queryPk) {
    throw new InvalidQueryError('cursor', 'cursor belongs to another listing');
  }
  return { pk: parts[0], sk: parts[1] };
}
