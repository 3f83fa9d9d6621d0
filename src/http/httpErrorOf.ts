import { DecryptionError } from '../crypto/errors';
import { EVENT_ERROR_CODE } from '../events/constants';
import { EventsRequestError, InvalidJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../events/errors';
import { StreamPushbackError } from '../ingest/errors';
import { InvalidQueryError } from '../store/errors';
import { HttpError } from './HttpError';
import { ForbiddenError, UnauthorizedError } from '../auth/errors';
import { jsonResponse, type HttpResponse } from './types';

/**
 * The one mapping from the library's errors to HTTP answers. The areas below `src/http` throw their own domain
 * errors and know nothing of statuses; `routeRequest` (API Gateway and the local front alike) and the local front's
 * own refusals answer through here.
 *
 * @returns the answer for a known failure, or `undefined` for an unexpected one (a bug or an outage: a 500)
 */
export function httpErrorOf(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof UnauthorizedError) {
    return new HttpError(401, 'unauthorized', error.message, undefined, { 'WWW-Authenticate': 'Bearer' }, { cause: error });
  }
  if (error instanceof ForbiddenError) return new HttpError(403, error.code, error.message, error.details, {}, { cause: error });
  if (error instanceof EventsRequestError) {
    const [status, code] = eventsRequestAnswer(error);
    return new HttpError(status, code, error.message, error.details, {}, { cause: error });
  }
  if (error instanceof StreamPushbackError) {
    return new HttpError(
      error.throttled ? 429 : 503,
      error.throttled ? 'throttled' : 'stream_unavailable',
      error.message,
      undefined,
      { 'Retry-After': String(error.retryAfterSeconds) },
      { cause: error },
    );
  }
  if (error instanceof InvalidQueryError) {
    return new HttpError(400, 'invalid_request', error.message, [{ index: 0, field: error.field, message: error.message }], {}, { cause: error });
  }
  // Ciphertext that fails authentication was altered at rest: refuse it, and say so, rather than guess.
  if (error instanceof DecryptionError) {
    return new HttpError(500, 'event_unreadable', 'the stored event failed its integrity check and cannot be served', undefined, {}, { cause: error });
  }
  return undefined;
}

/**
 * The answer to any error: its mapping, or a bare 500 that leaks nothing of an unexpected one, which goes to
 * `onUnexpected` (a log) instead.
 */
export function errorResponse(error: unknown, onUnexpected?: (error: unknown) => void): HttpResponse {
  const known = httpErrorOf(error);
  if (known) return jsonResponse(known.status, known.toBody(), known.headers);
  onUnexpected?.(error);
  return jsonResponse(500, { error: { code: 'internal_error', message: 'internal error' } });
}

function eventsRequestAnswer(error: EventsRequestError): [number, string] {
  if (error instanceof PayloadTooLargeError) return [413, EVENT_ERROR_CODE.payloadTooLarge];
  if (error instanceof UnsupportedMediaTypeError) return [415, EVENT_ERROR_CODE.unsupportedMediaType];
  if (error instanceof InvalidJsonError) return [400, EVENT_ERROR_CODE.invalidJson];
  // InvalidEventError, and the base class itself.
  return [400, EVENT_ERROR_CODE.invalidEvent];
}
