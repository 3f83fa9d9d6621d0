import { validateSubjectPattern } from '../routing/validateSubjectPattern';
import { DEFAULT_QUERY_LIMIT, MAX_QUERY_LIMIT } from './constants';
import { decodeEventCursor, queryFingerprint, type IndexPosition } from './eventCursor';
import { InvalidQueryError } from './errors';
import type { EventQuery } from './types';

/** An {@link EventQuery} checked and normalised: what `queryEvents` runs. */
export interface EventQueryPlan {
  /** The type patterns, distinct and sorted. */
  patterns: string[];
  /** Those without wildcards: read directly, no catalog needed. */
  exactTypes: string[];
  /** Those with `*` or `>`: expanded through the catalog. */
  wildcards: string[];
  source?: string;
  /** UTC ISO bounds of the arrival time: from inclusive, to exclusive. */
  from?: string;
  to?: string;
  limit: number;
  /** The page's direction: the cursor's when there is one. */
  descending: boolean;
  /** Continue strictly after this position (from the cursor). */
  after?: IndexPosition;
  /** Binds cursors to this query. */
  fingerprint: string;
}

/** Checks a query, naming the field of the first problem (InvalidQueryError). */
export function planEventQuery(query: EventQuery): EventQueryPlan {
  const patterns = patternsOf(query.types);
  if (query.source !== undefined && (typeof query.source !== 'string' || query.source.length === 0)) {
    throw new InvalidQueryError('source', `source must be a non-empty string, got ${JSON.stringify(query.source)}`);
  }
  const limit = query.limit ?? DEFAULT_QUERY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_QUERY_LIMIT) {
    throw new InvalidQueryError('limit', `limit must be an integer from 1 to ${MAX_QUERY_LIMIT}, got ${JSON.stringify(limit)}`);
  }
  const from = query.from === undefined ? undefined : isoTime('from', query.from);
  const to = query.to === undefined ? undefined : isoTime('to', query.to);
  if (from !== undefined && to !== undefined && from > to) throw new InvalidQueryError('to', `to (${to}) is before from (${from})`);
  const fingerprint = queryFingerprint({ patterns, source: query.source, from, to });
  const cursor = query.cursor === undefined ? undefined : decodeEventCursor(query.cursor, fingerprint);
  return {
    patterns,
    exactTypes: patterns.filter((pattern) => !isWildcard(pattern)),
    wildcards: patterns.filter(isWildcard),
    ...(query.source !== undefined ? { source: query.source } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    limit,
    descending: cursor ? cursor.descending : query.descending === true,
    ...(cursor ? { after: cursor.after } : {}),
    fingerprint,
  };
}

function patternsOf(types: EventQuery['types']): string[] {
  const list: readonly unknown[] = types === undefined ? ['>'] : typeof types === 'string' ? [types] : Array.isArray(types) ? types : [types];
  if (list.length === 0) throw new InvalidQueryError('types', 'types must hold at least one type or pattern (omit it for every type)');
  list.forEach((pattern, index) => {
    const problem = validateSubjectPattern(pattern);
    if (problem !== undefined) {
      const where = typeof types === 'string' ? 'types' : `types[${index}]`;
      throw new InvalidQueryError('types', `${where} ${problem}, got ${JSON.stringify(pattern)}`);
    }
  });
  return [...new Set(list as string[])].sort();
}

function isWildcard(pattern: string): boolean {
  return pattern.split('.').some((token) => token === '*' || token === '>');
}

/** UTC ISO of a time (4-digit years only: the index's sort keys compare as text). */
function isoTime(field: string, value: string | Date): string {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  const iso = Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
  if (iso === undefined || !/^\d{4}-/.test(iso)) {
    throw new InvalidQueryError(field, `${field} must be an ISO 8601 time between years 0000 and 9999, got ${JSON.stringify(value)}`);
  }
  return iso;
}
