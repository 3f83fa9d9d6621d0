import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EVENT_DATA_ALG, eventAad, openEventData, sealEventData, type Clock, type EventKeys, type SealedEventData } from '../crypto';
import type { CloudEventJson } from '../events/types';
import { BY_TYPE_BUCKET_INDEX, EVENT_TTL_ATTRIBUTE } from './constants';
import { CorruptItemError, explainMissingIndex, isConditionFailure, StoreError } from './errors';
import { batchGetItems, batchPutItems, type BatchRetryOptions } from './batchItems';
import { itemKey } from './itemKey';
import { queryEvents } from './queryEvents';
import { TypeCatalog, type CatalogedSource } from './TypeCatalog';
import { typeBucketKey, typeOfBucketKey } from './typeBucketKey';
import type { EventQuery, EventQueryPage, StoredEvent, StreamPosition } from './types';

/** One event of a stream batch, as the router hands it to the store. */
export interface StoreEntry {
  event: CloudEventJson;
  position: StreamPosition;
}

/**
 * What `storeBatch` did with one entry:
 * - `stored`: new, written now;
 * - `again`: the store already holds this very record (same sequence): a retried batch, still to be delivered;
 * - `duplicate`: the store holds another copy of this source + id (another sequence), or an earlier entry of
 *   the same batch is one: dropped, never delivered.
 */
export type StoreOutcome = 'stored' | 'again' | 'duplicate';

/** Where a stored source + id sits in the stream (ingest's duplicate answer). */
export interface KnownPosition {
  sequence: string;
  shard: string;
}

/** The event store: dedupe by its own items, read back decrypted by id or by type pattern, source and arrival time. */
export interface EventStore {
  /**
   * Stores a stream batch: one consistent BatchGetItem per 100 keys finds what is stored already, one
   * BatchWriteItem per 25 new events writes the rest (unprocessed items retried with backoff), and the type
   * catalog learns of types and source + type pairs new to this process (a conditional put each, never per
   * event). Resolves once every new event and catalog entry is written; throws (nothing to deliver) otherwise.
   */
  storeBatch(entries: readonly StoreEntry[]): Promise<StoreOutcome[]>;
  /** Where each source + id is stored, if it is: one BatchGetItem per 100 keys, only the position read. */
  positions(keys: readonly { source: string; id: string }[], options?: { consistent?: boolean }): Promise<(KnownPosition | undefined)[]>;
  /** Stores one event unless its source + id is stored already (one conditional put); never overwrites. */
  archive(event: CloudEventJson, position: StreamPosition): Promise<'stored' | 'duplicate'>;
  get(source: string, id: string): Promise<StoredEvent | undefined>;
  /**
   * One page of stored events by type patterns, source and arrival window (the `byTypeBucket` index, never a
   * scan), oldest first unless `descending`, paged both ways by opaque cursor. Bad input: InvalidQueryError
   * naming the field. Types first seen less than 30 s ago may be missing from wildcard patterns (catalog cache).
   */
  queryEvents(query: EventQuery): Promise<EventQueryPage>;
  /** Every event type seen, sorted (the catalog; cached 30 s). */
  listTypes(): Promise<string[]>;
  /** Every source seen with the types it published, sorted (the catalog; cached 30 s). */
  listSources(): Promise<CatalogedSource[]>;
}

export interface DynamoDbEventStoreOptions {
  /** Document client (emulator-bound locally). */
  documents: DynamoDBDocumentClient;
  /** The event table (EVENT_TABLE_SCHEMA). */
  tableName: string;
  /** Data key caches for sealing and opening `data` (see `createEventKeys`). */
  keys: EventKeys;
  /** @default Date.now */
  clock?: Clock;
  /** How long reads of the type catalog are reused. @default CATALOG_CACHE_MS (30 s) */
  catalogCacheMs?: number;
  /** First pause before retrying unprocessed batch items, doubled each round. @default 50 */
  retryBaseMs?: number;
  /** Rounds of a batch request before giving up with a StoreError. @default 8 */
  maxBatchRounds?: number;
  /**
   * Days each stored event is kept: its item carries `ttl` (EVENT_TTL_ATTRIBUTE), storage time plus this many
   * days in epoch seconds, for DynamoDB TTL to delete it (within a few days of that; dynalite ignores it).
   * @default - no `ttl`: kept until deleted
   */
  retentionDays?: number;
}

/**
 * One event as stored (lean: every byte counts toward the write units). The source and id are the `pk` JSON
 * array itself; only a hashed (over-long) key keeps them as `source` and `id`. The type is the head of `tb`;
 * only a type too long to index keeps `type` (and has no `tb`). The sequence is the tail of `timeKey`. `data`
 * is deflated when that makes it smaller, then sealed; the data key's wrapped form is kept once per data key
 * in its own item (`key#<ref>`), not in every event.
 */
export interface EventItem {
  pk: string;
  /** `<type>#<bucket>`: the `byTypeBucket` partition key (see `typeBucketKey`). */
  tb?: string;
  type?: string;
  /**
   * Arrival in Kinesis (else storage time) as UTC ISO with ms, `#`, sequence: the `byTypeBucket` sort key.
   * Arrival, not the producer's `time`: within a shard arrival order is stream order, so ascending queries give
   * stream order per partition key (replay needs it); and `time` may be absent or anything. Within one
   * millisecond the sequences order a shard's events as text, which holds for Kinesis's (one length per stream).
   */
  timeKey: string;
  shard: string;
  /** Stored at, epoch ms. */
  at: number;
  /** Expires at, epoch seconds (DynamoDB TTL), when the store has a `retentionDays`. */
  ttl?: number;
  /** Arrived in Kinesis at, epoch ms. */
  arr?: number;
  source?: string;
  id?: string;
  /** Every other attribute but `data`/`data_base64`; nested so extensions never meet our names. */
  attrs?: Record<string, unknown>;
  d?: SealedData;
}

/** Sealed `data`: `b` says it was `data_base64`; `z` that the plaintext was deflated (raw) before sealing. */
interface SealedData {
  c: Uint8Array;
  iv: Uint8Array;
  t: Uint8Array;
  /** Reference of the data key: its item is `key#<k>`. */
  k: string;
  b?: 1;
  z?: 1;
}

/** Items written before the lean layout (still read). */
interface LegacyEventItem {
  pk: string;
  source: string;
  id: string;
  type: string;
  timeKey: string;
  sequence: string;
  shard: string;
  storedAt: string;
  arrivedAt?: string;
  attributes: Record<string, unknown>;
  sealed?: SealedEventData<Uint8Array> & { field: 'data' | 'data_base64' };
}

/** A data key's item: its KMS-wrapped form, written once before the first event sealed with it. */
interface DataKeyItem {
  pk: string;
  wrappedKey: Uint8Array;
  keyId: string;
}

/** What dedupe reads of an item (both layouts). */
const POSITION_PROJECTION = {
  ProjectionExpression: '#pk, #tk, #sh, #sq',
  ExpressionAttributeNames: { '#pk': 'pk', '#tk': 'timeKey', '#sh': 'shard', '#sq': 'sequence' },
};

/** Wrapped data keys kept in memory by reference (one per data key: a long history). */
const MAX_KNOWN_KEYS = 1000;
const KEY_ITEM_PREFIX = 'key#';
const DEFLATED_AAD_SUFFIX = Buffer.from('#deflate-raw', 'utf8');

/**
 * `EventStore` on DynamoDB. The item for (source, id) is the dedupe record: `storeBatch` reads the batch's
 * keys consistently, drops copies of what is stored under another sequence, and writes the rest with
 * unconditional batch puts (a router is alone on its shard, so only a copy re-sent under another partition key
 * can race it: see `storeBatch`). `data` is sealed with AES-256-GCM under a cached KMS data key, source and id
 * bound as AAD. Queries by type pattern, source and arrival time are `queryEvents` (see queryEvents.ts) over
 * the `byTypeBucket` index, their patterns expanded through the type catalog (TypeCatalog.ts).
 */
export class DynamoDbEventStore implements EventStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly keys: EventKeys;
  private readonly clock: Clock;
  private readonly retryBaseMs: number;
  private readonly maxBatchRounds: number;
  private readonly retentionSeconds: number | undefined;
  /** Data key reference → its item written (or being written) by this process. */
  private readonly keyWrites = new Map<string, Promise<void>>();
  /** Data key reference → wrapped key, as read or written. */
  private readonly knownKeys = new Map<string, { wrappedKey: Uint8Array; keyId: string }>();
  /** Wrapped key buffer → reference, so the hash is taken once per data key. */
  private readonly refOf = new WeakMap<Uint8Array, string>();
  private readonly catalog: TypeCatalog;

  constructor(options: DynamoDbEventStoreOptions) {
    this.documents = options.documents;
    this.tableName = options.tableName;
    this.keys = options.keys;
    this.clock = options.clock ?? Date.now;
    this.retryBaseMs = options.retryBaseMs ?? 50;
    this.maxBatchRounds = options.maxBatchRounds ?? 8;
    const days = options.retentionDays;
    if (days !== undefined && !(Number.isInteger(days) && days >= 1)) {
      throw new RangeError(`DynamoDbEventStore: retentionDays must be a positive integer, got ${String(days)}`);
    }
    this.retentionSeconds = days === undefined ? undefined : days * 86_400;
    if (!this.tableName) throw new RangeError('DynamoDbEventStore: tableName is required, got an empty string');
    this.catalog = new TypeCatalog({ documents: this.documents, tableName: this.tableName, clock: this.clock, cacheMs: options.catalogCacheMs });
  }

  /**
   * Per key: a stored item under the entry's own position (sequence and shard) is `again` (this batch was tried
   * before); under another, `duplicate`. Absent: the first entry of the key is written (`stored`), later entries of it
   * are `duplicate`. Two routers racing on one source + id (a copy re-sent under another partition key, so on
   * another shard, within the same moment) may both find it absent: both write (the last write stays) and both
   * deliver. Within one partition key this cannot happen: one router handles a shard's batches one at a time.
   */
  async storeBatch(entries: readonly StoreEntry[]): Promise<StoreOutcome[]> {
    for (const { position } of entries) checkPosition(position);
    const keyOf = entries.map(({ event }) => itemKey(event.source, event.id));
    const unique = [...new Set(keyOf)];
    const stored = await this.readPositions(unique, true);
    const outcomes: StoreOutcome[] = [];
    const firstSeen = new Set<string>();
    const toWrite: number[] = [];
    entries.forEach(({ position }, index) => {
      const key = keyOf[index];
      const existing = stored.get(key);
      if (existing) {
        outcomes.push(existing.sequence === position.sequence && existing.shard === position.shard ? 'again' : 'duplicate');
      } else if (firstSeen.has(key)) {
        outcomes.push('duplicate');
      } else {
        firstSeen.add(key);
        outcomes.push('stored');
        toWrite.push(index);
      }
    });
    // The catalog learns of every type of the batch (nothing is sent for what this process wrote already); a
    // failure fails the batch, which is retried, so no stored event's type stays out of the catalog.
    const items = await Promise.all(toWrite.map((index) => this.buildItem(entries[index].event, entries[index].position)));
    const cataloged = this.catalog.record(entries.filter((_, index) => outcomes[index] !== 'duplicate').map(({ event }) => event));
    await Promise.allSettled([cataloged, items.length > 0 ? this.writeItems(items) : undefined]).then(throwFirstFailure);
    return outcomes;
  }

  async positions(keys: readonly { source: string; id: string }[], options: { consistent?: boolean } = {}): Promise<(KnownPosition | undefined)[]> {
    const pks = keys.map(({ source, id }) => itemKey(source, id));
    const found = await this.readPositions([...new Set(pks)], options.consistent ?? false);
    return pks.map((pk) => found.get(pk));
  }

  async archive(event: CloudEventJson, position: StreamPosition): Promise<'stored' | 'duplicate'> {
    checkPosition(position);
    const item = await this.buildItem(event, position);
    // Cataloged first: a retry after a failure here finds the event stored ('duplicate') and would not catalog it.
    await this.catalog.record([event]);
    try {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return 'stored';
    } catch (error) {
      if (isConditionFailure(error)) return 'duplicate';
      throw error;
    }
  }

  async get(source: string, id: string): Promise<StoredEvent | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: itemKey(source, id) }, ConsistentRead: true }),
    );
    return Item ? this.toStoredEvent(Item) : undefined;
  }

  queryEvents(query: EventQuery): Promise<EventQueryPage> {
    return this.explained(queryEvents(query, { documents: this.documents, tableName: this.tableName, catalog: this.catalog, load: (pks) => this.loadEvents(pks) }));
  }

  listTypes(): Promise<string[]> {
    return this.explained(this.catalog.types());
  }

  listSources(): Promise<CatalogedSource[]> {
    return this.explained(this.catalog.sources());
  }

  private explained<T>(read: Promise<T>): Promise<T> {
    return read.catch((error: unknown) => {
      throw explainMissingIndex(this.tableName, BY_TYPE_BUCKET_INDEX, error);
    });
  }

  /** The item `storeBatch` and `archive` write for an event (exported for the write-unit bench). */
  async buildItem(event: CloudEventJson, position: StreamPosition): Promise<EventItem> {
    const { id, source, type, data, data_base64, ...rest } = event;
    const now = this.clock();
    const arrivedMs = position.arrivedAt === undefined ? undefined : Date.parse(position.arrivedAt);
    const arrival = isoOrUndefined(position.arrivedAt) ?? new Date(now).toISOString();
    const pk = itemKey(source, id);
    const tb = typeBucketKey(type, pk);
    const attrs = withoutUndefined(rest);
    const item: EventItem = {
      pk,
      ...(tb !== undefined ? { tb } : { type }),
      timeKey: `${arrival}#${position.sequence}`,
      shard: position.shard,
      at: now,
      ...(this.retentionSeconds !== undefined ? { [EVENT_TTL_ATTRIBUTE]: Math.floor(now / 1000) + this.retentionSeconds } : {}),
      ...(arrivedMs !== undefined && !Number.isNaN(arrivedMs) ? { arr: arrivedMs } : {}),
      // A hashed key does not say its source and id: the item does.
      ...(pk.startsWith('[') ? {} : { source, id }),
      ...(Object.keys(attrs).length > 0 ? { attrs } : {}),
    };
    const base64 = data_base64 !== undefined;
    if (base64 || data !== undefined) {
      // JSON-encoded so a string, an object or null comes back as it went in; data_base64 is kept verbatim.
      const plaintext = Buffer.from(base64 ? String(data_base64) : JSON.stringify(data), 'utf8');
      const deflated = plaintext.length > 64 ? deflateRawSync(plaintext) : undefined;
      const compress = deflated !== undefined && deflated.length < plaintext.length;
      const sealed = await sealEventData(compress ? deflated : plaintext, aadOf(source, id, compress), this.keys);
      const k = await this.keyReference(sealed.wrappedKey, sealed.keyId);
      item.d = { c: sealed.ciphertext, iv: sealed.iv, t: sealed.tag, k, ...(base64 ? { b: 1 as const } : {}), ...(compress ? { z: 1 as const } : {}) };
    }
    return item;
  }

  /** Reads positions of distinct keys, 100 per request; unprocessed keys are asked again. */
  private async readPositions(pks: readonly string[], consistent: boolean): Promise<Map<string, KnownPosition>> {
    const found = new Map<string, KnownPosition>();
    const items = await this.batchGet(pks, consistent, POSITION_PROJECTION);
    for (const [pk, item] of items) {
      const sequence = sequenceOf(item);
      if (sequence !== undefined) found.set(pk, { sequence, shard: String(item.shard) });
    }
    return found;
  }

  /**
   * The events of distinct keys (a query page), decrypted; eventually consistent like the index they came from.
   * One page usually shares one data key, and the unwrapped-key cache joins concurrent Decrypts.
   */
  private async loadEvents(pks: readonly string[]): Promise<Map<string, StoredEvent>> {
    const items = await this.batchGet([...new Set(pks)], false);
    const events = await Promise.all([...items].map(async ([pk, item]) => [pk, await this.toStoredEvent(item)] as const));
    return new Map(events);
  }

  private async batchGet(
    pks: readonly string[],
    consistent: boolean,
    projection?: { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> },
  ): Promise<Map<string, Record<string, unknown>>> {
    const items = await batchGetItems(
      this.documents,
      this.tableName,
      pks.map((pk) => ({ pk })),
      { consistent, projection, ...this.batchRetry('BatchGetItem left', 'keys') },
    );
    return new Map(items.map((item) => [String(item.pk), item]));
  }

  /** Writes items 25 per request, the requests concurrently; unprocessed items are written again with backoff. */
  private async writeItems(items: readonly EventItem[]): Promise<void> {
    await batchPutItems(this.documents, this.tableName, items as unknown as Record<string, unknown>[], this.batchRetry('BatchWriteItem left', 'items'));
  }

  private batchRetry(what: string, unit: string): BatchRetryOptions {
    return {
      maxRounds: this.maxBatchRounds,
      retryBaseMs: this.retryBaseMs,
      exhausted: (left, rounds) => new StoreError(`${what} ${left} ${unit} unprocessed after ${rounds} rounds`),
    };
  }

  /**
   * The reference of a data key, its item written first (once per data key and process): an event item is
   * never written before the key that opens it. Writing the same key item twice is harmless (same content).
   */
  private async keyReference(wrappedKey: Uint8Array, keyId: string): Promise<string> {
    let ref = this.refOf.get(wrappedKey);
    if (ref === undefined) {
      ref = createHash('sha256').update(wrappedKey).digest('base64url').slice(0, 22);
      this.refOf.set(wrappedKey, ref);
    }
    let write = this.keyWrites.get(ref);
    if (write === undefined) {
      const item: DataKeyItem = { pk: KEY_ITEM_PREFIX + ref, wrappedKey, keyId };
      write = this.documents.send(new PutCommand({ TableName: this.tableName, Item: item })).then(() => undefined);
      this.keyWrites.set(ref, write);
      write.catch(() => this.keyWrites.delete(ref!));
      this.remember(ref, { wrappedKey, keyId });
    }
    await write;
    return ref;
  }

  private remember(ref: string, key: { wrappedKey: Uint8Array; keyId: string }): void {
    if (this.knownKeys.size >= MAX_KNOWN_KEYS) this.knownKeys.delete(this.knownKeys.keys().next().value!);
    this.knownKeys.set(ref, key);
  }

  private async wrappedKeyOf(ref: string, pk: string): Promise<{ wrappedKey: Uint8Array; keyId: string }> {
    const known = this.knownKeys.get(ref);
    if (known) return known;
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { pk: KEY_ITEM_PREFIX + ref }, ConsistentRead: true }));
    const item = Item as Partial<DataKeyItem> | undefined;
    if (!item?.wrappedKey || typeof item.keyId !== 'string') {
      throw new CorruptItemError(this.tableName, pk, `event item ${pk} names data key ${ref}, whose item is missing or damaged`);
    }
    const key = { wrappedKey: item.wrappedKey, keyId: item.keyId };
    this.remember(ref, key);
    return key;
  }

  private async toStoredEvent(raw: Record<string, unknown>): Promise<StoredEvent> {
    if ('sequence' in raw) return this.toStoredLegacyEvent(raw as unknown as Partial<LegacyEventItem>);
    const item = raw as Partial<EventItem>;
    const pk = String(item.pk);
    const names = item.source !== undefined && item.id !== undefined ? [item.source, item.id] : parseKey(pk);
    const sequence = item.timeKey === undefined ? undefined : sequenceOf(item as Record<string, unknown>);
    const type = item.type ?? (item.tb === undefined ? undefined : typeOfBucketKey(item.tb));
    if (!names || !type || !sequence || !item.shard || typeof item.at !== 'number') {
      throw new CorruptItemError(this.tableName, pk, `event item ${pk} lacks source, id, type, position or storage time`);
    }
    const [source, id] = names;
    const event = { ...(item.attrs ?? {}), id, source, type } as CloudEventJson;
    if (item.d) {
      const sealed = item.d;
      const wrapped = await this.wrappedKeyOf(sealed.k, pk);
      const opened = await openEventData(
        { ciphertext: sealed.c, iv: sealed.iv, tag: sealed.t, wrappedKey: wrapped.wrappedKey, keyId: wrapped.keyId, alg: EVENT_DATA_ALG },
        aadOf(source, id, sealed.z === 1),
        this.keys,
      );
      const text = (sealed.z === 1 ? inflateRawSync(opened) : opened).toString('utf8');
      if (sealed.b === 1) event.data_base64 = text;
      else event.data = JSON.parse(text);
    }
    return {
      event,
      sequence,
      shard: item.shard,
      storedAt: new Date(item.at).toISOString(),
      ...(typeof item.arr === 'number' ? { arrivedAt: new Date(item.arr).toISOString() } : {}),
    };
  }

  private async toStoredLegacyEvent(item: Partial<LegacyEventItem>): Promise<StoredEvent> {
    if (!item.source || !item.id || !item.type || !item.sequence || !item.shard || !item.storedAt || !item.attributes) {
      throw new CorruptItemError(this.tableName, String(item.pk), `event item ${String(item.pk)} lacks source, id, type, position or attributes`);
    }
    const event = { ...item.attributes, id: item.id, source: item.source, type: item.type } as CloudEventJson;
    if (item.sealed) {
      const plaintext = (await openEventData(item.sealed, eventAad(item.source, item.id), this.keys)).toString('utf8');
      if (item.sealed.field === 'data_base64') event.data_base64 = plaintext;
      else event.data = JSON.parse(plaintext);
    }
    return {
      event,
      sequence: item.sequence,
      shard: item.shard,
      storedAt: item.storedAt,
      ...(item.arrivedAt ? { arrivedAt: item.arrivedAt } : {}),
    };
  }
}

function checkPosition(position: StreamPosition): void {
  if (!position.sequence || !position.shard) {
    throw new StoreError(`storing needs the stream position, got sequence ${JSON.stringify(position.sequence)} shard ${JSON.stringify(position.shard)}`);
  }
}

/** Deflated data is bound as such: the flag cannot be flipped without failing authentication. */
function aadOf(source: string, id: string, deflated: boolean): Buffer {
  const aad = eventAad(source, id);
  return deflated ? Buffer.concat([aad, DEFLATED_AAD_SUFFIX]) : aad;
}

/** The sequence of a stored item: the legacy attribute, else the tail of `timeKey`. */
function sequenceOf(item: Record<string, unknown>): string | undefined {
  if (typeof item.sequence === 'string') return item.sequence;
  const timeKey = item.timeKey;
  if (typeof timeKey !== 'string') return undefined;
  const at = timeKey.lastIndexOf('#');
  return at < 0 ? undefined : timeKey.slice(at + 1);
}

/** [source, id] of a readable key (`itemKey`'s JSON array), undefined for a hashed one. */
function parseKey(pk: string): [string, string] | undefined {
  if (!pk.startsWith('[')) return undefined;
  try {
    const parts = JSON.parse(pk) as unknown;
    return Array.isArray(parts) && parts.length === 2 && parts.every((part) => typeof part === 'string') ? [parts[0], parts[1]] : undefined;
  } catch {
    return undefined;
  }
}

/** UTC ISO of a timestamp, or undefined when absent or unparseable (an event's `time` is the producer's). */
function isoOrUndefined(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function throwFirstFailure(results: readonly PromiseSettledResult<unknown>[]): void {
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}
