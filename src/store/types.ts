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
