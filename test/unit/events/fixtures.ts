import fc from 'fast-check';
import { ATTRIBUTE_RULES } from '../../../src/events/cloudEventRules';
import { plainTextProblem } from '../../../src/events/formats';
import { EventsRequestError } from '../../../src/events/errors';
import type { HttpError } from '../../../src/http/HttpError';
import { httpErrorOf as mapToHttp } from '../../../src/http/httpErrorOf';
import type { CloudEventJson } from '../../../src/events/types';

/** One valid event; negative tests change exactly one thing of it. */
export function goodEvent(overrides: Record<string, unknown> = {}): CloudEventJson {
  return {
    specversion: '1.0',
    id: 'order-1042',
    source: '/shop/orders',
    type: 'com.example.orders.created',
    subject: 'order/1042',
    time: '2024-05-01T12:00:00.123Z',
    datacontenttype: 'application/json',
    dataschema: 'https://schemas.example.com/orders/created.json',
    data: { total: 120, currency: 'AUD' },
    tenant: 'acme',
    ...overrides,
  };
}

/** `goodEvent()` without one attribute. */
export function goodEventWithout(attribute: string): Record<string, unknown> {
  const event: Record<string, unknown> = goodEvent();
  delete event[attribute];
  return event;
}

/** One valid PageUp EventSystem envelope (`PageUp.Events.Event` as Newtonsoft serialises it). */
export function goodEnvelope(): Record<string, any> {
  return {
    Header: {
      UserId: 'user-7',
      TransportTimeStamp: '2017-07-21T00:28:54.2282942Z',
      Metadata: { metaheader1: 'metaheadervalue1' },
      Origin: 'pageup-recruitment',
      InstanceId: 'instance-42',
    },
    Message: {
      Header: {
        Metadata: null,
        MessageType: 'candidate-created',
        MessageId: 'a9757a12-a80e-4e32-9bab-e3d65a4b3a92',
        CorrelationId: 'd3e35fe4-ad84-46c0-b54f-3a6dc779630d',
      },
      Body: { contents: 'bodycontents' },
    },
  };
}

export function request(headers: Record<string, string | undefined>, body: string | Buffer | object) {
  return {
    headers,
    body: Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8'),
  };
}

/**
 * The HTTP answer to the refusal `action` throws (an EventsRequestError, mapped as the API maps it), failing the
 * test when it returns or throws anything else.
 */
export function httpErrorOf(action: () => unknown): HttpError {
  try {
    action();
  } catch (error) {
    if (error instanceof EventsRequestError) return mapToHttp(error)!;
    throw error;
  }
  throw new Error('expected an EventsRequestError, but nothing was thrown');
}

// --- fast-check arbitraries -----------------------------------------------------------------------------------

/** Text allowed in id / type / subject: any well-formed Unicode without control characters. */
export const plainText = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 24 })
  .filter((text) => plainTextProblem(text) === undefined);

export const uriReference = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.stringMatching(/^\/[a-z0-9\-._~/]{0,30}$/),
  fc.constantFrom('urn:example:shop', 'mailto:orders@example.com', 'orders', '//cdn.example.com/x', '../up?q=1#f'),
);

const zoned = fc
  .tuple(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true }), fc.constantFrom('Z', '+05:30', '-08:00', '+00:00'))
  .map(([date, zone]) => date.toISOString().replace('Z', zone));

export const rfc3339 = zoned;

const extensionName = fc
  .stringMatching(/^[a-z0-9]{1,20}$/)
  .filter((name) => !Object.hasOwn(ATTRIBUTE_RULES, name));

/** Extension attributes with any CloudEvents-typed value (structured mode keeps the JSON type). */
export const typedExtensions = fc.dictionary(
  extensionName,
  fc.oneof(fc.string(), fc.boolean(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  { maxKeys: 4 },
);

/** Extension attributes as binary mode can carry them: strings only. */
export const stringExtensions = fc.dictionary(extensionName, fc.string({ unit: 'grapheme', maxLength: 20 }), { maxKeys: 4 });

const attributes = fc.record(
  {
    specversion: fc.constant('1.0' as const),
    id: plainText,
    source: uriReference,
    type: plainText,
    subject: plainText,
    time: rfc3339,
    dataschema: fc.webUrl(),
    partitionkey: plainText,
  },
  { requiredKeys: ['specversion', 'id', 'source', 'type'] },
);

const dataPart = fc.oneof(
  fc.constant({}),
  fc.record({ datacontenttype: fc.constant('application/json'), data: fc.jsonValue() }),
  fc.record({ data: fc.jsonValue() }),
  fc.record({ datacontenttype: fc.constant('text/plain'), data: fc.string() }),
  fc.record({ datacontenttype: fc.constant('image/png'), data_base64: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')) }),
);

/** Any valid CloudEvent in its JSON form. */
export const validEvent: fc.Arbitrary<CloudEventJson> = fc
  .tuple(typedExtensions, attributes, dataPart)
  .map(([extensions, context, data]) => ({ ...extensions, ...context, ...data }) as CloudEventJson);

/** Any valid CloudEvent whose every member survives binary mode: string extensions, data matching its content type. */
export const binaryEvent: fc.Arbitrary<CloudEventJson> = fc
  .tuple(
    stringExtensions,
    attributes,
    fc.oneof(
      fc.constant({}),
      fc.record({ datacontenttype: fc.constantFrom('application/json', 'application/vnd.example+json; charset=utf-8'), data: fc.jsonValue() }),
      fc.record({ datacontenttype: fc.constantFrom('text/plain', 'text/csv; charset=UTF-8'), data: fc.string({ unit: 'grapheme', minLength: 1 }) }),
      fc.record({
        datacontenttype: fc.constantFrom('application/octet-stream', 'image/png', 'text/plain; charset=iso-8859-1'),
        data_base64: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')),
      }),
    ),
  )
  .map(([extensions, context, data]) => ({ ...extensions, ...context, ...data }) as CloudEventJson);
