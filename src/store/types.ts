import type { CloudEventJson } from '../events/types';

/** Where an event sits in the stream, as the router knows it from the Kinesis record. */
export interface StreamPosition {
  sequence: string;
  shard: string;
  /** When Kinesis received it (ISO 8601); orders events that carry no `time`. */
  arrivedAt?: string;
}

/** A stored event, decrypted. */
export interface StoredEvent {
  event: CloudEventJson;
  sequence: string;
  shard: string;
  /** When the router stored it (ISO 8601). */
  storedAt: string;
  arrivedAt?: string;
}

/**
 * A query over the stored events (the `byTypeBucket` index, never a scan): by type pattern, source and arrival
 * time, paged by opaque cursor. Works beyond the stream's retention.
 */
export interface EventQuery {
  /**
   * NATS-style type patterns (tokens split on `.`, `*` one token, `>` one or more trailing tokens), or exact
   * types. Patterns are expanded through the catalog of types seen. @default '>' (every type)
   */
  types?: string | readonly string[];
  /** Only events of this exact `source`. */
  source?: string;
  /** Earliest arrival in the bus (Kinesis arrival time), inclusive: ISO 8601 or Date. */
  from?: string | Date;
  /** Latest arrival, exclusive. */
  to?: string | Date;
  /** Events per page, 1 to 1000. @default 100 */
  limit?: number;
  /**
   * A `next` or `previous` cursor of an earlier page of the same query: continues from there in that cursor's
   * own direction (`descending` is then ignored). A cursor of another query is refused (InvalidQueryError).
   */
  cursor?: string;
  /** Newest first. @default false (oldest first, i.e. stream order per partition key) */
  descending?: boolean;
}

/** One page of an {@link EventQuery}, in the page's direction. */
export interface EventQueryPage {
  events: StoredEvent[];
  /** Continues after the last event, same direction; absent when the query is exhausted. */
  next?: string;
  /** Goes back before the first event, the other direction; absent when the page is empty. */
  previous?: string;
  /**
   * Oldest-first pages of an open-ended query (no `to`) only: where to poll for events stored after this page —
   * after its last event, or the cursor given when the page is empty. Present even when `next` is absent, since
   * such a query is never finished. An event stored late (its shard's router lagging) can land behind it: a
   * consumer that must miss nothing takes webhooks or runs a worker.
   */
  resume?: string;
}
