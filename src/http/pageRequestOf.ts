import { isRfc3339 } from '../events/formats';
import { validateSubjectPattern } from '../routing/validateSubjectPattern';
import type { EventQuery } from '../store/types';
import { HttpError } from './HttpError';

/** Events per page of `GET /events` and feeds unless `limit` says otherwise, and the most it may say. */
export const PAGE_LIMIT = { default: 20, max: 500 } as const;

/** Most type patterns one request may name (each may cost the store a query per matching type). */
export const MAX_TYPE_PATTERNS = 20;

/** A page request read from the query string: the store's query, and which way its cursor points. */
export interface PageRequest {
  query: EventQuery & { types: string[]; limit: number };
  /**
   * True when the cursor came from `before` (a page's `previous`): the store then answers backwards from it, and
   * the route turns the page round so every page reads in the same order.
   */
  backwards: boolean;
}

export interface PageRequestOptions {
  /** The type patterns when the path names them (a feed); otherwise they come from the `type` parameter. */
  typesFromPath?: string;
  /** `param`: the caller picks with `order=oldest|newest` (default oldest); `newest`: always newest first (feeds). */
  order: 'param' | 'newest';
}

/**
 * Reads the query parameters of `GET /events` and `GET /feeds/{type-pattern}`:
 * `type` (comma-separated NATS-style patterns, default `>`), `source`, `from`/`to` (RFC 3339 arrival window,
 * `to` exclusive), `limit` (1 to 500, default 20), `after` (a page's `next`) or `before` (a page's `previous`),
 * and on `GET /events` `order` (`oldest`, the default, or `newest`). Anything else — an unknown parameter, a bad
 * value — is a 400 `invalid_request` naming the parameter.
 */
export function pageRequestOf(params: Record<string, string | undefined>, options: PageRequestOptions): PageRequest {
  const known = ['source', 'from', 'to', 'limit', 'after', 'before'];
  if (options.typesFromPath === undefined) known.push('type');
  if (options.order === 'param') known.push('order');
  for (const name of Object.keys(params)) {
    if (!known.includes(name)) throw invalidParameter(name, `is not a parameter of this route; use ${known.join(', ')}`);
  }

  const types = typePatternsOf(options.typesFromPath ?? params.type ?? '>', options.typesFromPath === undefined ? 'type' : 'type pattern (path)');
  const source = params.source;
  if (source === '') throw invalidParameter('source', 'must not be empty');
  const from = instantOf(params, 'from');
  const to = instantOf(params, 'to');
  if (from && to && to.getTime() <= from.getTime()) throw invalidParameter('to', `must be later than from (${params.from})`);
  const limit = limitOf(params.limit);
  const descending = options.order === 'newest' || orderOf(params.order) === 'newest';

  const { after, before } = params;
  if (after !== undefined && before !== undefined) throw invalidParameter('before', 'cannot be combined with after: follow one link at a time');
  for (const [name, value] of [['after', after], ['before', before]] as const) {
    if (value === '') throw invalidParameter(name, `must not be empty: pass a page's ${name === 'after' ? 'next' : 'previous'} cursor`);
  }
  const cursor = after ?? before;

  return {
    query: {
      types,
      limit,
      descending,
      ...(source !== undefined ? { source } : {}),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    },
    backwards: before !== undefined,
  };
}

/** A 400 `invalid_request` naming one query parameter. */
export function invalidParameter(field: string, problem: string): HttpError {
  return new HttpError(400, 'invalid_request', `query parameter ${field} ${problem}`, [{ index: 0, field, message: problem }]);
}

function typePatternsOf(value: string, where: string): string[] {
  const patterns = value.split(',');
  if (patterns.length > MAX_TYPE_PATTERNS) throw invalidParameter('type', `names ${patterns.length} patterns; at most ${MAX_TYPE_PATTERNS}`);
  for (const pattern of patterns) {
    const problem = validateSubjectPattern(pattern);
    if (problem) {
      throw invalidParameter('type', `holds an invalid ${where} ${JSON.stringify(pattern)}: ${problem} (tokens split on ".", "*" one token, ">" the rest)`);
    }
  }
  return patterns;
}

function instantOf(params: Record<string, string | undefined>, name: 'from' | 'to'): Date | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (!isRfc3339(value)) throw invalidParameter(name, `must be an RFC 3339 timestamp, e.g. 2026-12-06T13:00:00Z (got ${JSON.stringify(value)})`);
  return new Date(value);
}

function limitOf(value: string | undefined): number {
  if (value === undefined) return PAGE_LIMIT.default;
  const limit = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= PAGE_LIMIT.max)) {
    throw invalidParameter('limit', `must be an integer from 1 to ${PAGE_LIMIT.max} (got ${JSON.stringify(value)})`);
  }
  return limit;
}

function orderOf(value: string | undefined): 'oldest' | 'newest' {
  if (value === undefined || value === 'oldest' || value === 'newest') return value ?? 'oldest';
  throw invalidParameter('order', `must be oldest or newest (got ${JSON.stringify(value)})`);
}
