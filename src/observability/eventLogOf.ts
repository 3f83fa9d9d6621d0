import type { Logger } from '@aws-lambda-powertools/logger';
import type { EngineLog } from '../engine/types';

/**
 * Fields never written to a log line, whatever a caller passes: an event's payload and anything that carries a
 * credential. The bus's own log calls never pass them; this is the backstop.
 */
export const WITHHELD_LOG_FIELDS: readonly string[] = ['data', 'data_base64', 'body', 'token', 'secret', 'authorization', 'password', 'clientSecret'];

/**
 * The engine's log over a Powertools Logger, for functions that handle many events per invocation (router,
 * redeliver, workers): a line about one event carries that event's id as its `correlation_id`, so one query
 * (`correlation_id = "<id>"`) finds every line about an event across functions, however many events the
 * batch held. Setting the logger's correlation id instead would be wrong as soon as events run concurrently.
 */
export function eventLogOf(logger: Logger): EngineLog {
  const line = (detail: Record<string, unknown>) => {
    const safe: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(detail)) if (!WITHHELD_LOG_FIELDS.includes(key)) safe[key] = value;
    if (typeof detail.eventId === 'string') safe.correlation_id = detail.eventId;
    return safe;
  };
  return {
    debug: (message, detail) => logger.debug(message, line(detail)),
    info: (message, detail) => logger.info(message, line(detail)),
    warn: (message, detail) => logger.warn(message, line(detail)),
    error: (message, detail) => logger.error(message, line(detail)),
  };
}
