import { validateCloudEvent } from '../../events/validateCloudEvent';
import { HttpError } from '../../http/HttpError';
import { explainMatch } from '../../routing/explainMatch';
import { jsonBody } from '../consoleError';
import type { ConsoleDeps, ConsoleRequest } from '../types';

/**
 * `POST /test` `{event}`: `subscriptions test` against the live file: which subscriptions match the event, and
 * for each that does not, the first clause that failed. The event travels in the body, never in a URL.
 */
export async function testEvent(deps: ConsoleDeps, request: ConsoleRequest) {
  const { event } = jsonBody(request.body);
  const problems = validateCloudEvent(event, 0).map((problem) => ({ ...problem, field: `event.${problem.field}`.replace(/^event\.event$/, 'event') }));
  if (problems.length > 0) {
    throw new HttpError(400, 'invalid_event', `event is not a valid CloudEvent: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
  }
  const [config, disabled] = await Promise.all([deps.subscriptions(), deps.ledger.disabledSubscriptions()]);
  const off = new Set(disabled.map((d) => d.subscriptionId));
  const results = config.subscriptions.map((subscription, index) => {
    const explained = explainMatch(subscription, event, { basePath: `/subscriptions/${index}` });
    return { id: subscription.id, disabled: off.has(subscription.id), ...explained };
  });
  return { matched: results.filter((r) => r.matched).map((r) => r.id), subscriptions: results };
}
