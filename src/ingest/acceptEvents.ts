import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { CloudEventJson } from '../events/types';
import { partitionKeyOf } from '../events/partitionKeyOf';
import type { EventStore } from '../store/EventStore';
import { encodeEvent, publishOrdered, PublishIncompleteError, type PublishedRecord } from '../stream';
import { StreamPushbackError } from './errors';

/** One accepted event, as `202 {"accepted":[...]}` lists it. */
export interface AcceptedEvent {
  id: string;
  source: string;
  sequence: string;
  shard: string;
  duplicate: boolean;
}

/** What ingest reads of the event store: where a source + id is stored, if it is (one BatchGetItem per 100). */
export type StoredPositions = Pick<EventStore, 'positions'>;

export interface AcceptEventsOptions {
  kinesis: KinesisClient;
  streamName: string;
  /** The event store, read (never written) to answer duplicates. */
  store: StoredPositions;
  /** Logs what the producer cannot see (the store could not be read, so duplicates were published). */
  warn?: (message: string, detail: Record<string, unknown>) => void;
  /** Passed to `publishOrdered` (tests shorten the backoff). */
  publish?: { maxRounds?: number; baseBackoffMs?: number };
}

/**
 * Takes validated events into the stream. Ingest writes nothing to DynamoDB: the event store's item for
 * source + id is the dedupe record, and the router drops any copy of a stored event before delivery.
 *
 * 1. One eventually consistent read of the store for the request's source + id pairs (BatchGetItem, only the
 *    position): a stored event is a duplicate, answered with its original sequence and shard, not published.
 *    A copy sent before the first one was stored is not seen here: it is published (`duplicate: false`) and
 *    dropped by the router. If the store cannot be read, everything is published (the router still dedupes).
 * 2. Publish the rest, order-preserving per partition key. 202 means every event is in Kinesis. If the stream
 *    refuses some, it throws StreamPushbackError (a 429 or 503): a retry is safe (events that landed are dropped as
 *    duplicates by the router, and answered `duplicate: true` once stored).
 */
export async function acceptEvents(events: readonly CloudEventJson[], options: AcceptEventsOptions): Promise<AcceptedEvent[]> {
  // The same source + id twice in one request is one event: the later copies answer as duplicates of the first.
  const firstIndexOf = new Map<string, number>();
  const sameAs = events.map((event, index) => {
    const key = JSON.stringify([event.source, event.id]);
    const first = firstIndexOf.get(key);
    if (first === undefined) firstIndexOf.set(key, index);
    return first;
  });
  const unique = [...firstIndexOf.values()];

  let known: (PublishedRecord | undefined)[];
  try {
    known = await options.store.positions(unique.map((index) => events[index]));
  } catch (error) {
    options.warn?.('event store not readable; publishing without the duplicate check (the router still drops duplicates)', {
      events: unique.length,
      error: String(error),
    });
    known = unique.map(() => undefined);
  }
  const knownOf = new Map(unique.map((index, position) => [index, known[position]]));

  const toPublish = unique.filter((index) => knownOf.get(index) === undefined);
  let published: Map<number, PublishedRecord>;
  try {
    const positions = await publishOrdered(
      toPublish.map((index) => encodeEvent(events[index], partitionKeyOf(events[index]))),
      { kinesis: options.kinesis, streamName: options.streamName, ...options.publish },
    );
    published = new Map(toPublish.map((index, position) => [index, positions[position]]));
  } catch (error) {
    if (error instanceof PublishIncompleteError) {
      throw new StreamPushbackError(
        error.throttled,
        1,
        `${toPublish.length - error.landed.size} of ${events.length} events were not accepted by the stream; retry the request (events already accepted are delivered once)`,
        { cause: error },
      );
    }
    throw error;
  }

  return events.map((event, index) => {
    const first = sameAs[index] ?? index;
    const stored = knownOf.get(first);
    const position = stored ?? published.get(first)!;
    return {
      id: event.id,
      source: event.source,
      sequence: position.sequence,
      shard: position.shard,
      duplicate: stored !== undefined || sameAs[index] !== undefined,
    };
  });
}
