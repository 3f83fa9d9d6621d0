import { pageRequestOf } from './pageRequestOf';
import type { Credentials } from '../auth/Credentials';
import { readableTypes } from '../auth/readableTypes';
import { readEventPage, type PageEvent } from './readEventPage';
import { callerOf, jsonResponse, type EventQueries, type HttpRequest, type HttpResponse } from './types';

export interface ReadRoutesDependencies {
  credentials: Credentials;
  queries: EventQueries;
  /** Type patterns served without `data` in pages and feeds. @default none */
  privateTypes?: readonly string[];
}

/**
 * `GET /events?type=&source=&from=&to=&limit=&after=|before=&order=`: one page of stored events as JSON, for pull
 * consumers that cannot take webhooks. Oldest first by default (stream order per partition key, so a consumer
 * follows `next` and resumes from its last cursor); `order=newest` reverses it. Each page is
 * `{"events":[{"event","sequence","shard","arrivedAt"?,"storedAt","dataWithheld"?:true}],"next"?,"previous"?}`:
 * pass `next` as `after` for the following page and `previous` as `before` for the one preceding; every page reads
 * in the order first asked for. A reader's credential narrows `type` to the types it may read (see `readableTypes`). An oldest-first query without `to` also answers `resume`: when `next` is absent (no
 * more yet), poll again later with `after=<resume>` for what was stored since.
 */
export async function listEvents(request: HttpRequest, deps: ReadRoutesDependencies): Promise<HttpResponse> {
  const reader = await deps.credentials.authenticate(callerOf(request));
  const pageRequest = pageRequestOf(request.query, { order: 'param' });
  // The asked types narrowed to the reader's own (403 forbidden_type when nothing is left).
  pageRequest.query.types = readableTypes(reader, pageRequest.query.types);
  const page = await readEventPage(pageRequest, deps);
  return jsonResponse(200, {
    events: page.events.map(jsonOf),
    ...(page.next !== undefined ? { next: page.next } : {}),
    ...(page.previous !== undefined ? { previous: page.previous } : {}),
    ...(page.resume !== undefined ? { resume: page.resume } : {}),
  });
}

function jsonOf({ dataWithheld, ...stored }: PageEvent): object {
  // `dataWithheld` only when true: the event's type is private, so `event` carries its attributes alone.
  return dataWithheld ? { ...stored, dataWithheld } : stored;
}
