import { createHash, randomBytes } from 'node:crypto';

/** Partition key of the disabled-subscription items (one Query lists them all). */
export const SUBSCRIPTIONS_PK = 'SUBSCRIPTIONS';
export const LANE_PK_PREFIX = 'LANE#';
export const DEAD_PK_PREFIX = 'DEAD#';
export const ATTEMPTS_PK_PREFIX = 'ATTEMPTS#';
export const RECENT_PK_PREFIX = 'RECENT#';

/** Kinesis sequence numbers are decimal strings of up to 128 digits in theory, ~56 in practice; 64 keeps them sortable. */
const SEQUENCE_DIGITS = 64;
/** Epoch ms fit 15 digits until the year 33658. */
const DUE_AT_DIGITS = 15;
/** Attempt numbers in a delivery log sort key; the schedule never goes near 10,000 attempts. */
const ATTEMPT_DIGITS = 4;

/** Subscription ids never contain `#` (schema), so `LANE#<id>#` delimits one subscription's lanes exactly. */
export function checkSubscriptionId(subscriptionId: string): void {
  if (!subscriptionId || subscriptionId.includes('#')) {
    throw new RangeError(`subscription id must be non-empty and without '#', got ${JSON.stringify(subscriptionId)}`);
  }
}

export function lanePk(subscriptionId: string, lane: string): string {
  checkSubscriptionId(subscriptionId);
  if (!lane) throw new RangeError('lane must be non-empty');
  return `${LANE_PK_PREFIX}${subscriptionId}#${lane}`;
}

export function deadPk(subscriptionId: string): string {
  checkSubscriptionId(subscriptionId);
  return `${DEAD_PK_PREFIX}${subscriptionId}`;
}

/** Sort key of a lane item: the zero-padded sequence, so a lane sorts in stream order. */
export function sequenceSk(sequence: string): string {
  if (!/^\d{1,64}$/.test(sequence)) throw new RangeError(`sequence must be 1 to ${SEQUENCE_DIGITS} decimal digits, got ${JSON.stringify(sequence)}`);
  return sequence.padStart(SEQUENCE_DIGITS, '0');
}

/** Sort key of a dead letter: where it died, so the same delivery dead twice is one item. */
export function deadSk(lane: string, sequence: string): string {
  return `${lane}#${sequenceSk(sequence)}`;
}

export function dueAtKey(epochMs: number): string {
  if (!Number.isSafeInteger(epochMs) || epochMs < 0) throw new RangeError(`due time must be a non-negative integer epoch ms, got ${epochMs}`);
  return String(epochMs).padStart(DUE_AT_DIGITS, '0');
}

/** Which `due` bucket a lane's head sits in: stable per lane, spread by hash so no one GSI partition runs hot. */
export function dueBucketOf(pk: string, buckets: number): string {
  return String(createHash('sha256').update(pk, 'utf8').digest().readUInt32BE(0) % buckets);
}

/**
 * Partition of one delivery's log: every attempt of (subscription, source, id), so reading them is one Query.
 * `webhookId` is `webhookIdOf(source, id)`: fixed length, and free of the `#` a source or id may hold.
 */
export function attemptsPk(subscriptionId: string, webhookId: string): string {
  checkSubscriptionId(subscriptionId);
  return `${ATTEMPTS_PK_PREFIX}${subscriptionId}#${webhookId}`;
}

/**
 * Sort key of a logged attempt: its time, then its number, so a log reads in order; then a random tag, since
 * two attempts may share both (a redrive restarts the count, a replayed Kinesis record repeats attempt 1).
 */
export function attemptSk(at: number, attempt: number, tag: string = randomBytes(4).toString('hex')): string {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  return `${dueAtKey(at)}#${String(attempt).padStart(ATTEMPT_DIGITS, '0')}#${tag}`;
}

/** One hour in ms: the span of a `RECENT#` partition. */
export const RECENT_HOUR_MS = 3_600_000;

/**
 * Partition of one subscription's logged attempts that ended in one UTC hour (`<yyyy-mm-ddThh>` of `at`): the
 * delivery log's second copy of each attempt, so "this subscription's attempts since t" is a Query per hour.
 */
export function recentPk(subscriptionId: string, at: number): string {
  checkSubscriptionId(subscriptionId);
  dueAtKey(at);
  return `${RECENT_PK_PREFIX}${subscriptionId}#${new Date(at).toISOString().slice(0, 13)}`;
}

/**
 * The tag ending both sort keys of a logged attempt: derived from the delivery (its webhook id, lane and
 * sequence), so a retried write of the same attempt replaces its item instead of adding a second one, while
 * two deliveries attempted in the same millisecond with the same number (a redrive restarts the count in a lane
 * of its own) still get items of their own.
 */
export function attemptTag(webhookId: string, lane: string, sequence: string): string {
  return createHash('sha256').update(`${webhookId}\u0000${lane}\u0000${sequence}`, 'utf8').digest('base64url').slice(0, 16);
}
