import { STATUS_CODES } from 'node:http';

/** `503 Service Unavailable`; the bare number for codes Node does not name. */
export function describeStatus(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `${status} ${text}` : String(status);
}
