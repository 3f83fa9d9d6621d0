import { pageRequestOf } from './pageRequestOf';
import type { ProducerTokens } from './ProducerTokens';
import { readEventPage, type PageEvent } from './readEventPage';
import { jsonResponse, type EventQueries, type HttpRequest, type HttpResponse } from './types';

export interface ReadRoutesDependencies {
  tokens: ProducerTokens;
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
 * in the order first asked for. An oldest-first query without `to` also answers `resume`: when `next` is absent (no
 * more yet), poll again later with `after=<resume>` for what was stored since.
 */
export async function listEvents(request: HttpRequest, deps: ReadRoutesDependencies): Promise<HttpResponse> {
  await deps.tokens.authenticate(request.headers.authorization);
  const page = await readEventPage(pageRequestOf(request.query, { order: 'param' }), deps);
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
