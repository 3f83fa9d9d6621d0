import type { CloudEventJson } from '../../events/types';

/** The API's own shapes: the client reads exactly what the routes answer. */
export type { AcceptedEvent } from '../../ingest/acceptEvents';
export type { FieldError as ApiFieldError } from '../../events/types';
export type { ErrorBody as ApiErrorBody } from '../../http/HttpError';

/** `GET /events/{id}`: the event, and its stream position from the answer's headers. */
export interface FetchedEvent {
  event: CloudEventJson;
  sequence?: string;
  shard?: string;
}
