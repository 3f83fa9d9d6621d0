import { matchesSubject } from '../../../src/routing/matchesSubject';
import { InvalidQueryError } from '../../../src/store/errors';
import type { EventQuery, EventQueryPage, StoredEvent } from '../../../src/store/types';
import type { EventQueries } from '../../../src/http/types';

/**
 * The store's query contract (src/store/types.ts) over an array, for the routes' unit tests: arrival order,
 * `next` while more remain in the page's direction, `previous` back the other way from the first event, cursors
 * bound to the query (types, source, from, to). Records every query it answers.
 */
export function memoryEventQueries(stored: readonly StoredEvent[]): EventQueries & { asked: EventQuery[] } {
  const ordered = [...stored].sort((a, b) => (a.arrivedAt ?? a.storedAt).localeCompare(b.arrivedAt ?? b.storedAt) || a.sequence.localeCompare(b.sequence));
  const asked: EventQuery[] = [];
  return {
    asked,
    async listTypes() {
      return [...new Set(ordered.map((item) => item.event.type))].sort();
    },
    async queryEvents(query: EventQuery): Promise<EventQueryPage> {
      asked.push(query);
      const patterns = query.types === undefined ? ['>'] : typeof query.types === 'string' ? [query.types] : [...query.types];
      const from = query.from === undefined ? undefined : new Date(query.from).toISOString();
      const to = query.to === undefined ? undefined : new Date(query.to).toISOString();
      const fingerprint = JSON.stringify([[...patterns].sort(), query.source ?? null, from ?? null, to ?? null]);
      const limit = query.limit ?? 100;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new InvalidQueryError('limit', `limit must be an integer from 1 to 1000, got ${limit}`);

      let descending = query.descending ?? false;
      let after: number | undefined;
      if (query.cursor !== undefined) {
        const cursor = decode(query.cursor);
        if (cursor.fingerprint !== fingerprint) throw new InvalidQueryError('cursor', 'cursor belongs to another query');
        ({ descending, after } = cursor);
      }
      const positions = ordered
        .map((item, position) => ({ item, position }))
        .filter(({ item }) => patterns.some((pattern) => matchesSubject(pattern, item.event.type)))
        .filter(({ item }) => query.source === undefined || item.event.source === query.source)
        .filter(({ item }) => (from === undefined || (item.arrivedAt ?? item.storedAt) >= from) && (to === undefined || (item.arrivedAt ?? item.storedAt) < to))
        .filter(({ position }) => after === undefined || (descending ? position < after : position > after));
      if (descending) positions.reverse();
      const page = positions.slice(0, limit);
      const cursor = (position: number, backwards: boolean) => Buffer.from(JSON.stringify({ fingerprint, descending: backwards, after: position })).toString('base64url');
      return {
        events: page.map(({ item }) => item),
        ...(page.length > 0 && positions.length > limit ? { next: cursor(page.at(-1)!.position, descending) } : {}),
        ...(page.length > 0 ? { previous: cursor(page[0].position, !descending) } : {}),
      };
    },
  };
}

function decode(text: string): { fingerprint: string; descending: boolean; after: number } {
  try {
    const cursor = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof cursor.fingerprint === 'string' && typeof cursor.descending === 'boolean' && Number.isInteger(cursor.after)) return cursor;
  } catch {
    // answered below
  }
  throw new InvalidQueryError('cursor', 'cursor is not one this store issued');
}

/** `count` stored events one second apart from 2026-12-01T00:00:00Z, types cycling through `types`. */
export function storedEvents(count: number, types: readonly string[] = ['order.created', 'order.shipped', 'invoice.paid']): StoredEvent[] {
  return Array.from({ length: count }, (_, index) => {
    const arrivedAt = new Date(Date.UTC(2026, 11, 1) + index * 1000).toISOString();
    return {
      event: {
        specversion: '1.0' as const,
        id: `e-${String(index).padStart(4, '0')}`,
        source: index % 2 === 0 ? '/shop' : '/billing',
        type: types[index % types.length],
        time: arrivedAt,
        datacontenttype: 'application/json',
        data: { n: index },
      },
      sequence: String(1000 + index).padStart(20, '0'),
      shard: 'shardId-000000000000',
      arrivedAt,
      storedAt: new Date(Date.parse(arrivedAt) + 50).toISOString(),
    };
  });
}
