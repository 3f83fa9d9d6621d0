import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, EventKeys } from '../../crypto';
import type { CloudEventJson } from '../../events/types';
import { DEFAULT_ATTEMPT_RETENTION_DAYS, DeliveryLog } from './DeliveryLog';
import { DynamoLedgerStore } from './DynamoLedgerStore';
import { LaneMachine, type DeadLetterOptions, type DeadLetterRef } from './LaneMachine';
import type { OnUnreadable } from './ledgerEntries';
import { LedgerOperations, type DeadLetterFilter } from './LedgerOperations';
import type { LedgerStore } from './LedgerStore';
import type {
  DeadReason,
  DeliveredAttempt,
  DeliveryAttempt,
  DeliveryHistory,
  DeliveryListOptions,
  DeliveryRef,
  DisabledSubscription,
  FailedAttempt,
  LastAttempt,
  LedgerEntry,
  LedgerPage,
  ListOptions,
} from './types';

export const DEFAULT_DUE_BUCKETS = 8;

export interface DeliveryLedgerOptions {
  /** Document client (emulator-bound locally); with `tableName`, the ledger keeps its items in DynamoDB. */
  documents?: DynamoDBDocumentClient;
  /** The delivery table (DELIVERY_TABLE_SCHEMA). */
  tableName?: string;
  /** Other storage hooks in place of DynamoDB (tests run the ledger over an in-memory store). */
  store?: LedgerStore;
  /** Data key caches for sealing the stored events (see `createEventKeys`). */
  keys: EventKeys;
  /** @default Date.now */
  clock?: Clock;
  /**
   * Buckets of the `due` index. Writers and readers of one table must agree: a head in a bucket the
   * reader does not query is never retried. @default 8
   */
  dueBuckets?: number;
  /** Days the delivery log keeps an attempt (the `expiresAt` TTL attribute). @default 30 */
  attemptRetentionDays?: number;
  /**
   * Days a dead letter is kept: it carries `expiresAt` (epoch seconds, the table's TTL attribute) that long after
   * it died. A redrive starts a new lane item without it. @default - dead letters are kept until redriven or deleted
   */
  deadLetterDays?: number;
  /**
   * An item whose event does not open (altered, or its KMS key unusable) is left in place, skipped by
   * `due` and the listings, and reported here; without a handler the error is thrown instead.
   */
  onUnreadable?: OnUnreadable;
}

/**
 * The delivery ledger (layout in docs/design.md and `types.ts`): one facade over the lane state machine
 * (`LaneMachine`, used by the engine and the redeliverer), the operator surface (`LedgerOperations`) and the
 * delivery log (`DeliveryLog`), all written over the storage hooks of `LedgerStore` (`DynamoLedgerStore` in
 * the bus). Callers hold this one object; each method says which part answers it.
 */
export class DeliveryLedger {
  private readonly lanes: LaneMachine;
  private readonly operations: LedgerOperations;

  constructor(options: DeliveryLedgerOptions) {
    const store = options.store ?? dynamoStore(options);
    const clock = options.clock ?? Date.now;
    const dueBuckets = options.dueBuckets ?? DEFAULT_DUE_BUCKETS;
    if (!Number.isInteger(dueBuckets) || dueBuckets < 1 || dueBuckets > 100) {
      throw new RangeError(`DeliveryLedger: dueBuckets must be an integer from 1 to 100, got ${dueBuckets}`);
    }
    const { deadLetterDays } = options;
    if (deadLetterDays !== undefined && !(Number.isInteger(deadLetterDays) && deadLetterDays >= 1)) {
      throw new RangeError(`DeliveryLedger: deadLetterDays must be a positive integer, got ${deadLetterDays}`);
    }
    const log = new DeliveryLog(store, clock, options.attemptRetentionDays ?? DEFAULT_ATTEMPT_RETENTION_DAYS);
    const common = { store, keys: options.keys, clock, log, onUnreadable: options.onUnreadable };
    this.lanes = new LaneMachine({ ...common, dueBuckets, deadLetterDays });
    this.operations = new LedgerOperations({ ...common, lanes: this.lanes });
  }

  // ── Engine side (LaneMachine) ────────────────────────────────────────────────────────────────────────────

  isLaneOccupied(subscriptionId: string, lane: string): Promise<boolean> {
    return this.lanes.isLaneOccupied(subscriptionId, lane);
  }

  recordFailure(ref: DeliveryRef, event: CloudEventJson, last: FailedAttempt, maxAttempts: number): Promise<'pending' | 'dead'> {
    return this.lanes.recordFailure(ref, event, last, maxAttempts);
  }

  enqueueWaiting(ref: DeliveryRef, event: CloudEventJson): Promise<'waiting' | 'pending'> {
    return this.lanes.enqueueWaiting(ref, event);
  }

  deadLetter(ref: DeadLetterRef, event: CloudEventJson, reason: DeadReason, last?: LastAttempt, options?: DeadLetterOptions): Promise<void> {
    return this.lanes.deadLetter(ref, event, reason, last, options);
  }

  promoteLane(subscriptionId: string, lane: string): Promise<void> {
    return this.lanes.promoteLane(subscriptionId, lane);
  }

  // ── Redeliver side (LaneMachine) ─────────────────────────────────────────────────────────────────────────

  due(now: number, limit: number): Promise<LedgerEntry[]> {
    return this.lanes.due(now, limit);
  }

  claim(entry: LedgerEntry, leaseMs: number): Promise<boolean> {
    return this.lanes.claim(entry, leaseMs);
  }

  markDelivered(entry: DeliveryRef | LedgerEntry, delivered?: DeliveredAttempt): Promise<void> {
    return this.lanes.markDelivered(entry, delivered);
  }

  markFailed(entry: LedgerEntry, last: FailedAttempt, maxAttempts: number): Promise<'pending' | 'dead'> {
    return this.lanes.markFailed(entry, last, maxAttempts);
  }

  // ── Operations (LedgerOperations) ────────────────────────────────────────────────────────────────────────

  listDead(options?: ListOptions): Promise<LedgerPage> {
    return this.operations.listDead(options);
  }

  listPending(options?: ListOptions): Promise<LedgerPage> {
    return this.operations.listPending(options);
  }

  listDeliveries(subscriptionId: string, options?: DeliveryListOptions): Promise<{ entries: LedgerEntry[]; more: boolean }> {
    return this.operations.listDeliveries(subscriptionId, options);
  }

  deadLetters(subscriptionId: string, filter?: DeadLetterFilter): AsyncGenerator<LedgerEntry[]> {
    return this.operations.deadLetters(subscriptionId, filter);
  }

  redrive(ref: DeliveryRef): Promise<DeliveryRef | undefined> {
    return this.operations.redrive(ref);
  }

  redriveAll(subscriptionId: string, options?: DeadLetterFilter): Promise<number> {
    return this.operations.redriveAll(subscriptionId, options);
  }

  disableSubscription(subscriptionId: string, reason: string): Promise<void> {
    return this.operations.disableSubscription(subscriptionId, reason);
  }

  enableSubscription(subscriptionId: string, options?: { redrive?: boolean }): Promise<{ redriven: number }> {
    return this.operations.enableSubscription(subscriptionId, options);
  }

  disabledSubscriptions(): Promise<DisabledSubscription[]> {
    return this.operations.disabledSubscriptions();
  }

  attempts(subscriptionId: string, source: string, id: string): Promise<DeliveryAttempt[]> {
    return this.operations.attempts(subscriptionId, source, id);
  }

  show(subscriptionId: string, source: string, id: string): Promise<DeliveryHistory | undefined> {
    return this.operations.show(subscriptionId, source, id);
  }

  recentAttempts(subscriptionId: string, since: number, limit?: number): Promise<{ attempts: (DeliveryAttempt & { source: string; id: string })[]; more: boolean }> {
    return this.operations.recentAttempts(subscriptionId, since, limit);
  }
}

function dynamoStore(options: DeliveryLedgerOptions): LedgerStore {
  if (!options.documents || options.tableName === undefined) {
    throw new RangeError('DeliveryLedger: pass `documents` and `tableName` (DynamoDB), or `store`');
  }
  return new DynamoLedgerStore({ documents: options.documents, tableName: options.tableName });
}
