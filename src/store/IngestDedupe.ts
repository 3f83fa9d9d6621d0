import { randomUUID } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../crypto';
import { DedupeStatus, DEFAULT_DEDUPE_WINDOW_SECONDS, DEFAULT_IN_PROGRESS_TIMEOUT_SECONDS } from './constants';
import { ClaimLostError, CorruptItemError, isConditionFailure } from './errors';
import { itemKey } from './itemKey';
import type { ClaimResult } from './types';

export interface IngestDedupeOptions {
  /** Document client (emulator-bound locally). */
  documents: DynamoDBDocumentClient;
  /** The idempotency table (IDEMPOTENCY_TABLE_SCHEMA). */
  tableName: string;
  /** How long an accepted source + id is answered as a duplicate, in seconds. @default 86400 */
  windowSeconds?: number;
  /** How long a claim may stay unfinished before another request may take it over. @default 30 */
  inProgressTimeoutSeconds?: number;
  /** @default Date.now */
  clock?: Clock;
}

/** One ingest idempotency record. */
interface DedupeItem {
  pk: string;
  source: string;
  id: string;
  status: DedupeStatus;
  token: string;
  claimedAt: number;
  /** Epoch ms after which an in-progress claim is presumed crashed. */
  inProgressUntil?: number;
  /** End of the dedupe window, epoch seconds: checked in conditions, and DynamoDB's TTL attribute. */
  expiresAt: number;
  sequence?: string;
  shard?: string;
  completedAt?: number;
}

/** Attempts of claim's put-then-read before answering "busy": only a claim released and retaken in between needs a second. */
const CLAIM_ATTEMPTS = 3;

/**
 * Ingest's dedupe on source + id, after Powertools idempotency's DynamoDB layer: a single conditional put
 * claims the pair when it is absent, its window has passed, or an in-progress claim has gone stale — so a
 * crash between claim and publish delays a retry by at most `inProgressTimeoutSeconds`, never drops it.
 * Expiry is checked in the condition itself, so it holds without DynamoDB's TTL (and on dynalite).
 */
export class IngestDedupe {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly windowSeconds: number;
  private readonly inProgressTimeoutMs: number;
  private readonly clock: Clock;

  constructor(options: IngestDedupeOptions) {
    this.documents = options.documents;
    this.tableName = options.tableName;
    this.windowSeconds = options.windowSeconds ?? DEFAULT_DEDUPE_WINDOW_SECONDS;
    const inProgressTimeoutSeconds = options.inProgressTimeoutSeconds ?? DEFAULT_IN_PROGRESS_TIMEOUT_SECONDS;
    this.inProgressTimeoutMs = inProgressTimeoutSeconds * 1000;
    this.clock = options.clock ?? Date.now;
    if (!this.tableName) throw new RangeError('IngestDedupe: tableName is required, got an empty string');
    if (!(inProgressTimeoutSeconds > 0)) {
      throw new RangeError(`IngestDedupe: inProgressTimeoutSeconds must be > 0, got ${inProgressTimeoutSeconds}`);
    }
    // A window shorter than the in-progress timeout would let an unfinished claim expire early.
    if (!(this.windowSeconds >= inProgressTimeoutSeconds)) {
      throw new RangeError(
        `IngestDedupe: windowSeconds must be >= inProgressTimeoutSeconds (${inProgressTimeoutSeconds}), got ${this.windowSeconds}`,
      );
    }
  }

  async claim(source: string, id: string): Promise<ClaimResult> {
    const pk = itemKey('ingest', source, id);
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const now = this.clock();
      const token = randomUUID();
      const item: DedupeItem = {
        pk,
        source,
        id,
        status: DedupeStatus.inProgress,
        token,
        claimedAt: now,
        inProgressUntil: now + this.inProgressTimeoutMs,
        expiresAt: this.windowEnd(now),
      };
      try {
        await this.documents.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression:
              'attribute_not_exists(pk) OR expiresAt <= :nowSeconds OR (#status = :inProgress AND inProgressUntil <= :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':nowSeconds': Math.floor(now / 1000), ':inProgress': DedupeStatus.inProgress, ':now': now },
          }),
        );
        return { status: 'claimed', token };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const existing = await this.read(pk);
      const answer = existing && this.answerFor(existing, this.clock());
      if (answer) return answer;
      // Released, or became claimable, between our put and read: try the put again.
    }
    return { status: 'in_progress', retryAfterSeconds: 1 };
  }

  /** Records where the claimed event landed; throws `ClaimLostError` if the claim was taken over. */
  async complete(source: string, id: string, token: string, position: { sequence: string; shard: string }): Promise<void> {
    const pk = itemKey('ingest', source, id);
    const now = this.clock();
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk },
          UpdateExpression:
            'SET #status = :completed, #sequence = :sequence, #shard = :shard, completedAt = :now, expiresAt = :expiresAt REMOVE inProgressUntil',
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#status': 'status', '#sequence': 'sequence', '#shard': 'shard', '#token': 'token' },
          ExpressionAttributeValues: {
            ':completed': DedupeStatus.completed,
            ':sequence': position.sequence,
            ':shard': position.shard,
            ':now': now,
            // The window runs from acceptance, which is now.
            ':expiresAt': this.windowEnd(now),
            ':token': token,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const existing = await this.read(pk);
      throw new ClaimLostError(source, id, existing && { status: existing.status, sequence: existing.sequence, shard: existing.shard }, {
        cause: error,
      });
    }
  }

  /**
   * Gives up a claim whose event was not published, so a retry may claim at once. Only an in-progress
   * claim with this token is deleted; if it was taken over or completed meanwhile, nothing happens.
   */
  async release(source: string, id: string, token: string): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: itemKey('ingest', source, id) },
          ConditionExpression: '#token = :token AND #status = :inProgress',
          ExpressionAttributeNames: { '#token': 'token', '#status': 'status' },
          ExpressionAttributeValues: { ':token': token, ':inProgress': DedupeStatus.inProgress },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  private windowEnd(now: number): number {
    return Math.floor(now / 1000) + this.windowSeconds;
  }

  private async read(pk: string): Promise<DedupeItem | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk }, ConsistentRead: true }));
    return Item as DedupeItem | undefined;
  }

  /** What a refused claim means, or undefined when the record is claimable after all (retry the put). */
  private answerFor(existing: DedupeItem, now: number): ClaimResult | undefined {
    if (existing.expiresAt <= Math.floor(now / 1000)) return undefined;
    if (existing.status === DedupeStatus.completed) {
      if (!existing.sequence || !existing.shard) {
        throw new CorruptItemError(this.tableName, existing.pk, `completed dedupe record ${existing.pk} has no sequence or shard`);
      }
      return { status: 'completed', sequence: existing.sequence, shard: existing.shard };
    }
    const until = existing.inProgressUntil ?? 0;
    if (until <= now) return undefined;
    return { status: 'in_progress', retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)) };
  }
}
