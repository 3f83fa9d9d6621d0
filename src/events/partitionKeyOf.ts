import { createHash } from 'node:crypto';
import { MAX_PARTITION_KEY_LENGTH } from './constants';
import type { CloudEventJson } from './types';

/**
 * The Kinesis partition key of an event, the unit of ordering: its `partitionkey` extension (CloudEvents
 * Partitioning), else its `subject`, else its `source`. A key longer than Kinesis allows (256 characters) is replaced
 * by `sha256:<hex>` of itself: stable, so every event of that key still lands on one shard in order.
 */
export function partitionKeyOf(event: CloudEventJson): string {
  const key = [event.partitionkey, event.subject, event.source]
    .map((candidate) => (typeof candidate === 'number' || typeof candidate === 'boolean' ? String(candidate) : candidate))
    .find((candidate): candidate is string => typeof candidate === 'string' && candidate !== '');
  if (key === undefined) throw new TypeError('event has no partitionkey, subject or source');
  // `length` counts UTF-16 code units, never fewer than characters: a key under the limit here is under it for Kinesis.
  if (key.length <= MAX_PARTITION_KEY_LENGTH) return key;
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}
