import { ENGINE_METRIC } from '../engine/types';

/** Powertools service name of each function (`POWERTOOLS_SERVICE_NAME`); the `service` dimension of its metrics. */
export const SERVICE = {
  ingest: 'switchyard-ingest',
  router: 'switchyard-router',
  redeliver: 'switchyard-redeliver',
} as const;
export type ServiceName = (typeof SERVICE)[keyof typeof SERVICE];

/** Service name of a Lambda worker of consumer `consumer` (`OrderedWorkerFunction`'s default). */
export function workerServiceName(consumer: string): string {
  return `switchyard-worker-${consumer}`;
}

/** Namespace of the functions' metrics outside a stage (tests; the local bus turns metrics off). */
export const DEFAULT_METRICS_NAMESPACE = 'Switchyard';

/** The metrics namespace of a stage: one per stage, so two stages in one account never add up. */
export function metricsNamespaceOf(stage: string): string {
  return `${DEFAULT_METRICS_NAMESPACE}/${stage}`;
}

/** The variable Powertools Metrics reads its namespace from; the stage sets it on every function. */
export const METRICS_NAMESPACE_VARIABLE = 'POWERTOOLS_METRICS_NAMESPACE';

/** Metrics the ingest function emits (per request of `POST /events`). */
export const INGEST_METRIC = {
  /** Events of an accepted `POST /events` that were new (published to the stream); duplicates are not counted. */
  eventsPublished: 'EventsPublished',
  /** Events of an accepted `POST /events` that the store already held (answered `duplicate: true`). */
  duplicatesAnswered: 'DuplicatesAnswered',
  /** `POST /events` answered 4xx (the producer's mistake: bad event, auth, size; 429 is counted as throttled). */
  publishRejected: 'PublishRejected',
  /** `POST /events` answered 429 or 503 with `Retry-After`: the stream pushed back. */
  publishThrottled: 'PublishThrottled',
  /** `POST /events` answered 500 or another 5xx: a failure of the bus. */
  publishErrors: 'PublishErrors',
} as const;

/** Metrics every delivery function emits beside `ENGINE_METRIC`. */
export const FUNCTION_METRIC = {
  /** KMS requests the function sent (GenerateDataKey, Decrypt, …), counted by an SDK middleware. */
  kmsRequests: 'KmsRequests',
  /** Lane heads in the ledger's `due` index when a redeliver invocation starts: the retry backlog (a gauge). */
  pendingDeliveries: 'PendingDeliveries',
  /** Powertools' own cold-start metric (dimension `function_name` and `service`). */
  coldStart: 'ColdStart',
} as const;

/** Metrics a Lambda worker (`orderedWorkerHandler`) emits. */
export const WORKER_METRIC = {
  /** The user's function completed an event. */
  eventsHandled: 'EventsHandled',
  /** An event completed in an earlier invocation was skipped. */
  duplicatesSkipped: 'DuplicatesSkipped',
  /** The user's function failed an event; it and the rest of its lane are retried. */
  handlerFailures: 'HandlerFailures',
} as const;

/** Every metric name the functions emit in the stage's namespace: what the dashboard and alarms may use. */
export const EMITTED_METRIC_NAMES: readonly string[] = [
  ...new Set([
    ...Object.values(ENGINE_METRIC),
    ...Object.values(INGEST_METRIC),
    ...Object.values(FUNCTION_METRIC),
    ...Object.values(WORKER_METRIC),
  ]),
];
