'use strict';

/**
 * The local stand-in of the `audit` Lambda target in subscriptions.json: logs which event arrived (type and
 * id only, never `data`) to stderr and returns. The local bus calls `handler` with the CloudEvent, as Lambda
 * would with an `Event` invocation.
 */
exports.handler = async function handler(event) {
  process.stderr.write(`audit: ${event && event.type} ${event && event.id} from ${event && event.source}\n`);
  return { ok: true };
};
