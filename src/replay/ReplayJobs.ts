import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../store/errors';
import { NO_COUNTS, REPLAY_STATE, type ReplayCounts, type ReplayJob, type ReplayRequest, type ReplayState } from './types';

/**
 * Every replay job sits in this one partition of the delivery table (sort key: the job id), so a runner finds the
 * running ones with one Query, never a Scan. Replays are operator actions, a handful a day: the partition stays
 * small, and nothing else of the ledger (`LANE#…`, `DEAD#…`, `SUBSCRIPTIONS`) shares its key.
 */
export const REPLAY_PK = 'REPLAY';

/** Options of {@link ReplayJobs}. */
export interface ReplayJobsOptions {
  /** Document client (emulator-bound locally). */
  documents: DynamoDBDocumentClient;
  /** The delivery table (DELIVERY_TABLE_SCHEMA). */
  tableName: string;
  /** @default Date.now */
  clock?: () => number;
}

/** A job as stored: the job plus the runner's lease. */
interface JobItem extends ReplayJob {
  pk: string;
  sk: string;
  leaseOwner?: string;
  leaseUntil?: number;
}

/**
 * Replay jobs in the delivery table: created by `switchyard replay`, taken by a runner with a lease (a conditional
 * update, so two sweeps never run one job), checkpointed after every page (cursor and counts, fenced by the lease:
 * a runner that lost its lease, or whose job was cancelled, learns it at its next checkpoint), finished once.
 */
export class ReplayJobs {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: () => number;

  constructor(options: ReplayJobsOptions) {
    this.documents = options.documents;
    this.tableName = options.tableName;
    this.clock = options.clock ?? Date.now;
    if (!this.tableName) throw new RangeError('ReplayJobs: tableName is required, got an empty string');
  }

  /** Creates a running job for `request`; its id sorts by creation time. */
  async create(request: ReplayRequest): Promise<ReplayJob> {
    const now = this.clock();
    const jobId = `${new Date(now).toISOString().replace(/[-:]|\.\d+/g, '')}-${randomBytes(4).toString('hex')}`;
    const job: ReplayJob = {
      ...request,
      jobId,
      state: REPLAY_STATE.running,
      counts: { ...NO_COUNTS },
      startedAt: now,
      updatedAt: now,
    };
    const item: JobItem = { pk: REPLAY_PK, sk: jobId, ...job };
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: withoutUndefined(item), ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    return job;
  }

  /** The job, read consistently; undefined when there is none of that id. */
  async get(jobId: string): Promise<ReplayJob | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: REPLAY_PK, sk: jobId }, ConsistentRead: true }),
    );
    return Item ? toJob(Item as JobItem) : undefined;
  }

  /**
   * Every job, newest first (ids sort by creation time), optionally only one subscription's or one state's: one
   * Query of the `REPLAY` partition, read page by page to its end (filters apply after the read; the partition is small).
   */
  async list(filter: { subscriptionId?: string; state?: ReplayState } = {}): Promise<ReplayJob[]> {
    const conditions: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': REPLAY_PK };
    if (filter.subscriptionId !== undefined) {
      conditions.push('subscriptionId = :subscription');
      values[':subscription'] = filter.subscriptionId;
    }
    if (filter.state !== undefined) {
      conditions.push('#state = :state');
      names['#state'] = 'state';
      values[':state'] = filter.state;
    }
    return this.queryJobs({
      ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
    });
  }

  /** Running jobs whose lease is free (never taken, released, or run out) at `now`, oldest first. */
  async claimable(now = this.clock()): Promise<ReplayJob[]> {
    return this.queryJobs({
      FilterExpression: '#state = :running AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':pk': REPLAY_PK, ':running': REPLAY_STATE.running, ':now': now },
    });
  }

  /** Every job of the `REPLAY` partition the query's filter keeps, one consistent Query page at a time to the end. */
  private async queryJobs(query: Pick<QueryCommandInput, 'FilterExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues' | 'ScanIndexForward'>): Promise<ReplayJob[]> {
    const jobs: ReplayJob[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({ TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ...query, ConsistentRead: true, ExclusiveStartKey: startKey }),
      );
      jobs.push(...((page.Items ?? []) as JobItem[]).map(toJob));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return jobs;
  }

  /** Takes the job for `owner` until `leaseMs` from now, if it is running and its lease free (or already `owner`'s). */
  async claim(jobId: string, owner: string, leaseMs: number): Promise<boolean> {
    const now = this.clock();
    return this.update(jobId, {
      UpdateExpression: 'SET leaseOwner = :owner, leaseUntil = :until',
      ConditionExpression: '#state = :running AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now OR leaseOwner = :owner)',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':owner': owner, ':until': now + leaseMs, ':now': now, ':running': REPLAY_STATE.running },
    });
  }

  /**
   * Records a page done: the cursor to go on from and the counts so far, the lease extended. False when `owner`
   * no longer holds a running job (cancelled, or the lease ran out and another runner took it): stop then.
   */
  async checkpoint(jobId: string, owner: string, progress: { cursor: string; counts: ReplayCounts }, leaseMs: number): Promise<boolean> {
    const now = this.clock();
    return this.update(jobId, {
      UpdateExpression: 'SET #cursor = :cursor, #counts = :counts, updatedAt = :now, leaseUntil = :until',
      ConditionExpression: '#state = :running AND leaseOwner = :owner',
      ExpressionAttributeNames: { '#state': 'state', '#cursor': 'cursor', '#counts': 'counts' },
      ExpressionAttributeValues: {
        ':cursor': progress.cursor,
        ':counts': progress.counts,
        ':now': now,
        ':until': now + leaseMs,
        ':owner': owner,
        ':running': REPLAY_STATE.running,
      },
    });
  }

  /** Ends `owner`'s job: `done` (the window read to its end) or `failed` with the reason. False when it was no longer `owner`'s. */
  async finish(jobId: string, owner: string, outcome: { state: 'done' | 'failed'; counts: ReplayCounts; error?: string }): Promise<boolean> {
    return this.update(jobId, {
      UpdateExpression: `SET #state = :state, #counts = :counts, updatedAt = :now${outcome.error === undefined ? '' : ', #error = :error'} REMOVE leaseOwner, leaseUntil`,
      ConditionExpression: '#state = :running AND leaseOwner = :owner',
      ExpressionAttributeNames: { '#state': 'state', '#counts': 'counts', ...(outcome.error === undefined ? {} : { '#error': 'error' }) },
      ExpressionAttributeValues: {
        ':state': outcome.state,
        ':counts': outcome.counts,
        ':now': this.clock(),
        ':owner': owner,
        ':running': REPLAY_STATE.running,
        ...(outcome.error === undefined ? {} : { ':error': outcome.error }),
      },
    });
  }

  /** Lets go of the lease (the runner's time is up) so the next sweep takes the job at once instead of after the lease. */
  async release(jobId: string, owner: string): Promise<void> {
    await this.update(jobId, {
      UpdateExpression: 'REMOVE leaseOwner, leaseUntil',
      ConditionExpression: 'leaseOwner = :owner',
      ExpressionAttributeValues: { ':owner': owner },
    });
  }

  /** Cancels a running job: its runner stops at its next checkpoint (the page in flight is finished). False when it was not running. */
  async cancel(jobId: string): Promise<boolean> {
    return this.update(jobId, {
      UpdateExpression: 'SET #state = :cancelled, updatedAt = :now',
      ConditionExpression: '#state = :running',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':cancelled': REPLAY_STATE.cancelled, ':running': REPLAY_STATE.running, ':now': this.clock() },
    });
  }

  /** A conditional update of one job: false when its condition did not hold (or there is no such job). */
  private async update(
    jobId: string,
    expression: Pick<ConstructorParameters<typeof UpdateCommand>[0], 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
  ): Promise<boolean> {
    try {
      await this.documents.send(new UpdateCommand({ TableName: this.tableName, Key: { pk: REPLAY_PK, sk: jobId }, ...expression }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

function toJob(item: JobItem): ReplayJob {
  const { pk: _pk, sk: _sk, leaseOwner: _owner, leaseUntil: _until, ...job } = item;
  return { ...job, counts: { ...NO_COUNTS, ...job.counts } };
}

function withoutUndefined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
