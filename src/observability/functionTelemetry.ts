import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { EngineLog } from '../engine/types';
import { DEFAULT_METRICS_NAMESPACE, METRICS_NAMESPACE_VARIABLE } from './constants';
import { eventLogOf } from './eventLogOf';

/** One function's Powertools Logger and Metrics, and the two calls every handler makes around an invocation. */
export interface FunctionTelemetry {
  logger: Logger;
  metrics: Metrics;
  /** The engine's log over `logger`: a line about one event carries its id as `correlation_id`. */
  log: EngineLog;
  /** At the start of an invocation: adds the Lambda context to the log lines and counts a cold start once. */
  begin(context?: Context): void;
  /** At the end (in `finally`): publishes the metrics stored, when there are any (Powertools warns on an empty flush). */
  flush(): void;
}

/**
 * The Powertools setup every function shares: JSON logs and EMF metrics under the service name the stage gives
 * the function (`POWERTOOLS_SERVICE_NAME`, `service` defaulting to `serviceName`), in the stage's namespace
 * (`POWERTOOLS_METRICS_NAMESPACE`, `Switchyard/<stage>`; `Switchyard` outside a stage). Nothing of an event but
 * its id, source and type is ever logged (see `eventLogOf`).
 */
export function functionTelemetry(serviceName: string, env: NodeJS.ProcessEnv = process.env): FunctionTelemetry {
  const service = env.POWERTOOLS_SERVICE_NAME || serviceName;
  const logger = new Logger({ serviceName: service });
  const metrics = new Metrics({ serviceName: service, namespace: env[METRICS_NAMESPACE_VARIABLE] || DEFAULT_METRICS_NAMESPACE });
  return {
    logger,
    metrics,
    log: eventLogOf(logger),
    begin(context) {
      if (context?.awsRequestId) logger.addContext(context);
      // Emitted at once, as a metric of its own, the first time only (Powertools keeps the cold-start flag).
      // No function name: its only dimension is `service`, as on every other metric the dashboard reads.
      metrics.captureColdStartMetric();
    },
    flush() {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}
