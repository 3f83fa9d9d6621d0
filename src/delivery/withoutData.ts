import type { CloudEventJson } from '../events/types';

/** A copy of the event without `data` and `data_base64`: what `metadata` subscribers receive. */
export function withoutData(event: CloudEventJson): CloudEventJson {
  const copy: CloudEventJson = { ...event };
  delete copy.data;
  delete copy.data_base64;
  return copy;
}
