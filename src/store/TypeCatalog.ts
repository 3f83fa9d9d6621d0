import { createHash } from 'node:crypto';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../crypto';
import { BY_TYPE_BUCKET_INDEX, CATALOG_CACHE_MS, CATALOG_PARTITION, MAX_KEY_BYTES, MAX_SORT_KEY_BYTES } from './constants';
import { isConditionFailure } from './errors';
import { isIndexableType } from './typeBucketKey';

/** Options of {@link TypeCatalog}. */
export interface TypeCatalogOptions {
  documents: DynamoDBDocumentClient;
  /** The event table: catalog items sit beside the events, under their own `pk` prefix. */
  tableName: string;
  /** @default Date.now */
  clock?: Clock;
  /** How long a read of the catalog is reused. @default CATALOG_CACHE_MS (30 s) */
  cacheMs?: number;
}

/** One source and the types it published. */
export interface CatalogedSource {
  source: string;
  types: string[];
}

/** Entries this process knows are written; past this many it forgets them all (the next writes find them there). */
const MAX_KNOWN_ENTRIES = 10_000;
/** Catalog item keys: `cat#` never starts an event key (`[` or `#`) or a data key's (`key#`). */
const CATALOG_KEY_PREFIX = 'cat#';

/**
 * The catalog of event types seen, in the event table: one item per type (index partition `$types`, sort key the
 * type) and one per (source, type) pair (partition `$sources`, sort key the source as a JSON string then the
 * type, so one source's types are one `begins_with` query). Written once per new entry per process with a
 * conditional put, never per event; reads are cached for `cacheMs`.
 */
export class TypeCatalog {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly cacheMs: number;
  /** Catalog keys written (or found there) by this process, or being written. */
  private readonly written = new Map<string, Promise<void>>();
  private readonly reads = new Map<string, { until: number; value: Promise<string[]> }>();

  constructor(options: TypeCatalogOptions) {
    this.documents = options.documents;
    this.tableName = options.tableName;
    this.clock = options.clock ?? Date.now;
    this.cacheMs = options.cacheMs ?? CATALOG_CACHE_MS;
  }

  /**
   * Makes sure the catalog holds each type and (source, type) pair: nothing is sent for what this process
   * wrote before; the rest is one conditional put each (a failed condition means another writer did it).
   */
  async record(events: readonly { source: string; type: string }[]): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const { source, type } of events) {
      if (!isIndexableType(type)) continue;
      writes.push(this.ensure(catalogKey(['type', type]), CATALOG_PARTITION.types, type));
      const sortKey = sourceSortKey(source, type);
      // A pair too long for a sort key is left out: `typesOf` then answers the type for any source.
      if (fitsSortKey(sortKey)) writes.push(this.ensure(catalogKey(['source', source, type]), CATALOG_PARTITION.sources, sortKey));
    }
    await Promise.all(writes);
  }

  /** Every type seen, sorted. */
  async types(): Promise<string[]> {
    return this.cached('types', async () => (await this.readPartition(CATALOG_PARTITION.types)).sort());
  }

  /**
   * The types `source` may have published, sorted: its `$sources` entries, and every type too long to pair with
   * it there (such pairs are left out of `$sources`: see `record`), so a source query over patterns misses none.
   */
  async typesOf(source: string): Promise<string[]> {
    const prefix = JSON.stringify(source);
    const [paired, every] = await Promise.all([
      this.cached(`source ${prefix}`, async () => (await this.readPartition(CATALOG_PARTITION.sources, prefix)).map((key) => key.slice(prefix.length))),
      this.types(),
    ]);
    const unpaired = every.filter((type) => !fitsSortKey(sourceSortKey(source, type)));
    return [...new Set([...paired, ...unpaired])].sort();
  }

  /** Every source with the types it published, sorted by source. */
  async sources(): Promise<CatalogedSource[]> {
    const keys = await this.cached('sources', () => this.readPartition(CATALOG_PARTITION.sources));
    const bySource = new Map<string, string[]>();
    for (const key of keys) {
      const { source, type } = parseSourceSortKey(key);
      bySource.set(source, [...(bySource.get(source) ?? []), type]);
    }
    return [...bySource]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([source, types]) => ({ source, types: types.sort() }));
  }

  private ensure(pk: string, tb: string, timeKey: string): Promise<void> {
    let write = this.written.get(pk);
    if (write === undefined) {
      if (this.written.size >= MAX_KNOWN_ENTRIES) this.written.clear();
      write = this.documents
        .send(new PutCommand({ TableName: this.tableName, Item: { pk, tb, timeKey }, ConditionExpression: 'attribute_not_exists(pk)' }))
        // New to the catalog: what this instance read of it is stale.
        .then(() => this.reads.clear())
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
      this.written.set(pk, write);
      write.catch(() => this.written.delete(pk));
    }
    return write;
  }

  private cached(key: string, read: () => Promise<string[]>): Promise<string[]> {
    const now = this.clock();
    const hit = this.reads.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = read();
    this.reads.set(key, { until: now + this.cacheMs, value });
    value.catch(() => this.reads.delete(key));
    return value;
  }

  /** Sort keys of one catalog partition (optionally those starting with `prefix`), every page. */
  private async readPartition(tb: string, prefix?: string): Promise<string[]> {
    const keys: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_TYPE_BUCKET_INDEX,
          KeyConditionExpression: prefix === undefined ? 'tb = :tb' : 'tb = :tb AND begins_with(timeKey, :prefix)',
          ExpressionAttributeValues: { ':tb': tb, ...(prefix === undefined ? {} : { ':prefix': prefix }) },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) keys.push(String(item.timeKey));
      start = page.LastEvaluatedKey;
    } while (start);
    return keys;
  }
}

/** `cat#` + the JSON array of the entry's parts; hashed when over DynamoDB's key limit. */
function catalogKey(parts: string[]): string {
  const json = JSON.stringify(parts);
  if (Buffer.byteLength(json, 'utf8') + CATALOG_KEY_PREFIX.length <= MAX_KEY_BYTES) return CATALOG_KEY_PREFIX + json;
  return `${CATALOG_KEY_PREFIX}#${createHash('sha256').update(json, 'utf8').digest('base64url')}`;
}

function fitsSortKey(key: string): boolean {
  return Buffer.byteLength(key, 'utf8') <= MAX_SORT_KEY_BYTES;
}

/**
 * The source as a JSON string, then the type: a JSON string ends at its first unescaped quote, so no other
 * source's entries start with this source's prefix, and one source's entries sort together.
 */
export function sourceSortKey(source: string, type: string): string {
  return JSON.stringify(source) + type;
}

export function parseSourceSortKey(key: string): { source: string; type: string } {
  let end = 1;
  while (end < key.length && key[end] !== '"') end += key[end] === '\\' ? 2 : 1;
  return { source: JSON.parse(key.slice(0, end + 1)) as string, type: key.slice(end + 1) };
}
