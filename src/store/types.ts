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

export interface QueryByTypeOptions {
  /** Earliest event time, inclusive (ISO 8601 or Date). @default no lower bound */
  from?: string | Date;
  /** Latest event time, exclusive. @default no upper bound */
  to?: string | Date;
  /** Most events in the page, 1 to 1000. @default 100 */
  limit?: number;
  /** `cursor` of the previous page, to continue where it stopped. */
  cursor?: string;
  /** Newest first. @default false (oldest first) */
  descending?: boolean;
}

/** A page of events by time; `cursor` is absent when no more may follow. */
export interface EventPage {
  events: StoredEvent[];
  cursor?: string;
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
}

/** One entry of the type catalog: written once per new type, not per event. */
export interface CatalogedType {
  type: string;
}
