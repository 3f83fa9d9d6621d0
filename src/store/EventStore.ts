import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { eventAad, openEventData, sealEventData, type Clock, type EventKeys, type SealedEventData } from '../crypto';
import type { CloudEventJson } from '../events/types';
import { BY_TYPE_INDEX, DEFAULT_QUERY_LIMIT, MAX_QUERY_LIMIT } from './constants';
import { CorruptItemError, InvalidQueryError, isConditionFailure, StoreError } from './errors';
import { itemKey } from './itemKey';
import type { EventPage, QueryByTypeOptions, StoredEvent, StreamPosition } from './types';

/** The event store: archive once per source + id, read back decrypted by id or by type and time. */
export interface EventStore {
  /** Stores the event unless its source + id is stored already; never overwrites. */
  archive(event: CloudEventJson, position: StreamPosition): Promise<'stored' | 'duplicate'>;
  get(source: string, id: string): Promise<StoredEvent | undefined>;
  queryByType(type: string, options?: QueryByTypeOptions): Promise<EventPage>;
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
}

/** The sealed `data` or `data_base64` of an item, with which of the two it was. */
interface SealedItemData extends SealedEventData<Uint8Array> {
  field: 'data' | 'data_base64';
}

/** One event as stored. The attributes stay in clear for queries (the table itself is SSE-KMS). */
interface EventItem {
  pk: string;
  source: string;
  id: string;
  type: string;
  /** Event time (else arrival time) as UTC ISO, `#`, sequence: the `byType` sort key. */
  timeKey: string;
  sequence: string;
  shard: string;
  storedAt: string;
  arrivedAt?: string;
  /** Every other attribute but `data`/`data_base64`; nested so extensions never meet our names. */
  attributes: Record<string, unknown>;
  sealed?: SealedItemData;
}

/** The key attributes of the `byType` index, i.e. a cursor's content. */
interface PageKey {
  pk: string;
  type: string;
  timeKey: string;
}

/**
 * `EventStore` on DynamoDB. Each archive is one conditional put (`attribute_not_exists(pk)`), so a
 * redelivered Kinesis record is a no-op and the first copy is never touched. `data` is sealed with
 * AES-256-GCM under a cached KMS data key, source and id bound as AAD.
 */
export class DynamoDbEventStore implements EventStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly keys: EventKeys;
  private readonly clock: Clock;

  constructor(options: DynamoDbEventStoreOptions) {
    this.documents = options.documents;
    this.tableName = options.tableName;
    this.keys = options.keys;
    this.clock = options.clock ?? Date.now;
    if (!this.tableName) throw new RangeError('DynamoDbEventStore: tableName is required, got an empty string');
  }

  async archive(event: CloudEventJson, position: StreamPosition): Promise<'stored' | 'duplicate'> {
    if (!position.sequence || !position.shard) {
      throw new StoreError(`archive needs the stream position, got sequence ${JSON.stringify(position.sequence)} shard ${JSON.stringify(position.shard)}`);
    }
    const { id, source, type, data, data_base64, ...rest } = event;
    const storedAt = new Date(this.clock()).toISOString();
    const time = isoOrUndefined(event.time) ?? isoOrUndefined(position.arrivedAt) ?? storedAt;
    const item: EventItem = {
      pk: itemKey(source, id),
      source,
      id,
      type,
      timeKey: `${time}#${position.sequence}`,
      sequence: position.sequence,
      shard: position.shard,
      storedAt,
      ...(position.arrivedAt ? { arrivedAt: position.arrivedAt } : {}),
      attributes: withoutUndefined(rest),
    };
    const field = data_base64 !== undefined ? 'data_base64' : data !== undefined ? 'data' : undefined;
    if (field) {
      // JSON-encoded so a string, an object or null comes back as it went in; data_base64 is kept verbatim.
      const plaintext = Buffer.from(field === 'data' ? JSON.stringify(data) : String(data_base64), 'utf8');
      item.sealed = { field, ...(await sealEventData(plaintext, eventAad(source, id), this.keys)) };
    }
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
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

  async queryByType(type: string, options: QueryByTypeOptions = {}): Promise<EventPage> {
    const limit = options.limit ?? DEFAULT_QUERY_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
      throw new InvalidQueryError('limit', `limit must be an integer from 1 to ${MAX_QUERY_LIMIT}, got ${limit}`);
    }
    const from = options.from === undefined ? undefined : isoOrThrow('from', options.from);
    const to = options.to === undefined ? undefined : isoOrThrow('to', options.to);
    // Every timeKey is `<iso>#<sequence>`, longer than `<iso>`: so `>= from` includes events at `from`,
    // and `<= to` (BETWEEN is inclusive) still excludes events at `to`.
    const range =
      from && to ? ' AND timeKey BETWEEN :from AND :to' : from ? ' AND timeKey >= :from' : to ? ' AND timeKey < :to' : '';
    if (from && to && from > to) {
      throw new InvalidQueryError('to', `to (${to}) is before from (${from})`);
    }
    const { Items = [], LastEvaluatedKey } = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: BY_TYPE_INDEX,
        KeyConditionExpression: `#type = :type${range}`,
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':type': type, ...(from ? { ':from': from } : {}), ...(to ? { ':to': to } : {}) },
        Limit: limit,
        ScanIndexForward: !options.descending,
        ...(options.cursor ? { ExclusiveStartKey: decodeCursor(options.cursor, type) } : {}),
      }),
    );
    // One page usually shares one data key, and the unwrapped-key cache joins concurrent Decrypts.
    const events = await Promise.all(Items.map((item) => this.toStoredEvent(item)));
    return { events, ...(LastEvaluatedKey ? { cursor: encodeCursor(LastEvaluatedKey as PageKey) } : {}) };
  }

  private async toStoredEvent(raw: Record<string, unknown>): Promise<StoredEvent> {
    const item = raw as Partial<EventItem>;
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

/** UTC ISO of a timestamp, or undefined when absent or unparseable (an event's `time` is the producer's). */
function isoOrUndefined(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function isoOrThrow(field: string, value: string | Date): string {
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) throw new InvalidQueryError(field, `${field} must be an ISO 8601 time, got ${JSON.stringify(value)}`);
  return new Date(ms).toISOString();
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

/** Opaque to callers; bound to the type so a cursor cannot wander into another type's events. */
function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.type, key.timeKey, key.pk]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, type: string): PageKey {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidQueryError('cursor', 'cursor is not one this store issued', { cause: error });
  }
  if (!Array.isArray(parts) || parts.length !== 3 || parts.some((part) => typeof part !== 'string')) {
    throw new InvalidQueryError('cursor', 'cursor is not one this store issued');
  }
  if (parts[0] !== type) {
    throw new InvalidQueryError('cursor', `cursor belongs to a query of type ${JSON.stringify(parts[0])}, not ${JSON.stringify(type)}`);
  }
  return { type: parts[0], timeKey: parts[1], pk: parts[2] };
}
