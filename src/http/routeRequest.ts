import { HttpError } from './HttpError';
import { UnauthorizedError } from './ProducerTokens';
import { postEvents, type PostEventsDependencies } from './postEvents';
import { getEvent, type GetEventDependencies } from './getEvent';
import { health } from './health';
import { jsonResponse, type HttpRequest, type HttpResponse } from './types';

export type ApiDependencies = PostEventsDependencies &
  GetEventDependencies & {
    /** Receives unexpected errors (a 500); never the request body. */
    onError?: (error: unknown, request: Pick<HttpRequest, 'method' | 'path'>) => void;
  };

/**
 * The whole HTTP API in one place: picks the route, and turns every error into the JSON error body with
 * its status, so API Gateway and the local front answer alike.
 */
export async function routeRequest(request: HttpRequest, deps: ApiDependencies): Promise<HttpResponse> {
  try {
    const path = request.path.replace(/\/+$/, '') || '/';
    if (path === '/events') {
      if (request.method === 'POST') return await postEvents(request, deps);
      throw methodNotAllowed('POST');
    }
    const eventPath = /^\/events\/([^/]+)$/.exec(path);
    if (eventPath) {
      if (request.method === 'GET') return await getEvent(request, decodePathSegment(eventPath[1]), deps);
      throw methodNotAllowed('GET');
    }
    if (path === '/health') {
      if (request.method === 'GET') return health();
      throw methodNotAllowed('GET');
    }
    throw new HttpError(404, 'not_found', `no route for ${request.method} ${request.path}`);
  } catch (error) {
    return errorResponse(error, request, deps);
  }
}

function methodNotAllowed(allowed: string): HttpError {
  return new HttpError(405, 'method_not_allowed', `method not allowed; use ${allowed}`, undefined, { Allow: allowed });
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid_request', 'the event id in the path is not valid percent-encoding', [
      { index: 0, field: 'id', message: 'invalid percent-encoding' },
    ]);
  }
}

function errorResponse(error: unknown, request: HttpRequest, deps: ApiDependencies): HttpResponse {
  if (error instanceof HttpError) return jsonResponse(error.status, error.toBody(), error.headers);
  if (error instanceof UnauthorizedError) {
    return jsonResponse(401, { error: { code: 'unauthorized', message: error.message } }, { 'WWW-Authenticate': 'Bearer' });
  }
  deps.onError?.(error, { method: request.method, path: request.path });
  return jsonResponse(500, { error: { code: 'internal_error', message: 'internal error' } });
}
