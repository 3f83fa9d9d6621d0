import { createHash } from 'node:crypto';
import { MAX_SORT_KEY_BYTES, TYPE_BUCKETS } from './constants';

/**
 * The `byTypeBucket` partition of an event: `<type>#<bucket>`, the bucket a stable hash of the item's `pk`
 * modulo TYPE_BUCKETS (so one busy type writes into 4 partitions, not 1). Undefined for a type too long to
 * index (over 1 KB: also the catalog's sort key): such an event is stored and found by id, not by queries.
 */
export function typeBucketKey(type: string, pk: string): string | undefined {
  if (!isIndexableType(type)) return undefined;
  return `${type}#${createHash('sha256').update(pk, 'utf8').digest().readUInt32BE(0) % TYPE_BUCKETS}`;
}

/** Every `byTypeBucket` partition of a type, the ones a query of it reads. */
export function typeBucketKeysOf(type: string): string[] {
  return Array.from({ length: TYPE_BUCKETS }, (_, bucket) => `${type}#${bucket}`);
}

/** The type of a `byTypeBucket` partition key (a type may hold `#` itself: the bucket is after the last). */
export function typeOfBucketKey(tb: string): string {
  return tb.slice(0, tb.lastIndexOf('#'));
}

export function isIndexableType(type: string): boolean {
  return Buffer.byteLength(type, 'utf8') <= MAX_SORT_KEY_BYTES;
}
