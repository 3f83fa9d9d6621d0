import type { CloudEventJson, EventLimits } from '../events/types';
import { parseEventsRequest } from '../events/parseEventsRequest';
import type { AcceptedEvent } from '../ingest/acceptEvents';
import type { ProducerTokens } from './ProducerTokens';
import { jsonResponse, type HttpRequest, type HttpResponse } from './types';

export interface PostEventsDependencies {
  tokens: ProducerTokens;
  limits: EventLimits;
  accept(events: CloudEventJson[]): Promise<AcceptedEvent[]>;
}

/** `POST /events`: authenticate, parse and validate the whole request, then accept it into the stream. */
export async function postEvents(request: HttpRequest, deps: PostEventsDependencies): Promise<HttpResponse> {
  await deps.tokens.authenticate(request.headers.authorization);
  const events = parseEventsRequest({ headers: request.headers, body: request.body }, deps.limits);
  const accepted = await deps.accept(events);
  return jsonResponse(202, { accepted });
}
