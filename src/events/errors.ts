import { HttpError } from '../http/HttpError';
import { EVENT_ERROR_CODE } from './constants';
import type { FieldError } from './types';

// One builder per failure, so every parse error leaves the area in the same wire shape.

/** 400: the request held events, but at least one breaks the rules; `details` lists every failure. */
export function invalidEventError(details: FieldError[]): HttpError {
  const events = new Set(details.map((detail) => detail.index)).size;
  const message =
    details.length === 1
      ? `Invalid event: ${details[0].field} ${details[0].message}`
      : `${details.length} validation errors in ${events} event${events === 1 ? '' : 's'}; none was accepted`;
  return new HttpError(400, EVENT_ERROR_CODE.invalidEvent, message, details);
}

/** 400: the body is not JSON at all; `reason` completes "Request body …" (e.g. `is empty`). */
export function invalidJsonError(reason: string): HttpError {
  return new HttpError(400, EVENT_ERROR_CODE.invalidJson, `Request body ${reason}`, [
    { index: 0, field: 'body', message: reason },
  ]);
}

/** 413: the request, or some events in it, exceed a size limit. */
export function payloadTooLargeError(message: string, details?: FieldError[]): HttpError {
  return new HttpError(413, EVENT_ERROR_CODE.payloadTooLarge, message, details);
}

/** 415: neither a CloudEvents mode nor the PageUp JSON envelope. */
export function unsupportedMediaTypeError(message: string): HttpError {
  return new HttpError(415, EVENT_ERROR_CODE.unsupportedMediaType, message);
}
