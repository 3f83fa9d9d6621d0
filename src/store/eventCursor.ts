import { createHash } from 'node:crypto';
import { InvalidQueryError } from './errors';

/** A position in the merged `byTypeBucket` order: events sort by (timeKey, pk). */
export interface IndexPosition {
  timeKey: string;
  pk: string;
}

/** What a cursor carries: where to continue, which way, and which query it belongs to. */
export interface EventCursor {
  after: IndexPosition;
  descending: boolean;
  /** {@link queryFingerprint} of the query that issued it. */
  fingerprint: string;
}

/** What makes two queries the same query for a cursor (not the page size, not the direction). */
export interface FingerprintedQuery {
  patterns: readonly string[];
  source?: string;
  from?: string;
  to?: string;
}

const VERSION = 1;
const NOT_OURS = 'cursor is not one this store issued (pass a `next` or `previous` of an earlier page unchanged)';

/** A short digest of the query's types, source and window; the patterns sorted, so their order does not matter. */
export function queryFingerprint(query: FingerprintedQuery): string {
  const canonical = JSON.stringify([[...query.patterns].sort(), query.source ?? null, query.from ?? null, query.to ?? null]);
  return createHash('sha256').update(canonical, 'utf8').digest('base64url').slice(0, 16);
}

/** Opaque to callers: base64url of a small JSON array. */
export function encodeEventCursor(cursor: EventCursor): string {
  const body = [VERSION, cursor.descending ? 'd' : 'a', cursor.after.timeKey, cursor.after.pk, cursor.fingerprint];
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** Decodes a cursor issued for the query of `fingerprint`; a malformed one or another query's is refused. */
export function decodeEventCursor(text: string, fingerprint: string): EventCursor {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]+$/.test(text)) throw new InvalidQueryError('cursor', NOT_OURS);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidQueryError('cursor', NOT_OURS, { cause: error });
  }
  if (
    !Array.isArray(body) ||
    body.length !== 5 ||
    body[0] !== VERSION ||
    (body[1] !== 'a' && body[1] !== 'd') ||
    !body.slice(2).every((part) => typeof part === 'string' && part.length > 0)
  ) {
    throw new InvalidQueryError('cursor', NOT_OURS);
  }
  const [, direction, timeKey, pk, issuedFor] = body as [number, 'a' | 'd', string, string, string];
  if (issuedFor !== fingerprint) {
    throw new InvalidQueryError('cursor', 'cursor belongs to another query: types, source, from and to must stay the same while paging');
  }
  return { after: { timeKey, pk }, descending: direction === 'd', fingerprint };
}
