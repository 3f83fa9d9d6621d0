import { BINARY_HEADER_PREFIX } from './constants';
import { isJsonMediaType, parseMediaType } from './mediaType';
import { encodeHeaderValue } from './percentEncoding';
import type { CloudEventJson } from './types';

/** An event in HTTP binary content mode: `ce-*` headers plus `content-type`, and the data as the body. */
export interface BinaryRequest {
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The inverse of parseBinaryEvent, for deliveries in binary mode. Attribute values are percent-encoded; `data_base64`
 * is sent as its bytes; a string `data` with a non-JSON content type as its UTF-8 text; any other `data` as JSON
 * (with `content-type: application/json` when the event names none, as the JSON event format implies).
 */
export function toBinaryRequest(event: CloudEventJson): BinaryRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event)) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype' || value === undefined) continue;
    headers[`${BINARY_HEADER_PREFIX}${name}`] = encodeHeaderValue(String(value));
  }
  let contentType = event.datacontenttype;
  let body = Buffer.alloc(0);
  if (event.data_base64 !== undefined) {
    body = Buffer.from(event.data_base64, 'base64');
  } else if (event.data !== undefined) {
    const media = parseMediaType(contentType);
    if (typeof event.data === 'string' && media && !isJsonMediaType(media)) {
      body = Buffer.from(event.data, 'utf8');
    } else {
      body = Buffer.from(JSON.stringify(event.data), 'utf8');
      contentType ??= 'application/json';
    }
  }
  if (contentType !== undefined) headers['content-type'] = contentType;
  return { headers, body };
}
