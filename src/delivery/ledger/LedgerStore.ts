import type { SealedEventData } from '../../crypto';
import type { DeadReason, DeliveryAttempt, LastAttempt, LedgerState } from './types';

/** The primary key of every item of the delivery table. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** One lane item or dead letter as stored. The event is sealed whole; source, id and type stay in clear for operators. */
export interface LedgerItem extends ItemKey {
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
  /** Dead letters only, when the ledger has `deadLetterDays`: epoch seconds after which DynamoDB's TTL may delete it. */
  expiresAt?: number;
}

/** A disabled subscription (pk `SUBSCRIPTIONS`, sk its id). */
export interface DisabledItem extends ItemKey {
  subscriptionId: string;
  disabledAt: number;
  reason: string;
}

/**
 * One attempt in the delivery log (pk `ATTEMPTS#<subscription>#<webhook id>`, sk time + attempt number + tag), and
 * its copy under pk `RECENT#<subscription>#<yyyy-mm-ddThh>` (same sk) that `DeliveryLog.recentAttempts` queries.
 */
export interface AttemptItem extends ItemKey, DeliveryAttempt {
  subscriptionId: string;
  source: string;
  id: string;
  /** Epoch seconds after which DynamoDB's TTL may delete the item (dynalite ignores it). */
  expiresAt: number;
}

/** Any item of the delivery table. */
export type StoredItem = LedgerItem | DisabledItem | AttemptItem;

/** What a conditional update requires of the stored item; every field given must hold. */
export interface UpdateCondition {
  state: LedgerState;
  /** `dueAt` equals this. */
  dueAt?: string;
  /** `dueAt` is at most this. */
  dueAtOrBefore?: string;
  /** `attempts` equals this. */
  attempts?: number;
}

/**
 * Where a listing reads: one partition (a Query), from sort key `skFrom` on when given, or every partition with a
 * key prefix (a Scan).
 */
export type ListScope = { pk: string; skFrom?: string } | { pkPrefix: string };

/** One page of a listing read; `lastKey` is set when more may follow. */
export interface StoredPage {
  items: Record<string, unknown>[];
  lastKey?: ItemKey;
}

/**
 * The storage hooks the delivery ledger is written over (as Powertools idempotency's `BasePersistenceLayer` is
 * over its `_getRecord`/`_putRecord`/…): single-item reads and conditional writes plus the few queries the lanes
 * need. Every read is consistent except `queryDue` (a secondary index). A failed condition answers `false`,
 * never throws. `DynamoLedgerStore` is the implementation; tests run the ledger over an in-memory one.
 */
export interface LedgerStore {
  /** One item, or undefined. */
  get<T extends StoredItem>(key: ItemKey): Promise<T | undefined>;
  /** Writes the item unless one with its key exists; answers whether it wrote. */
  putIfAbsent(item: StoredItem): Promise<boolean>;
  /** Writes the item, replacing any with its key. */
  put(item: StoredItem): Promise<void>;
  /**
   * Sets `set`'s fields and removes `remove`'s on a ledger item if it exists and meets `condition`;
   * answers whether it did.
   */
  updateIf(key: ItemKey, set: Partial<LedgerItem>, remove: readonly (keyof LedgerItem)[], condition: UpdateCondition): Promise<boolean>;
  /** Deletes the item; a missing one is no error. */
  delete(key: ItemKey): Promise<void>;
  /** The first item of a partition in sort-key order (a lane's head), its key and state only. */
  firstOf(pk: string): Promise<Pick<LedgerItem, 'sk' | 'state'> | undefined>;
  /** Up to `limit` lane heads of one `due` bucket with `dueAt` at most `dueAtOrBefore`, earliest first. */
  queryDue(bucket: string, dueAtOrBefore: string, limit: number): Promise<LedgerItem[]>;
  /** Every item of one partition in sort-key order, a page at a time (read when the caller asks for it). */
  partitionPages(pk: string): AsyncGenerator<Record<string, unknown>[]>;
  /** Reads up to `limit` items of a scope after `startKey`. */
  listPage(scope: ListScope, limit: number, startKey?: ItemKey): Promise<StoredPage>;
  /** For messages: where the items live. */
  readonly name: string;
}
