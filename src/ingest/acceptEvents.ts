import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { CloudEventJson } from '../events/types';
import { partitionKeyOf } from '../events/partitionKeyOf';
import { HttpError } from '../http/HttpError';
import type { ClaimResult } from '../store/types';
import { encodeEvent, publishOrdered, PublishIncompleteError, type PublishedRecord } from '../stream';

/** One accepted event, as `202 {"accepted":[...]}` lists it. */
export interface AcceptedEvent {
  id: string;
  source: string;
  sequence: string;
  shard: string;
  duplicate: boolean;
}

/** The idempotency records ingest needs (`IngestDedupe` in src/store): claim before publishing, complete or release after. */
export interface DedupeRecords {
  claim(source: string, id: string): Promise<ClaimResult>;
  complete(source: string, id: string, token: string, position: PublishedRecord): Promise<void>;
  release(source: string, id: string, token: string): Promise<void>;
}

export interface AcceptEventsOptions {
  kinesis: KinesisClient;
  streamName: string;
  dedupe: DedupeRecords;
  /** Logs what the producer cannot see (a completion that failed after the event landed). */
  warn?: (message: string, detail: Record<string, unknown>) => void;
  /** Passed to `publishOrdered` (tests shorten the backoff). */
  publish?: { maxRounds?: number; baseBackoffMs?: number };
}

/**
 * Takes validated events into the stream, exactly once per source + id within the dedupe window.
 *
 * 1. Claim every event's source + id. A completed claim is a duplicate: answered with the original position,
 *    not published again. A claim held by a request still in flight makes the whole request back off (503),
 *    since answering "duplicate" for an event that may never land would lose it.
 * 2. Publish the claimed events, order-preserving per partition key.
 * 3. Complete the claims with their positions. If the stream refuses some events, the landed ones are still
 *    completed (so a retry of the whole request reports them as duplicates) and the rest are released, and
 *    the request fails with 429/503: a retry is safe and nothing is half-accepted.
 */
export async function acceptEvents(events: readonly CloudEventJson[], options: AcceptEventsOptions): Promise<AcceptedEvent[]> {
  const { dedupe } = options;

  // The same source + id twice in one request is one event: the later copies answer as duplicates of the first.
  const firstIndexOf = new Map<string, number>();
  const sameAs = events.map((event, index) => {
    const key = JSON.stringify([event.source, event.id]);
    const first = firstIndexOf.get(key);
    if (first === undefined) firstIndexOf.set(key, index);
    return first;
  });
  const unique = [...firstIndexOf.values()];

  const claims = await Promise.all(unique.map((index) => dedupe.claim(events[index].source, events[index].id)));
  const claimOf = new Map(unique.map((index, position) => [index, claims[position]]));

  const busy = claims.find((claim) => claim.status === 'in_progress');
  if (busy && busy.status === 'in_progress') {
    await releaseAll(events, claimOf, dedupe);
    throw new HttpError(503, 'in_progress', 'an event with the same source and id is being accepted by another request; retry shortly', undefined, {
      'Retry-After': String(busy.retryAfterSeconds),
    });
  }

  const toPublish = unique.filter((index) => claimOf.get(index)!.status === 'claimed');
  let published: Map<number, PublishedRecord>;
  try {
    const positions = await publishOrdered(
      toPublish.map((index) => encodeEvent(events[index], partitionKeyOf(events[index]))),
      { kinesis: options.kinesis, streamName: options.streamName, ...options.publish },
    );
    published = new Map(toPublish.map((index, position) => [index, positions[position]]));
  } catch (error) {
    const landed = error instanceof PublishIncompleteError ? error.landed : new Map<number, PublishedRecord>();
    await Promise.all(
      toPublish.map((index, position) => {
        const claim = claimOf.get(index) as { token: string };
        const where = landed.get(position);
        const { source, id } = events[index];
        return where ? completeOrWarn(source, id, claim.token, where, options) : dedupe.release(source, id, claim.token);
      }),
    );
    if (error instanceof PublishIncompleteError) {
      throw new HttpError(
        error.throttled ? 429 : 503,
        error.throttled ? 'throttled' : 'stream_unavailable',
        `${toPublish.length - landed.size} of ${events.length} events were not accepted by the stream; retry the request (events already accepted will be answered as duplicates)`,
        undefined,
        { 'Retry-After': '1' },
        { cause: error },
      );
    }
    throw error;
  }

  await Promise.all(
    toPublish.map((index) => {
      const claim = claimOf.get(index) as { token: string };
      return completeOrWarn(events[index].source, events[index].id, claim.token, published.get(index)!, options);
    }),
  );

  return events.map((event, index) => {
    const first = sameAs[index] ?? index;
    const claim = claimOf.get(first)!;
    const position = claim.status === 'completed' ? claim : published.get(first)!;
    return {
      id: event.id,
      source: event.source,
      sequence: position.sequence,
      shard: position.shard,
      duplicate: claim.status === 'completed' || sameAs[index] !== undefined,
    };
  });
}

/**
 * The event is in the stream already, so a failed completion must not fail the request: the claim stays
 * in progress and expires, after which a retry could publish a second copy (the archive still dedupes it).
 */
async function completeOrWarn(source: string, id: string, token: string, where: PublishedRecord, options: AcceptEventsOptions) {
  try {
    await options.dedupe.complete(source, id, token, where);
  } catch (error) {
    options.warn?.('dedupe record not completed after publish', { source, id, sequence: where.sequence, error: String(error) });
  }
}

async function releaseAll(events: readonly CloudEventJson[], claimOf: Map<number, ClaimResult>, dedupe: DedupeRecords) {
  await Promise.all(
    [...claimOf].map(([index, claim]) =>
      claim.status === 'claimed' ? dedupe.release(events[index].source, events[index].id, claim.token) : undefined,
    ),
  );
}
