import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../crypto';
import { isConditionFailure } from '../store/errors';
import { itemKey } from '../store/itemKey';
import { LeaseLostError } from './errors';
import { queryPartition, requireTableAndConsumer } from './workerTable';

/** The checkpoint of a shard read to its end: its children may start. */
export const SHARD_END = 'SHARD_END';

/**
 * Where a never-checkpointed shard starts, as stored on its lease (see `StartPosition`): resolved to an
 * iterator type when the consumer's leases are created.
 */
export type StoredStart =
  | { type: 'TRIM_HORIZON' }
  | { type: 'AT_TIMESTAMP'; timestamp: number }
  | { type: 'AT_SEQUENCE_NUMBER'; sequenceNumber: string };

/** One lease item: the ownership and progress of one (consumer, shard). */
export interface Lease {
  consumer: string;
  shardId: string;
  parentShardIds: string[];
  /** Generations after the stream's first shards (a child's is one more than its deepest parent's); orders parked lanes. */
  depth: number;
  /** Absent when nobody holds it (new, released, or finished). */
  owner?: string;
  /** Grows by one on every change of owner: the fencing token. */
  leaseCounter: number;
  /** Epoch ms after which the lease is free to take. */
  expiresAt: number;
  /** Last sequence whose event is done, or `SHARD_END`; absent before the first. */
  checkpoint?: string;
  /**
   * With `completionRecords: 'shard'`: sequences above the checkpoint whose events are done too (handled by a
   * run whose flush came before the batch's checkpoint, or by concurrent keys past the lowest unfinished one).
   */
  done?: string[];
  start: StoredStart;
}

/** The lease a worker holds, as it knows it: the fencing condition of all its writes. */
export interface HeldLease {
  shardId: string;
  owner: string;
  leaseCounter: number;
}

export interface LeaseTableOptions {
  documents: DynamoDBDocumentClient;
  /** The worker table (WORKER_TABLE_SCHEMA). */
  tableName: string;
  consumer: string;
  clock?: Clock;
}

/**
 * Leases and checkpoints of one consumer, one item per shard in the worker table: pk `["lease", consumer]`,
 * sk the shard id. Every write a holder makes (renew, checkpoint, release) is conditional on its owner and
 * lease counter, so a worker whose lease was taken over cannot move the checkpoint: its write is refused with
 * `LeaseLostError` and it must stop that shard. Taking a lease is conditional on the counter read just before,
 * so two workers racing for one lease cannot both win.
 *
 * Expiry compares the stored `expiresAt` with the taker's clock: workers' clocks must agree to well within a
 * lease duration (NTP-synchronised hosts do).
 */
export class LeaseTable {
  readonly consumer: string;
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly pk: string;

  constructor(options: LeaseTableOptions) {
    requireTableAndConsumer('LeaseTable', options);
    this.documents = options.documents;
    this.tableName = options.tableName;
    this.consumer = options.consumer;
    this.clock = options.clock ?? Date.now;
    this.pk = itemKey('lease', this.consumer);
  }

  /** Every lease of the consumer, read consistently. */
  async list(): Promise<Lease[]> {
    const leases: Lease[] = [];
    for await (const page of queryPartition(this.documents, this.tableName, this.pk)) {
      for (const item of page.Items ?? []) leases.push(toLease(item));
    }
    return leases;
  }

  /** One lease, read consistently; undefined when the shard has none. */
  async get(shardId: string): Promise<Lease | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: this.pk, sk: shardId }, ConsistentRead: true }));
    return Item ? toLease(Item) : undefined;
  }

  /** Creates the lease of a shard unless it exists (another worker may create it at the same time). */
  async create(shardId: string, parentShardIds: string[], depth: number, start: StoredStart): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: this.pk, sk: shardId, consumer: this.consumer, shardId, parentShardIds, depth, leaseCounter: 0, expiresAt: 0, start },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * Takes the lease as seen in `observed` (free, expired, or held by an overloaded worker): succeeds only if
   * nobody changed it since, and returns it held by `owner` with the next fencing token; undefined if another
   * worker moved first.
   */
  async acquire(observed: Lease, owner: string, durationMs: number): Promise<Lease | undefined> {
    const expiresAt = this.clock() + durationMs;
    const leaseCounter = observed.leaseCounter + 1;
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: this.pk, sk: observed.shardId },
          UpdateExpression: 'SET #owner = :owner, leaseCounter = :next, expiresAt = :expiresAt',
          ConditionExpression: 'leaseCounter = :seen AND expiresAt = :seenExpiry',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner, ':next': leaseCounter, ':expiresAt': expiresAt, ':seen': observed.leaseCounter, ':seenExpiry': observed.expiresAt },
        }),
      );
      return { ...observed, owner, leaseCounter, expiresAt };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Extends a held lease; returns the new expiry or throws `LeaseLostError`. */
  async renew(held: HeldLease, durationMs: number): Promise<number> {
    const expiresAt = this.clock() + durationMs;
    await this.heldWrite(held, 'SET expiresAt = :expiresAt', { ':expiresAt': expiresAt });
    return expiresAt;
  }

  /**
   * Records the last done sequence (or `SHARD_END`); throws `LeaseLostError` if the lease moved. With `doneAbove`
   * (`completionRecords: 'shard'`), the lease's list of done sequences above the checkpoint becomes that list.
   */
  async checkpoint(held: HeldLease, sequence: string, doneAbove?: readonly string[]): Promise<void> {
    const names = { '#checkpoint': 'checkpoint' };
    if (doneAbove === undefined) {
      await this.heldWrite(held, 'SET #checkpoint = :checkpoint', { ':checkpoint': sequence }, names);
    } else if (doneAbove.length === 0) {
      await this.heldWrite(held, 'SET #checkpoint = :checkpoint REMOVE done', { ':checkpoint': sequence }, names);
    } else {
      await this.heldWrite(held, 'SET #checkpoint = :checkpoint, done = :done', { ':checkpoint': sequence, ':done': [...doneAbove] }, names);
    }
  }

  /**
   * Adds sequences whose events are done to the shard's lease (`completionRecords: 'shard'`), without a
   * condition on the owner: they are facts whoever ran them, so even a worker that lost the lease writes what
   * it finished, and the next owner skips those events instead of running them again.
   */
  async recordDone(shardId: string, sequences: readonly string[]): Promise<void> {
    if (sequences.length === 0) return;
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: this.pk, sk: shardId },
        UpdateExpression: 'SET done = list_append(if_not_exists(done, :none), :sequences)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':none': [], ':sequences': [...sequences] },
      }),
    );
  }

  /** Gives the lease up at once (graceful stop, or a finished shard); a lease already lost is left alone. */
  async release(held: HeldLease): Promise<void> {
    try {
      await this.heldWrite(held, 'SET expiresAt = :zero REMOVE #owner', { ':zero': 0 });
    } catch (error) {
      if (!(error instanceof LeaseLostError)) throw error;
    }
  }

  private async heldWrite(
    held: HeldLease,
    UpdateExpression: string,
    values: Record<string, unknown>,
    names: Record<string, string> = {},
  ): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: this.pk, sk: held.shardId },
          UpdateExpression,
          ConditionExpression: '#owner = :me AND leaseCounter = :counter',
          ExpressionAttributeNames: { '#owner': 'owner', ...names },
          ExpressionAttributeValues: { ...values, ':me': held.owner, ':counter': held.leaseCounter },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new LeaseLostError(this.consumer, held.shardId, held.leaseCounter, { cause: error });
      throw error;
    }
  }
}

function toLease(item: Record<string, unknown>): Lease {
  return {
    consumer: item.consumer as string,
    shardId: item.shardId as string,
    parentShardIds: (item.parentShardIds as string[] | undefined) ?? [],
    depth: (item.depth as number | undefined) ?? 0,
    ...(typeof item.owner === 'string' ? { owner: item.owner } : {}),
    leaseCounter: item.leaseCounter as number,
    expiresAt: item.expiresAt as number,
    ...(typeof item.checkpoint === 'string' ? { checkpoint: item.checkpoint } : {}),
    ...(Array.isArray(item.done) ? { done: item.done as string[] } : {}),
    start: (item.start as StoredStart | undefined) ?? { type: 'TRIM_HORIZON' },
  };
}
