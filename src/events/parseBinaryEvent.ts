import { BINARY_HEADER_PREFIX } from './constants';
import { hasUtf8Charset, isJsonMediaType, parseMediaType } from './mediaType';
import { decodeHeaderValue } from './percentEncoding';
import type { FieldError } from './types';

/** A binary-mode request turned into a candidate event (not yet validated) and the failures met while decoding it. */
export interface BinaryEventCandidate {
  event: Record<string, unknown>;
  errors: FieldError[];
}

/** True when any `ce-*` header is present: the request is in binary content mode. */
export function hasBinaryHeaders(headers: Record<string, string | undefined>): boolean {
  return Object.entries(headers).some(([name, value]) => value !== undefined && name.startsWith(BINARY_HEADER_PREFIX));
}

/**
 * Reads a binary-mode CloudEvent (HTTP binding §3.1): attributes from the percent-encoded `ce-*` headers (names
 * lower-cased), `datacontenttype` from `Content-Type`, and the body as the data — parsed JSON for JSON media types,
 * a string for UTF-8 `text/*`, otherwise `data_base64`. Never throws: failures come back in `errors`.
 */
export function parseBinaryEvent(headers: Record<string, string | undefined>, body: Buffer, index = 0): BinaryEventCandidate {
  const attributes: Array<[string, unknown]> = [];
  const errors: FieldError[] = [];
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined || !name.startsWith(BINARY_HEADER_PREFIX)) continue;
    const attribute = name.slice(BINARY_HEADER_PREFIX.length);
    if (attribute === 'data' || attribute === 'data_base64') {
      errors.push({ index, field: attribute, message: `cannot be sent as header ${name}: in binary mode the body is the data` });
      continue;
    }
    const value = decodeHeaderValue(raw);
    if (value === undefined) {
      errors.push({ index, field: attribute, message: `header ${name} is not valid percent-encoded UTF-8` });
      continue;
    }
    attributes.push([attribute, value]);
  }

  // Content-Type is the binding's home of datacontenttype; a stray ce-datacontenttype only counts without one.
  const contentType = headers['content-type']?.trim();
  if (contentType) {
    const at = attributes.findIndex(([name]) => name === 'datacontenttype');
    if (at >= 0) attributes.splice(at, 1);
    attributes.push(['datacontenttype', contentType]);
  }
  const datacontenttype = attributes.find(([name]) => name === 'datacontenttype')?.[1] as string | undefined;

  if (body.length > 0) {
    const data = readData(body, datacontenttype);
    if (data.field === 'error') errors.push({ index, field: 'data', message: data.message });
    else attributes.push([data.field, data.value]);
  }
  // fromEntries defines own properties, so a `ce-__proto__` header cannot reach the prototype (validation refuses it).
  return { event: Object.fromEntries(attributes), errors };
}

type DataReading =
  | { field: 'data'; value: unknown }
  | { field: 'data_base64'; value: string }
  | { field: 'error'; message: string };

function readData(body: Buffer, contentType: string | undefined): DataReading {
  const media = parseMediaType(contentType);
  const opaque = (): DataReading => ({ field: 'data_base64', value: body.toString('base64') });
  // A non-UTF-8 charset stays bytes: decoding would make the stored text disagree with its declared charset.
  if (!media || !hasUtf8Charset(media)) return opaque();
  if (isJsonMediaType(media)) {
    const text = decodeUtf8(body, false);
    if (text === undefined) return { field: 'error', message: `is not valid UTF-8, which ${media.essence} requires` };
    try {
      return { field: 'data', value: JSON.parse(text) as unknown };
    } catch {
      // Not the parser's message: it quotes the data, which must stay out of responses and logs.
      return { field: 'error', message: `is not valid JSON, which content type ${media.essence} requires` };
    }
  }
  if (media.type === 'text') {
    // Keep a BOM as U+FEFF so the text re-encodes to the very bytes received.
    const text = decodeUtf8(body, true);
    return text === undefined ? opaque() : { field: 'data', value: text };
  }
  return opaque();
}

function decodeUtf8(body: Buffer, keepBom: boolean): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: keepBom }).decode(body);
  } catch {
    return undefined;
  }
}
