import { CONTENT_TYPE, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_EVENT_BYTES, DEFAULT_MAX_REQUEST_BYTES } from './constants';
import { InvalidEventError, InvalidJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from './errors';
import { fromPageUpEnvelope } from './fromPageUpEnvelope';
import { hasUtf8Charset, parseMediaType, type MediaType } from './mediaType';
import { hasBinaryHeaders, parseBinaryEvent } from './parseBinaryEvent';
import { serializedSize } from './serializedSize';
import type { CloudEventJson, EventLimits, FieldError } from './types';
import { validateCloudEvent } from './validateCloudEvent';

/** The parts of an HTTP request `POST /events` reads. Header names are lower-cased. */
export interface EventsRequest {
  headers: Record<string, string | undefined>;
  body: Buffer;
}

/** One event of the request on its way in: the value to validate, or the failures already found converting it. */
interface Candidate {
  event?: unknown;
  errors: FieldError[];
  /** False when a conversion (PageUp) already validated it. */
  validate: boolean;
}

/**
 * Reads the body of `POST /events` into CloudEvents, in request order. Accepts structured mode
 * (`application/cloudevents+json`), batch mode (`application/cloudevents-batch+json`), binary mode (any `ce-*`
 * header) and PageUp EventSystem envelopes (`application/json`, one or an array). All or nothing: throws an
 * EventsRequestError — PayloadTooLargeError for a request or event over its size limit, UnsupportedMediaTypeError for
 * any other content type, InvalidJsonError or InvalidEventError with EVERY failure of EVERY event otherwise — and
 * never anything else.
 */
export function parseEventsRequest(request: EventsRequest, limits: EventLimits = {}): CloudEventJson[] {
  const maxRequestBytes = limits.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const maxEventBytes = limits.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const maxBatchSize = limits.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;

  if (request.body.length > maxRequestBytes) {
    throw new PayloadTooLargeError(`Request body is ${request.body.length} bytes; the limit is ${maxRequestBytes} bytes`);
  }
  const candidates = readCandidates(request, maxBatchSize);
  checkEventSizes(candidates, maxEventBytes);

  const errors = candidates.flatMap((candidate, index) => {
    const found = candidate.validate ? validateCloudEvent(candidate.event, index) : [];
    // A field that already failed to decode (e.g. a bad ce-id header) is not reported again as `required`.
    const decoded = new Set(candidate.errors.map((error) => error.field));
    return [...candidate.errors, ...found.filter((error) => !decoded.has(error.field))];
  });
  if (errors.length > 0) throw new InvalidEventError(errors);
  return candidates.map((candidate) => candidate.event as CloudEventJson);
}

function readCandidates(request: EventsRequest, maxBatchSize: number): Candidate[] {
  const contentType = request.headers['content-type'];
  const media = parseMediaType(contentType);

  // Structured and batch media types decide the mode even when ce-* headers are present (HTTP binding §3).
  if (media?.essence === CONTENT_TYPE.structured) {
    const body = readJsonBody(request.body, media);
    if (Array.isArray(body)) {
      throw new InvalidEventError([
        { index: 0, field: 'body', message: `must be one event object; send arrays as ${CONTENT_TYPE.batch}` },
      ]);
    }
    return [{ event: body, errors: [], validate: true }];
  }
  if (media?.essence === CONTENT_TYPE.batch) {
    return checkBatch(readJsonBody(request.body, media), maxBatchSize).map((event) => ({ event, errors: [], validate: true }));
  }
  if (hasBinaryHeaders(request.headers)) {
    const { event, errors } = parseBinaryEvent(request.headers, request.body);
    return [{ event, errors, validate: true }];
  }
  if (media?.essence === CONTENT_TYPE.json) {
    const body = readJsonBody(request.body, media);
    const items = Array.isArray(body) ? checkBatch(body, maxBatchSize) : [body];
    return items.map(fromJsonItem);
  }
  throw new UnsupportedMediaTypeError(
    `Content-Type ${contentType === undefined ? '(none)' : JSON.stringify(contentType)} is not supported: send ` +
      `${CONTENT_TYPE.structured}, ${CONTENT_TYPE.batch}, a binary-mode event with ce-* headers, ` +
      `or a PageUp envelope as ${CONTENT_TYPE.json}`,
  );
}

/** Under `application/json`: a PageUp envelope, or — leniently — a CloudEvent, recognised by its `specversion`. */
function fromJsonItem(item: unknown, index: number): Candidate {
  if (typeof item === 'object' && item !== null && !Array.isArray(item) && Object.hasOwn(item, 'specversion')) {
    return { event: item, errors: [], validate: true };
  }
  const converted = fromPageUpEnvelope(item, index);
  return Array.isArray(converted)
    ? { errors: converted, validate: false }
    : { event: converted, errors: [], validate: false };
}

function readJsonBody(body: Buffer, media: MediaType): unknown {
  if (!hasUtf8Charset(media)) {
    throw new UnsupportedMediaTypeError(`charset ${JSON.stringify(media.params.charset)} is not supported: JSON must be UTF-8`);
  }
  if (body.length === 0) throw new InvalidJsonError('is empty');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new InvalidJsonError('is not valid UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not the parser's message: it quotes the body, which must stay out of responses and logs.
    throw new InvalidJsonError('is not valid JSON');
  }
}

function checkBatch(body: unknown, maxBatchSize: number): unknown[] {
  const fail = (message: string): InvalidEventError => new InvalidEventError([{ index: 0, field: 'body', message }]);
  if (!Array.isArray(body)) throw fail('must be a JSON array of events');
  if (body.length === 0) throw fail('must hold at least one event (got an empty array)');
  if (body.length > maxBatchSize) throw fail(`must hold at most ${maxBatchSize} events (got ${body.length})`);
  return body;
}

/** 413 naming every event over `maxEventBytes`; an event too deeply nested to serialize is a 400 failure instead. */
function checkEventSizes(candidates: Candidate[], maxEventBytes: number): void {
  const oversized: FieldError[] = [];
  candidates.forEach((candidate, index) => {
    if (candidate.event === undefined) return;
    let size: number;
    try {
      size = serializedSize(candidate.event);
    } catch {
      candidate.errors.push({ index, field: 'event', message: 'is nested too deeply to serialize' });
      candidate.event = undefined;
      candidate.validate = false;
      return;
    }
    if (size > maxEventBytes) {
      oversized.push({ index, field: 'event', message: `is ${size} bytes as JSON; the limit is ${maxEventBytes} bytes` });
    }
  });
  if (oversized.length > 0) {
    throw new PayloadTooLargeError(
      oversized.length === 1
        ? `Event ${oversized[0].index} is over the ${maxEventBytes}-byte event limit`
        : `${oversized.length} events are over the ${maxEventBytes}-byte event limit`,
      oversized,
    );
  }
}
