import type { EngineMetrics } from '../engine/types';
import type { HttpRequest, HttpResponse } from '../http/types';
import type { AcceptedEvent } from '../ingest/acceptEvents';
import { INGEST_METRIC } from './constants';

/** Counts the events of an accepted `POST /events`: new ones published, and duplicates answered. */
export function countAccepted(metrics: EngineMetrics, accepted: readonly AcceptedEvent[]): void {
  const duplicates = accepted.filter((event) => event.duplicate).length;
  if (accepted.length > duplicates) metrics.addMetric(INGEST_METRIC.eventsPublished, 'Count', accepted.length - duplicates);
  if (duplicates > 0) metrics.addMetric(INGEST_METRIC.duplicatesAnswered, 'Count', duplicates);
}

/**
 * Counts how a `POST /events` was refused: 429/503 (the stream pushed back, the producer retries after
 * `Retry-After`), another 5xx (the bus failed), another 4xx (the producer's mistake). Other routes are reads,
 * and API Gateway's own 4xx/5xx metrics cover them.
 */
export function countPublishRefusal(metrics: EngineMetrics, request: Pick<HttpRequest, 'method' | 'path'>, response: Pick<HttpResponse, 'status'>): void {
  if (request.method !== 'POST' || !/^\/events\/?$/.test(request.path)) return;
  const { status } = response;
  if (status === 429 || status === 503) metrics.addMetric(INGEST_METRIC.publishThrottled, 'Count', 1);
  else if (status >= 500) metrics.addMetric(INGEST_METRIC.publishErrors, 'Count', 1);
  else if (status >= 400) metrics.addMetric(INGEST_METRIC.publishRejected, 'Count', 1);
}
