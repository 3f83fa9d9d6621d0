import type { CloudEventJson } from '../events/types';
import type { OutgoingRecord } from './publishOrdered';

/** The stream record of an event: its structured-mode JSON, keyed by its partition key. */
export function encodeEvent(event: CloudEventJson, partitionKey: string): OutgoingRecord {
  return { partitionKey, data: Buffer.from(JSON.stringify(event)) };
}
