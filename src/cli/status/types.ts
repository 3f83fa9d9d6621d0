/** What `switchyard status` prints about a deployed stage: the dashboard's figures over the window, from CloudWatch. */
export interface StageStatus {
  kind: 'stage';
  /** `stage prod (Switchyard-prod)`. */
  target: string;
  /** The window the figures cover (ISO 8601), the last hour. */
  from: string;
  to: string;
  publish: {
    /** Events new to the bus, published to the stream (ingest `EventsPublished`). */
    eventsPublished: number;
    duplicatesAnswered: number;
    /** `POST /events` answered 4xx / 429-503 / other 5xx. */
    rejected: number;
    throttled: number;
    errors: number;
    /** The HTTP API's own counts (absent behind a function URL). */
    apiRequests?: number;
    api4xx?: number;
    api5xx?: number;
  };
  /** Highest iterator age of each stream consumer in the window (ms); null when it read nothing. */
  consumers: Array<{ name: string; iteratorAgeMs: number | null }>;
  deliveries: {
    delivered: number;
    failed: number;
    deferred: number;
    heldBack: number;
    deadLettered: number;
    /** Attempt latency of the router's first attempts and of the redeliver function's retries (ms); null without any. */
    latency: Record<'router' | 'redeliver', { p50Ms: number | null; p99Ms: number | null }>;
  };
  /** Lane heads waiting in the ledger at the latest count (each minute); null when none was recorded. */
  pendingDeliveries: number | null;
  kmsRequests: number;
  functions: Array<{ name: string; invocations: number; errors: number; throttles: number }>;
}

/** What `switchyard status` prints about the local bus: what it can measure itself. */
export interface LocalStatus {
  kind: 'local';
  /** `local bus at http://…`. */
  target: string;
  from: string;
  to: string;
  /** Deliveries in the ledger: waiting for an attempt (lane items) and dead letters. */
  pendingDeliveries: number;
  deadLetters: number;
  /** Per shard: the router poller's checkpoint, the stream's latest sequence, and how far behind it is. */
  stream: Array<{
    shard: string;
    checkpoint: string | null;
    latest: string | null;
    /** Records after the checkpoint (counted up to `MAX_RECORDS_COUNTED`; `behindAtLeast` says the count stopped there). */
    recordsBehind: number;
    behindAtLeast: boolean;
    /** Age of the oldest record not yet routed (ms); null when the router is caught up. */
    oldestUnroutedAgeMs: number | null;
  }>;
  /** Events stored in the window, by type (the store's queries). */
  storedByType: Record<string, number>;
  storedTotal: number;
}

export type BusStatus = StageStatus | LocalStatus;
