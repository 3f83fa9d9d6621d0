import type { CloudEventJson, EventLimits } from '../events/types';
import { parseEventsRequest } from '../events/parseEventsRequest';
import type { AcceptedEvent } from '../ingest/acceptEvents';
import { checkPublishRights } from '../auth/checkPublishRights';
import type { Credentials } from '../auth/Credentials';
import { callerOf, jsonResponse, type HttpRequest, type HttpResponse } from './types';

export interface PostEventsDependencies {
  credentials: Credentials;
  limits: EventLimits;
  accept(events: CloudEventJson[]): Promise<AcceptedEvent[]>;
}

/**
 * `POST /events`: authenticate, parse and validate the whole request, check the producer may publish every event
 * (its sources and types: 403 naming each refused index otherwise), then accept it into the stream.
 */
export async function postEvents(request: HttpRequest, deps: PostEventsDependencies): Promise<HttpResponse> {
  const producer = await deps.credentials.authenticate(callerOf(request));
  const events = parseEventsRequest({ headers: request.headers, body: request.body }, deps.limits);
  checkPublishRights(producer, events);
  const accepted = await deps.accept(events);
  return jsonResponse(202, { accepted });
}
