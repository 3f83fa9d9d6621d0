import { CloudEvent, HTTP, type CloudEventV1 } from 'cloudevents';
import fc from 'fast-check';
import { parseEventsRequest } from '../../../src/events/parseEventsRequest';
import { toBinaryRequest } from '../../../src/events/toBinaryRequest';
import { validateCloudEvent } from '../../../src/events/validateCloudEvent';
import { EventsRequestError } from '../../../src/events/errors';
import { binaryEvent, goodEnvelope, goodEvent, goodEventWithout, httpErrorOf, request, validEvent } from './fixtures';

const STRUCTURED = { 'content-type': 'application/cloudevents+json' };
const BATCH = { 'content-type': 'application/cloudevents-batch+json' };
const JSON_TYPE = { 'content-type': 'application/json' };
const BINARY = { 'ce-specversion': '1.0', 'ce-id': 'order-1042', 'ce-source': '/shop/orders', 'ce-type': 'com.example.orders.created' };

describe('parseEventsRequest', () => {
  describe('structured mode', () => {
    it('returns the one event of an application/cloudevents+json body unchanged', () => {
      expect(parseEventsRequest(request(STRUCTURED, goodEvent()))).toEqual([goodEvent()]);
    });

    it.each(['application/cloudevents+json; charset=utf-8', 'Application/CloudEvents+JSON;charset="UTF-8"', 'application/cloudevents+json ; charset=utf8'])(
      'accepts the content type %j',
      (contentType) => {
        expect(parseEventsRequest(request({ 'content-type': contentType }, goodEvent()))).toEqual([goodEvent()]);
      },
    );

    it('refuses a charset other than UTF-8 with 415', () => {
      const error = httpErrorOf(() =>
        parseEventsRequest(request({ 'content-type': 'application/cloudevents+json; charset=iso-8859-1' }, goodEvent())),
      );
      expect(error).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    });

    it('reports a missing source as invalid_event with index 0', () => {
      const error = httpErrorOf(() => parseEventsRequest(request(STRUCTURED, goodEventWithout('source'))));
      expect(error.status).toBe(400);
      expect(error.toBody()).toEqual({
        error: { code: 'invalid_event', message: 'Invalid event: source required', details: [{ index: 0, field: 'source', message: 'required' }] },
      });
    });

    it('refuses a JSON array with a hint to use batch mode', () => {
      const error = httpErrorOf(() => parseEventsRequest(request(STRUCTURED, [goodEvent()])));
      expect(error).toMatchObject({ status: 400, code: 'invalid_event' });
      expect(error.details?.[0]).toMatchObject({ index: 0, field: 'body', message: expect.stringContaining('cloudevents-batch+json') });
    });

    it.each([
      ['malformed JSON', '{"specversion":'],
      ['an empty body', ''],
      ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
    ])('answers %s with 400 invalid_json naming the body', (_label, body) => {
      const error = httpErrorOf(() => parseEventsRequest(request(STRUCTURED, body)));
      expect(error).toMatchObject({ status: 400, code: 'invalid_json' });
      expect(error.details).toEqual([{ index: 0, field: 'body', message: expect.any(String) }]);
    });

    it('does not echo the body in the invalid_json message', () => {
      const error = httpErrorOf(() => parseEventsRequest(request(STRUCTURED, '{"secret":"hunter2"')));
      expect(JSON.stringify(error.toBody())).not.toContain('hunter2');
    });

    it('uses structured mode even when ce-* headers are present too', () => {
      const headers = { ...STRUCTURED, 'ce-id': 'from-header' };
      expect(parseEventsRequest(request(headers, goodEvent()))).toEqual([goodEvent()]);
    });

    it('accepts events that the cloudevents SDK emits in structured mode', () => {
      const sdkEvent = new CloudEvent({ id: '1', source: '/sdk', type: 'com.example.sdk', data: { ok: true }, region: 'syd' });
      const message = HTTP.structured(sdkEvent);
      const [event] = parseEventsRequest(request(message.headers as Record<string, string>, message.body as string));
      expect(event).toMatchObject({ id: '1', source: '/sdk', type: 'com.example.sdk', data: { ok: true }, region: 'syd' });
      // The parsed event is also a CloudEventV1 to the SDK's types.
      const typed: CloudEventV1<unknown> = event;
      expect(typed.specversion).toBe('1.0');
    });
  });

  describe('batch mode', () => {
    it('returns the events of a batch in request order', () => {
      const events = [1, 2, 3].map((n) => goodEvent({ id: `order-${n}` }));
      expect(parseEventsRequest(request(BATCH, events)).map((event) => event.id)).toEqual(['order-1', 'order-2', 'order-3']);
    });

    it('reports every error of every bad event with its position in the batch', () => {
      const events = [
        goodEvent(),
        goodEventWithout('type'),
        goodEvent(),
        goodEvent({ source: '', time: 'noon' }),
        goodEvent({ specversion: '0.3', data_base64: 'AA==' }),
      ];
      const error = httpErrorOf(() => parseEventsRequest(request(BATCH, events)));
      expect(error).toMatchObject({ status: 400, code: 'invalid_event', message: '5 validation errors in 3 events; none was accepted' });
      expect(error.details?.map(({ index, field }) => ({ index, field }))).toEqual([
        { index: 1, field: 'type' },
        { index: 3, field: 'source' },
        { index: 3, field: 'time' },
        { index: 4, field: 'specversion' },
        { index: 4, field: 'data_base64' },
      ]);
    });

    it('refuses an empty array with 400', () => {
      const error = httpErrorOf(() => parseEventsRequest(request(BATCH, [])));
      expect(error).toMatchObject({ status: 400, code: 'invalid_event' });
      expect(error.details?.[0].message).toContain('at least one event');
    });

    it('refuses a body that is not an array with 400', () => {
      expect(httpErrorOf(() => parseEventsRequest(request(BATCH, goodEvent())))).toMatchObject({ status: 400, code: 'invalid_event' });
    });

    it('accepts 500 events and refuses 501', () => {
      const events = Array.from({ length: 501 }, (_, n) => ({ specversion: '1.0', id: `${n}`, source: '/s', type: 't' }));
      expect(parseEventsRequest(request(BATCH, events.slice(0, 500)))).toHaveLength(500);
      const error = httpErrorOf(() => parseEventsRequest(request(BATCH, events)));
      expect(error).toMatchObject({ status: 400, code: 'invalid_event' });
      expect(error.details?.[0].message).toContain('at most 500 events (got 501)');
    });

    it('honours a smaller maxBatchSize', () => {
      const events = [goodEvent(), goodEvent({ id: '2' })];
      expect(httpErrorOf(() => parseEventsRequest(request(BATCH, events), { maxBatchSize: 1 })).status).toBe(400);
    });
  });

  describe('size limits', () => {
    it('answers a body over maxRequestBytes with 413 before reading it', () => {
      const error = httpErrorOf(() => parseEventsRequest(request(STRUCTURED, 'not even json'), { maxRequestBytes: 4 }));
      expect(error).toMatchObject({ status: 413, code: 'payload_too_large' });
    });

    it('allows a body of exactly 4 MiB by default but not one byte more', () => {
      const padding = (size: number) => {
        const event = goodEvent({ data: '' });
        const base = Buffer.byteLength(JSON.stringify(event));
        return Buffer.from(JSON.stringify({ ...event, data: 'x'.repeat(size - base) }));
      };
      const limits = { maxEventBytes: 8 * 1024 * 1024 };
      expect(parseEventsRequest(request(STRUCTURED, padding(4 * 1024 * 1024)), limits)).toHaveLength(1);
      expect(httpErrorOf(() => parseEventsRequest(request(STRUCTURED, padding(4 * 1024 * 1024 + 1)), limits)).status).toBe(413);
    });

    it('answers an event over 256 KiB with 413 naming its index', () => {
      const big = goodEvent({ id: 'big', data: 'x'.repeat(256 * 1024) });
      const error = httpErrorOf(() => parseEventsRequest(request(BATCH, [goodEvent(), big])));
      expect(error).toMatchObject({ status: 413, code: 'payload_too_large' });
      expect(error.details).toEqual([{ index: 1, field: 'event', message: expect.stringContaining('the limit is 262144 bytes') }]);
    });

    it('measures an event as its serialized JSON, so 256 KiB exactly is allowed', () => {
      const event = goodEvent({ data: '' });
      const base = Buffer.byteLength(JSON.stringify(event));
      const exact = { ...event, data: 'x'.repeat(256 * 1024 - base) };
      expect(parseEventsRequest(request(STRUCTURED, exact))).toHaveLength(1);
      expect(httpErrorOf(() => parseEventsRequest(request(STRUCTURED, { ...exact, data: `${exact.data}x` }))).status).toBe(413);
    });

    it('counts binary data as its base64 in the event size', () => {
      const body = Buffer.alloc(200 * 1024); // 200 KiB of bytes is ~267 KiB of base64
      const error = httpErrorOf(() => parseEventsRequest(request({ ...BINARY, 'content-type': 'application/octet-stream' }, body)));
      expect(error).toMatchObject({ status: 413, details: [{ index: 0, field: 'event' }] });
    });

    it('refuses data nested too deeply to serialize with 400, not a crash', () => {
      const depth = 1_000_000;
      const body = `{"specversion":"1.0","id":"1","source":"/s","type":"t","data":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const error = httpErrorOf(() => parseEventsRequest(request(STRUCTURED, body), { maxRequestBytes: 4 * depth }));
      expect(error).toMatchObject({ status: 400, details: [{ index: 0, field: 'event', message: 'is nested too deeply to serialize' }] });
    });
  });

  describe('unsupported content types', () => {
    it.each([undefined, 'text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/cloudevents', 'not a media type'])(
      'answers content type %j without ce-* headers with 415',
      (contentType) => {
        const error = httpErrorOf(() => parseEventsRequest(request({ 'content-type': contentType }, goodEvent())));
        expect(error).toMatchObject({ status: 415, code: 'unsupported_media_type' });
      },
    );
  });

  describe('binary mode', () => {
    it('takes attributes from ce-* headers and parses a JSON body into data', () => {
      const [event] = parseEventsRequest(request({ ...BINARY, 'content-type': 'application/json' }, { total: 120 }));
      expect(event).toEqual({
        specversion: '1.0',
        id: 'order-1042',
        source: '/shop/orders',
        type: 'com.example.orders.created',
        datacontenttype: 'application/json',
        data: { total: 120 },
      });
    });

    it('parses any +json media type into data', () => {
      const [event] = parseEventsRequest(request({ ...BINARY, 'content-type': 'application/vnd.example.order+json; charset=utf-8' }, '[1,2]'));
      expect(event.data).toEqual([1, 2]);
    });

    it('keeps a text/* body as a string', () => {
      const [event] = parseEventsRequest(request({ ...BINARY, 'content-type': 'text/plain; charset=utf-8' }, 'héllo wörld'));
      expect(event).toMatchObject({ datacontenttype: 'text/plain; charset=utf-8', data: 'héllo wörld' });
      expect(event.data_base64).toBeUndefined();
    });

    it('keeps any other body as data_base64', () => {
      const bytes = Buffer.from([0, 1, 2, 254, 255]);
      const [event] = parseEventsRequest(request({ ...BINARY, 'content-type': 'image/png' }, bytes));
      expect(event).toMatchObject({ datacontenttype: 'image/png', data_base64: bytes.toString('base64') });
      expect(event.data).toBeUndefined();
    });

    it('keeps text in a charset other than UTF-8 as its bytes', () => {
      const latin1 = Buffer.from('café', 'latin1');
      const [event] = parseEventsRequest(request({ ...BINARY, 'content-type': 'text/plain; charset=iso-8859-1' }, latin1));
      expect(event.data_base64).toBe(latin1.toString('base64'));
    });

    it('keeps text that is not valid UTF-8 as its bytes rather than mangling it', () => {
      const bytes = Buffer.from([0x68, 0xff, 0x69]);
      const [event] = parseEventsRequest(request({ ...BINARY, 'content-type': 'text/plain' }, bytes));
      expect(event.data_base64).toBe(bytes.toString('base64'));
    });

    it('keeps a body without Content-Type as data_base64 and no datacontenttype', () => {
      const [event] = parseEventsRequest(request(BINARY, 'raw'));
      expect(event).toMatchObject({ data_base64: Buffer.from('raw').toString('base64') });
      expect(event.datacontenttype).toBeUndefined();
    });

    it('gives an event without data for an empty body', () => {
      const [event] = parseEventsRequest(request(BINARY, ''));
      expect(event).toEqual({ specversion: '1.0', id: 'order-1042', source: '/shop/orders', type: 'com.example.orders.created' });
    });

    it('reports a JSON body that does not parse as a 400 naming field data', () => {
      const error = httpErrorOf(() => parseEventsRequest(request({ ...BINARY, 'content-type': 'application/json' }, '{"total":')));
      expect(error).toMatchObject({ status: 400, code: 'invalid_event' });
      expect(error.details).toEqual([{ index: 0, field: 'data', message: expect.stringContaining('not valid JSON') }]);
    });

    it('percent-decodes header values as UTF-8 (HTTP binding §3.1.3.2)', () => {
      const headers = {
        ...BINARY,
        'ce-id': 'caf%C3%A9%20%22100%25%22',
        'ce-subject': '%E2%82%AC%20%F0%9F%98%80',
        'ce-source': '/shop%2Forders',
        'ce-region': 'ap%2Dsoutheast%2D2',
      };
      const [event] = parseEventsRequest(request(headers, ''));
      expect(event).toMatchObject({ id: 'café "100%"', subject: '€ 😀', source: '/shop/orders', region: 'ap-southeast-2' });
    });

    it.each(['50%', '%zz', '%C3', '%C0%80'])('reports the malformed percent-encoding %j under its attribute', (value) => {
      const error = httpErrorOf(() => parseEventsRequest(request({ ...BINARY, 'ce-id': value }, '')));
      expect(error.details).toEqual([{ index: 0, field: 'id', message: 'header ce-id is not valid percent-encoded UTF-8' }]);
    });

    it('validates header attributes like any event, reporting every failure', () => {
      const headers = { 'ce-id': 'x', 'ce-source': 'not a uri', 'ce-time': 'today', 'ce-Bad_Name': 'v' };
      const error = httpErrorOf(() => parseEventsRequest(request(headers, '')));
      expect(error.details?.map((detail) => detail.field)).toEqual(['specversion', 'source', 'type', 'time', 'Bad_Name']);
    });

    it('refuses data sent as a ce-data header', () => {
      const error = httpErrorOf(() => parseEventsRequest(request({ ...BINARY, 'ce-data': '{}' }, '')));
      expect(error.details).toEqual([{ index: 0, field: 'data', message: expect.stringContaining('the body is the data') }]);
    });

    it('accepts events that the cloudevents SDK emits in binary mode', () => {
      const sdkEvent = new CloudEvent({ id: '7', source: '/sdk', type: 'com.example.sdk', subject: 's', data: { n: 1 }, traceparent: 'abc' });
      const message = HTTP.binary(sdkEvent);
      const [event] = parseEventsRequest(request(message.headers as Record<string, string>, message.body as string));
      expect(event).toMatchObject({ id: '7', source: '/sdk', type: 'com.example.sdk', subject: 's', data: { n: 1 }, traceparent: 'abc', time: sdkEvent.time });
    });
  });

  describe('PageUp envelopes (application/json)', () => {
    it('converts one envelope into a CloudEvent', () => {
      expect(parseEventsRequest(request(JSON_TYPE, goodEnvelope()))).toEqual([
        {
          specversion: '1.0',
          id: 'a9757a12-a80e-4e32-9bab-e3d65a4b3a92',
          source: 'pageup-recruitment',
          type: 'candidate-created',
          time: '2017-07-21T00:28:54.2282942Z',
          correlationid: 'd3e35fe4-ad84-46c0-b54f-3a6dc779630d',
          instanceid: 'instance-42',
          datacontenttype: 'application/json',
          data: { contents: 'bodycontents' },
        },
      ]);
    });

    it('converts an array of envelopes as a batch, reporting failures by index and PageUp path', () => {
      const broken = goodEnvelope();
      delete broken.Message.Header.MessageType;
      const error = httpErrorOf(() => parseEventsRequest(request(JSON_TYPE, [goodEnvelope(), broken])));
      expect(error.details).toEqual([{ index: 1, field: 'Message.Header.MessageType', message: 'required' }]);
    });

    it('accepts a CloudEvent sent as application/json, recognised by specversion', () => {
      expect(parseEventsRequest(request(JSON_TYPE, goodEvent()))).toEqual([goodEvent()]);
    });

    it('reports a JSON object that is neither as missing PageUp fields', () => {
      const error = httpErrorOf(() => parseEventsRequest(request(JSON_TYPE, { hello: 'world' })));
      expect(error.details?.map((detail) => detail.field)).toEqual([
        'Message.Header.MessageId',
        'Header.Origin',
        'Message.Header.MessageType',
        'Message.Body',
      ]);
    });
  });

  describe('properties', () => {
    const contentTypes = fc.oneof(
      fc.constantFrom(
        undefined,
        'application/cloudevents+json',
        'application/cloudevents-batch+json',
        'application/json',
        'application/cloudevents+json; charset=latin1',
        'text/plain',
        'application/octet-stream',
        'application/vnd.x+json',
      ),
      fc.string(),
    );
    const ceHeaders = fc.dictionary(
      fc.constantFrom('ce-specversion', 'ce-id', 'ce-source', 'ce-type', 'ce-time', 'ce-data', 'ce-Odd', 'ce-', 'ce-ext'),
      fc.oneof(fc.string(), fc.constantFrom('1.0', '/s', '%', '%E2%82', '2024-01-01T00:00:00Z')),
      { maxKeys: 5 },
    );
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
      fc.string({ unit: 'binary' }).map((text) => Buffer.from(text)),
      fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value))),
      fc.array(fc.oneof(validEvent, fc.anything()), { maxLength: 4 }).map((items) => Buffer.from(JSON.stringify(items) ?? '')),
      fc.tuple(validEvent, fc.string(), fc.anything()).map(([event, key, value]) => Buffer.from(JSON.stringify({ ...event, [key]: value }) ?? '')),
    );

    it('throws nothing but an EventsRequestError (a 4xx answer), and returns only valid events (a)', () => {
      fc.assert(
        fc.property(contentTypes, ceHeaders, bodies, fc.option(fc.integer({ min: 1, max: 400 })), (contentType, headers, body, maxEventBytes) => {
          try {
            const events = parseEventsRequest(request({ ...headers, 'content-type': contentType }, body), {
              maxEventBytes: maxEventBytes ?? undefined,
            });
            expect(events.length).toBeGreaterThan(0);
            events.forEach((event, index) => expect(validateCloudEvent(event, index)).toEqual([]));
          } catch (error) {
            expect(error).toBeInstanceOf(EventsRequestError);
            const answer = httpErrorOf(() => {
              throw error;
            });
            expect(answer.status).toBeGreaterThanOrEqual(400);
            expect(answer.status).toBeLessThan(500);
          }
        }),
        { numRuns: 500 },
      );
    });

    it('returns any valid event unchanged in structured and batch modes (b)', () => {
      fc.assert(
        fc.property(validEvent, fc.array(validEvent, { minLength: 1, maxLength: 10 }), (event, batch) => {
          const structuredBody = JSON.stringify(event);
          expect(parseEventsRequest(request(STRUCTURED, structuredBody))).toEqual([JSON.parse(structuredBody)]);
          const batchBody = JSON.stringify(batch);
          expect(parseEventsRequest(request(BATCH, batchBody))).toEqual(JSON.parse(batchBody));
        }),
      );
    });

    it('round-trips any event through binary mode, attributes percent-encoded (c)', () => {
      fc.assert(
        fc.property(binaryEvent, (event) => {
          const expected = JSON.parse(JSON.stringify(event));
          const binary = toBinaryRequest(event);
          // Every header value must be legal HTTP field content: visible ASCII only.
          Object.values(binary.headers).forEach((value) => expect(value).toMatch(/^[\x20-\x7e]*$/));
          expect(parseEventsRequest({ headers: binary.headers, body: binary.body })).toEqual([expected]);
        }),
      );
    });
  });
});
