import type { CloudEventJson } from '../../events/types';

/** One entry of `202 {"accepted":[…]}`, in request order. */
export interface AcceptedEvent {
  id: string;
  source: string;
  sequence: string;
  shard: string;
  /** True when the bus already held an event of this source and id: this copy was not published again. */
  duplicate: boolean;
}

/** One failure of a refused request: which event of it (0-based), which field, what is wrong. */
export interface ApiFieldError {
  index: number;
  field: string;
  message: string;
}

/** The error body every route answers with. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: ApiFieldError[] };
}

/** `GET /events/{id}`: the event, and its stream position from the answer's headers. */
export interface FetchedEvent {
  event: CloudEventJson;
  sequence?: string;
  shard?: string;
}
