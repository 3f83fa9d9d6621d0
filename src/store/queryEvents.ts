import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { matchesSubject } from '../routing/matchesSubject';
import { MAX_QUERY_TYPES } from './constants';
import { encodeEventCursor, type IndexPosition } from './eventCursor';
import { InvalidQueryError } from './errors';
import { IndexPartitionMerge } from './IndexPartitionMerge';
import { planEventQuery, type EventQueryPlan } from './planEventQuery';
import type { TypeCatalog } from './TypeCatalog';
import { isIndexableType, typeBucketKeysOf } from './typeBucketKey';
import type { EventQuery, EventQueryPage, StoredEvent } from './types';

/** What {@link queryEvents} reads through. */
export interface QueryEventsDependencies {
  documents: DynamoDBDocumentClient;
  tableName: string;
  catalog: Pick<TypeCatalog, 'types' | 'typesOf'>;
  /** The stored events of these keys, decrypted (keys without an item left out). */
  load(pks: readonly string[]): Promise<Map<string, StoredEvent>>;
}

/** Sort-key bounds that hold every arrival time (ISO years 0000–9999 start with a digit; `~` sorts after them). */
const LOWEST = '0';
const HIGHEST = '~';
/** Hashed keys (over 2 KB) do not say their source: such candidates are kept, then checked on the item. */
const HASHED_KEY_PREFIX = '#';

/**
 * One page of events by type patterns, source and arrival window, over the `byTypeBucket` index:
 * 1. patterns are expanded to types through the catalog (exact types need no catalog read; with a source, only
 *    that source's types are candidates);
 * 2. every (type, bucket) partition is queried by key condition and the partitions merged in (timeKey, pk)
 *    order: arrival order, so stream order per partition key;
 * 3. the page's items are read with BatchGetItem and decrypted.
 * `next` continues after the last position examined; `previous` goes back the other way from the first event.
 */
export async function queryEvents(query: EventQuery, dependencies: QueryEventsDependencies): Promise<EventQueryPage> {
  const plan = planEventQuery(query);
  const types = await typesOf(plan, dependencies.catalog);
  let lower = plan.from ?? LOWEST;
  let upper = plan.to ?? HIGHEST;
  if (plan.after && !plan.descending && plan.after.timeKey > lower) lower = plan.after.timeKey;
  if (plan.after && plan.descending && plan.after.timeKey < upper) upper = plan.after.timeKey;
  const resumeFrom = (at: IndexPosition | undefined) =>
    !plan.descending && plan.to === undefined && at ? { resume: encodeEventCursor({ after: at, descending: false, fingerprint: plan.fingerprint }) } : {};
  if (types.length === 0 || lower > upper) return { events: [], ...resumeFrom(plan.after) };

  const partitions = types.flatMap(typeBucketKeysOf);
  const merge = new IndexPartitionMerge({
    documents: dependencies.documents,
    tableName: dependencies.tableName,
    partitions,
    lower,
    upper,
    descending: plan.descending,
    ...(plan.after ? { after: plan.after } : {}),
    ...(plan.source !== undefined ? { pkPrefixes: [sourceKeyPrefix(plan.source), HASHED_KEY_PREFIX] } : {}),
    // Twice a fair share of the page (and one more, to know whether a next page exists) from each partition.
    firstReadSize: Math.min(plan.limit + 1, Math.max(10, Math.ceil((2 * (plan.limit + 1)) / partitions.length))),
  });

  const events: StoredEvent[] = [];
  let first: IndexPosition | undefined;
  let last: IndexPosition | undefined;
  while (events.length < plan.limit) {
    const positions = await merge.take(plan.limit - events.length);
    if (positions.length === 0) break;
    const loaded = await dependencies.load(positions.map(({ pk }) => pk));
    for (const position of positions) {
      last = position;
      const stored = loaded.get(position.pk);
      if (!stored || (plan.source !== undefined && stored.event.source !== plan.source)) continue;
      first ??= position;
      events.push(stored);
    }
  }
  const cursor = (after: IndexPosition, descending: boolean) => encodeEventCursor({ after, descending, fingerprint: plan.fingerprint });
  return {
    events,
    ...(last && (await merge.hasMore()) ? { next: cursor(last, plan.descending) } : {}),
    ...(first ? { previous: cursor(first, !plan.descending) } : {}),
    ...resumeFrom(last ?? plan.after),
  };
}

/** The indexed types the query reads: its exact types, and the catalog's types its wildcards match. */
async function typesOf(plan: EventQueryPlan, catalog: QueryEventsDependencies['catalog']): Promise<string[]> {
  const types = new Set(plan.exactTypes);
  if (plan.wildcards.length > 0) {
    const known = plan.source === undefined ? await catalog.types() : await catalog.typesOf(plan.source);
    for (const type of known) if (plan.wildcards.some((pattern) => matchesSubject(pattern, type))) types.add(type);
  }
  const indexed = [...types].filter(isIndexableType).sort();
  if (indexed.length > MAX_QUERY_TYPES) {
    throw new InvalidQueryError('types', `types match ${indexed.length} event types, more than the ${MAX_QUERY_TYPES} one query reads: narrow the patterns`);
  }
  return indexed;
}

/** `["<source>",` — how every readable event key of that source starts (see `itemKey`). */
function sourceKeyPrefix(source: string): string {
  return `${JSON.stringify([source]).slice(0, -1)},`;
}
