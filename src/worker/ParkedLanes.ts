import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../crypto';
import { isConditionFailure } from '../store/errors';
import { itemKey } from '../store/itemKey';
import { padSequence } from './sequence';
import type { ParkedEvent } from './types';
import { queryPartition, requireTableAndConsumer } from './workerTable';

/** A record kept in a parked lane: the stream record itself, so the lane survives the stream's retention. */
export interface LaneRecord {
  shardId: string;
  /** The shard's generation (`Lease.depth`): a key moves only from a parent to a child, so this orders a lane across a reshard. */
  depth: number;
  sequenceNumber: string;
  partitionKey: string;
  /** The record's data, base64. */
  data: string;
  arrivedAt: string;
}

/** The head of a lane as stored: the parked event's details plus the lane's bookkeeping. */
interface LaneHead extends ParkedEvent {
  pk: string;
  sk: string;
  /** Bumped on every append, so draining deletes the head only if nothing was appended since it looked. */
  version: number;
  /** The attempt count when the event was parked: a release allows `maxAttempts` more from here. */
  attemptsAtPark: number;
  drainOwner?: string;
  drainUntil?: number;
  /** Grows with every drain claim: the fencing token of released events. */
  drainCounter: number;
}

export interface ParkedLanesOptions {
  documents: DynamoDBDocumentClient;
  /** The worker table (WORKER_TABLE_SCHEMA). */
  tableName: string;
  consumer: string;
  clock?: Clock;
}

/** What a new park records about the event (the rest comes from the lane record). */
export type ParkDetails = Pick<ParkedEvent, 'source' | 'id' | 'type' | 'reason' | 'attempts' | 'lastError'>;

/**
 * Parked partition keys of one consumer, in the worker table. A key is parked when one of its events
 * exhausted `maxAttempts` (or is not a CloudEvent): that event and every later event of the key are kept,
 * in order, in the key's lane, and the shard moves on, so other keys keep flowing and the checkpoint passes
 * them (the lane holds them durably, past restarts and the stream's retention).
 *
 * - head: pk `["parked", consumer]`, sk the partition key — the parked event's details, a pending
 *   `release`/`skip` request, and who is draining it;
 * - lane records: pk `["lane", consumer, partitionKey]`, sk `<depth>#<padded sequence>` — parent shards sort
 *   before their children, and within a shard the sequence orders them.
 *
 * Appending writes the record first and then bumps the head's version (conditional on the head existing);
 * draining deletes the head only at the version it saw with the lane empty. So a record appended while
 * the lane drains is either drained too, or its appender sees the head gone and handles the event itself
 * (where the idempotency record stops a second run if the drain ran it).
 */
export class ParkedLanes {
  readonly consumer: string;
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly headPk: string;

  constructor(options: ParkedLanesOptions) {
    requireTableAndConsumer('ParkedLanes', options);
    this.documents = options.documents;
    this.tableName = options.tableName;
    this.consumer = options.consumer;
    this.clock = options.clock ?? Date.now;
    this.headPk = itemKey('parked', this.consumer);
  }

  /** Every parked key of the consumer, with its parked event and pending request. */
  async list(): Promise<ParkedEvent[]> {
    const heads = await this.heads();
    return Promise.all(heads.map(async (head) => ({ ...toParkedEvent(head), laneLength: await this.laneLength(head.partitionKey) })));
  }

  /** The parked keys (cheap: no lane lengths). */
  async parkedKeys(): Promise<Set<string>> {
    return new Set((await this.heads()).map((head) => head.partitionKey));
  }

  /** One parked key, or undefined. */
  async get(partitionKey: string): Promise<ParkedEvent | undefined> {
    const head = await this.readHead(partitionKey);
    return head && { ...toParkedEvent(head), laneLength: await this.laneLength(partitionKey) };
  }

  /**
   * Parks `record`'s key with `record` at the front of its lane. If the key is parked already (a restart
   * re-reading the stream, or a released event failing again), the record is appended and the head is
   * updated to describe it when it is the lane's first.
   */
  async park(record: LaneRecord, details: ParkDetails): Promise<ParkedEvent> {
    await this.putRecord(record);
    const head: LaneHead = {
      pk: this.headPk,
      sk: record.partitionKey,
      consumer: this.consumer,
      partitionKey: record.partitionKey,
      ...this.parkedFields(record, details),
      version: 1,
      drainCounter: 0,
    };
    try {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: head, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      await this.bump(record.partitionKey);
    }
    return toParkedEvent(head);
  }

  /**
   * Appends a record behind a parked key. Answers false when the key is no longer parked (its lane was
   * drained): the caller handles the event itself.
   */
  async append(record: LaneRecord): Promise<boolean> {
    const created = await this.putRecord(record);
    if (await this.bump(record.partitionKey)) return true;
    // The lane was drained and its head deleted before our record counted: take it back out.
    if (created) await this.deleteRecord(record.partitionKey, laneSk(record));
    return false;
  }

  /** Asks for the parked event to be retried (then the held ones, in order). False when the key is not parked. */
  request(partitionKey: string, action: 'release' | 'skip'): Promise<boolean> {
    return this.conditionalHeadUpdate(partitionKey, 'SET #action = :action', { ':action': action }, { '#action': 'action' });
  }

  /** Keys with a pending release or skip that nobody is draining now. */
  async pendingRequests(): Promise<string[]> {
    const now = this.clock();
    return (await this.heads()).filter((head) => head.action && !(head.drainOwner && (head.drainUntil ?? 0) > now)).map((head) => head.partitionKey);
  }

  /**
   * Claims the draining of a key with a pending request for `durationMs` (renew with `renewDrain`). Returns
   * the head's request, the attempt budget base and the drain's fencing token, or undefined if someone else
   * drains it or there is nothing to do.
   */
  async claimDrain(
    partitionKey: string,
    owner: string,
    durationMs: number,
  ): Promise<{ action: 'release' | 'skip'; attemptsAtPark: number; drainCounter: number } | undefined> {
    const now = this.clock();
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: this.headPk, sk: partitionKey },
          UpdateExpression: 'SET drainOwner = :owner, drainUntil = :until ADD drainCounter :one',
          ConditionExpression: 'attribute_exists(#action) AND (attribute_not_exists(drainOwner) OR drainUntil <= :now)',
          ExpressionAttributeNames: { '#action': 'action' },
          ExpressionAttributeValues: { ':owner': owner, ':until': now + durationMs, ':now': now, ':one': 1 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const head = Attributes as LaneHead;
      return { action: head.action!, attemptsAtPark: head.attemptsAtPark, drainCounter: head.drainCounter };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Extends a drain claim; false if it was lost (expired and taken over). */
  renewDrain(partitionKey: string, owner: string, durationMs: number): Promise<boolean> {
    return this.conditionalHeadUpdate(partitionKey, 'SET drainUntil = :until', { ':until': this.clock() + durationMs, ':owner': owner }, {}, 'drainOwner = :owner');
  }

  /** The lane's records in order, with the head's version as read before them. */
  async lane(partitionKey: string, limit = 100): Promise<{ version: number; records: LaneRecord[] } | undefined> {
    const head = await this.readHead(partitionKey);
    if (!head) return undefined;
    const page = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': this.lanePk(partitionKey) },
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return { version: head.version, records: (page.Items ?? []).map(toLaneRecord) };
  }

  /** Removes a drained (done or skipped) record from the front of the lane. */
  deleteRecord(partitionKey: string, sk: string): Promise<void> {
    return this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: this.lanePk(partitionKey), sk } })).then(() => undefined);
  }

  /** Unparks the key if nothing was appended since `version` was read with the lane empty; false otherwise (look again). */
  async finishDrain(partitionKey: string, owner: string, version: number): Promise<boolean> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: this.headPk, sk: partitionKey },
          ConditionExpression: 'version = :version AND drainOwner = :owner',
          ExpressionAttributeValues: { ':version': version, ':owner': owner },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * The drain stopped on a record that failed again (or was not a CloudEvent): it is the lane's parked event
   * now; the request is cleared and the drain claim given up.
   */
  async reparkAfterDrain(record: LaneRecord, owner: string, details: ParkDetails): Promise<ParkedEvent | undefined> {
    const fields = this.parkedFields(record, details);
    const names: Record<string, string> = { '#action': 'action' };
    const values: Record<string, unknown> = { ':owner': owner };
    const sets = Object.entries(fields).map(([name, value]) => {
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      return `#${name} = :${name}`;
    });
    const updated = await this.conditionalHeadUpdate(
      record.partitionKey,
      `SET ${sets.join(', ')} REMOVE #action, drainOwner, drainUntil`,
      values,
      names,
      'drainOwner = :owner',
    );
    return updated ? this.get(record.partitionKey) : undefined;
  }

  /** Gives up a drain claim without finishing (stop): the request stays pending for the next worker. */
  async abandonDrain(partitionKey: string, owner: string): Promise<void> {
    await this.conditionalHeadUpdate(partitionKey, 'REMOVE drainOwner, drainUntil', { ':owner': owner }, {}, 'drainOwner = :owner');
  }

  private async heads(): Promise<LaneHead[]> {
    const heads: LaneHead[] = [];
    for await (const page of queryPartition(this.documents, this.tableName, this.headPk)) heads.push(...((page.Items ?? []) as LaneHead[]));
    return heads;
  }

  private async readHead(partitionKey: string): Promise<LaneHead | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: this.headPk, sk: partitionKey }, ConsistentRead: true }));
    return Item as LaneHead | undefined;
  }

  private async laneLength(partitionKey: string): Promise<number> {
    let count = 0;
    for await (const page of queryPartition(this.documents, this.tableName, this.lanePk(partitionKey), 'COUNT')) count += page.Count ?? 0;
    return count;
  }

  /** Stores a lane record unless it is there already (re-read after a restart); true when it was new. */
  private async putRecord(record: LaneRecord): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: this.lanePk(record.partitionKey), sk: laneSk(record), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The head's description of a newly parked event: where it is, why it stopped, and when. */
  private parkedFields(record: LaneRecord, details: ParkDetails) {
    return {
      shardId: record.shardId,
      sequenceNumber: record.sequenceNumber,
      ...eventIdentity(details),
      reason: details.reason,
      attempts: details.attempts,
      attemptsAtPark: details.attempts,
      lastError: details.lastError,
      parkedAt: new Date(this.clock()).toISOString(),
    };
  }

  private bump(partitionKey: string): Promise<boolean> {
    return this.conditionalHeadUpdate(partitionKey, 'ADD version :one', { ':one': 1 });
  }

  private async conditionalHeadUpdate(
    partitionKey: string,
    UpdateExpression: string,
    values: Record<string, unknown>,
    names: Record<string, string> = {},
    extraCondition?: string,
  ): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: this.headPk, sk: partitionKey },
          UpdateExpression,
          ConditionExpression: extraCondition ? `attribute_exists(pk) AND ${extraCondition}` : 'attribute_exists(pk)',
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  private lanePk(partitionKey: string): string {
    return itemKey('lane', this.consumer, partitionKey);
  }
}

/** A lane record's sort key: generation, then sequence. */
export function laneSk(record: Pick<LaneRecord, 'depth' | 'sequenceNumber'>): string {
  return `${String(record.depth).padStart(6, '0')}#${padSequence(record.sequenceNumber)}`;
}

function toLaneRecord(item: Record<string, unknown>): LaneRecord {
  return {
    shardId: item.shardId as string,
    depth: item.depth as number,
    sequenceNumber: item.sequenceNumber as string,
    partitionKey: item.partitionKey as string,
    data: item.data as string,
    arrivedAt: item.arrivedAt as string,
  };
}

function toParkedEvent(head: LaneHead): ParkedEvent {
  return {
    consumer: head.consumer,
    partitionKey: head.partitionKey,
    shardId: head.shardId,
    sequenceNumber: head.sequenceNumber,
    ...eventIdentity(head),
    reason: head.reason,
    attempts: head.attempts,
    lastError: head.lastError,
    parkedAt: head.parkedAt,
    ...(head.action ? { action: head.action } : {}),
  };
}

/** The event's `source`, `id` and `type`, each only when present (all absent when the record was not a CloudEvent). */
function eventIdentity(from: Pick<ParkedEvent, 'source' | 'id' | 'type'>): Pick<ParkedEvent, 'source' | 'id' | 'type'> {
  return {
    ...(from.source !== undefined ? { source: from.source } : {}),
    ...(from.id !== undefined ? { id: from.id } : {}),
    ...(from.type !== undefined ? { type: from.type } : {}),
  };
}
