import type { FieldError } from './types';

// What `parseEventsRequest` refuses, one class per failure. They carry no HTTP status: `src/http/httpErrorOf.ts`
// maps them to answers (400, 413, 415), the one place that knows HTTP.

/** Base of every refusal of a `POST /events` request: nothing of the request is accepted. */
export class EventsRequestError extends Error {
  constructor(
    message: string,
    /** Every failure found, each naming the event's index and the field. */
    readonly details?: FieldError[],
  ) {
    super(message);
    this.name = 'EventsRequestError';
  }
}

/** The request held events, but at least one breaks the rules; `details` lists every failure. */
export class InvalidEventError extends EventsRequestError {
  declare readonly details: FieldError[];

  constructor(details: FieldError[]) {
    const events = new Set(details.map((detail) => detail.index)).size;
    super(
      details.length === 1
        ? `Invalid event: ${details[0].field} ${details[0].message}`
        : `${details.length} validation errors in ${events} event${events === 1 ? '' : 's'}; none was accepted`,
      details,
    );
    this.name = 'InvalidEventError';
  }
}

/** The body is not JSON at all; `reason` completes "Request body …" (e.g. `is empty`). */
export class InvalidJsonError extends EventsRequestError {
  constructor(reason: string) {
    super(`Request body ${reason}`, [{ index: 0, field: 'body', message: reason }]);
    this.name = 'InvalidJsonError';
  }
}

/** The request, or some events in it, exceed a size limit. */
export class PayloadTooLargeError extends EventsRequestError {
  constructor(message: string, details?: FieldError[]) {
    super(message, details);
    this.name = 'PayloadTooLargeError';
  }
}

/** Neither a CloudEvents mode nor the PageUp JSON envelope. */
export class UnsupportedMediaTypeError extends EventsRequestError {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedMediaTypeError';
  }
}
