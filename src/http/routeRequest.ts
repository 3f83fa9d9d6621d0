import { HttpError } from './HttpError';
import { errorResponse } from './httpErrorOf';
import { postEvents, type PostEventsDependencies } from './postEvents';
import { getEvent, type GetEventDependencies } from './getEvent';
import { getFeed } from './getFeed';
import { health } from './health';
import { listEvents } from './listEvents';
import { listTypes } from './listTypes';
import type { EventQueries, HttpRequest, HttpResponse } from './types';

export type ApiDependencies = PostEventsDependencies &
  GetEventDependencies & {
    /**
     * The store's queries behind `GET /events`, `GET /feeds/{type-pattern}` and `GET /types`; without them those
     * routes do not exist (404), as in a front wired for ingest only.
     */
    queries?: EventQueries;
    /** Type patterns whose events pages and feeds serve without `data` (`SWITCHYARD_PRIVATE_TYPES`). @default none */
    privateTypes?: readonly string[];
    /** Receives unexpected errors (a 500); never the request body. */
    onError?: (error: unknown, request: Pick<HttpRequest, 'method' | 'path'>) => void;
  };

/**
 * The whole HTTP API in one place: picks the route, and turns every error into the JSON error body with its status
 * (through `httpErrorOf`, the one mapping from domain errors), so API Gateway and the local front answer alike.
 */
export async function routeRequest(request: HttpRequest, deps: ApiDependencies): Promise<HttpResponse> {
  try {
    return await dispatch(request, deps);
  } catch (error) {
    return errorResponse(error, (unexpected) => deps.onError?.(unexpected, { method: request.method, path: request.path }));
  }
}

async function dispatch(request: HttpRequest, deps: ApiDependencies): Promise<HttpResponse> {
  const path = request.path.replace(/\/+$/, '') || '/';
  const { queries } = deps;
  if (path === '/events') {
    if (request.method === 'POST') return postEvents(request, deps);
    if (request.method === 'GET' && queries) return listEvents(request, { ...deps, queries });
    throw methodNotAllowed(queries ? 'GET, POST' : 'POST');
  }
  const eventPath = /^\/events\/([^/]+)$/.exec(path);
  if (eventPath) {
    if (request.method === 'GET') return getEvent(request, decodePathSegment(eventPath[1], 'id', 'the event id'), deps);
    throw methodNotAllowed('GET');
  }
  const feedPath = /^\/feeds\/([^/]+)$/.exec(path);
  if (feedPath && queries) {
    if (request.method === 'GET') return getFeed(request, decodePathSegment(feedPath[1], 'type', 'the type pattern'), { ...deps, queries });
    throw methodNotAllowed('GET');
  }
  if (path === '/types' && queries) {
    if (request.method === 'GET') return listTypes(request, { ...deps, queries });
    throw methodNotAllowed('GET');
  }
  if (path === '/health') {
    if (request.method === 'GET') return health();
    throw methodNotAllowed('GET');
  }
  throw new HttpError(404, 'not_found', `no route for ${request.method} ${request.path}`);
}

function methodNotAllowed(allowed: string): HttpError {
  return new HttpError(405, 'method_not_allowed', `method not allowed; use ${allowed}`, undefined, { Allow: allowed });
}

function decodePathSegment(segment: string, field: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid_request', `${what} in the path is not valid percent-encoding`, [
      { index: 0, field, message: 'invalid percent-encoding' },
    ]);
  }
}
