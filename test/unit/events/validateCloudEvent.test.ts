import fc from 'fast-check';
import { validateCloudEvent } from '../../../src/events/validateCloudEvent';
import { goodEvent, goodEventWithout, validEvent } from './fixtures';

describe('validateCloudEvent', () => {
  it('accepts the good fixture with no errors', () => {
    expect(validateCloudEvent(goodEvent(), 0)).toEqual([]);
  });

  it('accepts a minimal event of the four required attributes', () => {
    expect(validateCloudEvent({ specversion: '1.0', id: '1', source: 'urn:x', type: 't' }, 0)).toEqual([]);
  });

  it.each(['specversion', 'id', 'source', 'type'])('reports %s as required when it is missing', (attribute) => {
    expect(validateCloudEvent(goodEventWithout(attribute), 3)).toEqual([{ index: 3, field: attribute, message: 'required' }]);
  });

  it.each(['subject', 'time', 'datacontenttype', 'dataschema', 'data'])('accepts an event without the optional %s', (attribute) => {
    expect(validateCloudEvent(goodEventWithout(attribute), 0)).toEqual([]);
  });

  // One mutation of the good fixture per row: [attribute, bad value, expected message fragment].
  it.each<[string, unknown, string]>([
    ['specversion', '0.3', 'must be "1.0" (got "0.3")'],
    ['specversion', 1, 'must be a string (got integer 1)'],
    ['id', '', 'must not be empty'],
    ['id', 42, 'must be a string (got integer 42)'],
    ['id', null, 'must be a string (got null)'],
    ['id', 'a\u0000b', 'must not contain control characters'],
    ['id', 'line\nbreak', 'must not contain control characters'],
    ['id', 'del\u007f', 'must not contain control characters'],
    ['id', 'c1\u0085', 'must not contain control characters'],
    ['id', 'half\ud800', 'must be well-formed Unicode (unpaired surrogate)'],
    ['source', '', 'must not be empty'],
    ['source', 'has space', 'must be a URI-reference (RFC 3986) (got "has space")'],
    ['source', '1:not-a-scheme', 'must be a URI-reference'],
    ['source', '/bad%zzescape', 'must be a URI-reference'],
    ['source', 'http://host name/', 'must be a URI-reference'],
    ['source', '/tab\there', 'must not contain control characters'],
    ['source', '/ünïcode', 'must be a URI-reference'],
    ['type', '', 'must not be empty'],
    ['type', ['a'], 'must be a string (got an array)'],
    ['type', 'com.example\r\n', 'must not contain control characters'],
    ['subject', '', 'must not be empty'],
    ['subject', 'tab\tsubject', 'must not contain control characters'],
    ['time', '2024-05-01 12:00:00', 'must be an RFC 3339 timestamp'],
    ['time', '2024-05-01T12:00:00', 'must be an RFC 3339 timestamp'],
    ['time', '2023-02-29T00:00:00Z', 'must be an RFC 3339 timestamp'],
    ['time', '2024-05-01T24:00:00Z', 'must be an RFC 3339 timestamp'],
    ['time', '2016-12-31T23:59:60Z', 'must be an RFC 3339 timestamp'],
    ['time', '2024-05-01T12:00:00+0100', 'must be an RFC 3339 timestamp'],
    ['time', 1714564800000, 'must be a string (got integer 1714564800000)'],
    ['datacontenttype', 'json', 'must be a media type'],
    ['datacontenttype', '', 'must not be empty'],
    ['dataschema', '/relative/schema.json', 'must be an absolute URI (RFC 3986)'],
    ['dataschema', '', 'must not be empty'],
    ['partitionkey', '', 'must not be empty'],
    ['partitionkey', 7, 'must be a string (got integer 7)'],
  ])('reports %s = %j', (attribute, value, message) => {
    const errors = validateCloudEvent(goodEvent({ [attribute]: value }), 1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ index: 1, field: attribute });
    expect(errors[0].message).toContain(message);
  });

  it.each([
    ['a URN', 'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66'],
    ['an absolute URL with query and fragment', 'https://shop.example.com/orders?x=1#frag'],
    ['an absolute path', '/shop/orders'],
    ['a bare relative path', 'orders'],
    ['a network-path reference', '//example.com/orders'],
    ['an IPv6 host', 'http://[2001:db8::1]:8080/x'],
    ['percent-encoded octets', '/caf%C3%A9'],
  ])('accepts %s as source', (_label, source) => {
    expect(validateCloudEvent(goodEvent({ source }), 0)).toEqual([]);
  });

  it.each([
    ['UTC with nanoseconds', '2024-05-01T12:00:00.123456789Z'],
    ['a positive offset', '2024-05-01T12:00:00+10:00'],
    ['lower-case t and z', '2024-05-01t12:00:00z'],
    ['a leap day', '2024-02-29T00:00:00Z'],
  ])('accepts time with %s', (_label, time) => {
    expect(validateCloudEvent(goodEvent({ time }), 0)).toEqual([]);
  });

  it('accepts extension attributes of type string, boolean and 32-bit integer', () => {
    const event = goodEvent({ region: 'ap-southeast-2', sampled: true, priority: -(2 ** 31), retries: 2 ** 31 - 1 });
    expect(validateCloudEvent(event, 0)).toEqual([]);
  });

  it('accepts an extension name of exactly 20 characters', () => {
    expect(validateCloudEvent(goodEvent({ abcdefghij0123456789: 'x' }), 0)).toEqual([]);
  });

  it.each([
    ['upper-case letters', 'Tenant'],
    ['an underscore', 'tenant_id'],
    ['a dash', 'tenant-id'],
    ['21 characters', 'abcdefghij01234567890'],
    ['the prototype key', '__proto__'],
  ])('rejects an extension name with %s', (_label, name) => {
    const event: Record<string, unknown> = goodEvent();
    Object.defineProperty(event, name, { value: 'x', enumerable: true });
    expect(validateCloudEvent(event, 2)).toEqual([
      { index: 2, field: name, message: 'is not a valid extension name: use 1-20 lower-case letters or digits' },
    ]);
  });

  it.each<[string, unknown]>([
    ['an object', { a: 1 }],
    ['an array', [1]],
    ['null', null],
    ['number 1.5', 1.5],
    ['integer 2147483648', 2 ** 31],
  ])('rejects an extension value that is %s', (kind, value) => {
    expect(validateCloudEvent(goodEvent({ tenant: value }), 0)).toEqual([
      { index: 0, field: 'tenant', message: `must be a string, a boolean or a 32-bit integer (got ${kind})` },
    ]);
  });

  it('rejects data together with data_base64', () => {
    expect(validateCloudEvent(goodEvent({ data_base64: 'AAEC' }), 0)).toEqual([
      { index: 0, field: 'data_base64', message: 'must not be present together with data (they are mutually exclusive)' },
    ]);
  });

  it('accepts data_base64 alone, including the empty payload', () => {
    expect(validateCloudEvent({ ...goodEventWithout('data'), data_base64: 'AAECAw==' }, 0)).toEqual([]);
    expect(validateCloudEvent({ ...goodEventWithout('data'), data_base64: '' }, 0)).toEqual([]);
  });

  it.each(['AAE', 'AA=C', 'AAEC====', 'AA EC', '_-8='])('rejects data_base64 %j that is not padded standard base64', (value) => {
    const errors = validateCloudEvent({ ...goodEventWithout('data'), data_base64: value }, 0);
    expect(errors).toEqual([{ index: 0, field: 'data_base64', message: expect.stringContaining('must be base64') }]);
  });

  it('accepts any JSON value as data, null included', () => {
    for (const data of [null, 0, 'text', [1, 2], { nested: { deep: true } }]) {
      expect(validateCloudEvent(goodEvent({ data }), 0)).toEqual([]);
    }
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['an array', [goodEvent()]],
    ['string', 'event'],
    ['integer 7', 7],
  ])('rejects a candidate that is %s rather than an object', (kind, candidate) => {
    expect(validateCloudEvent(candidate, 4)).toEqual([{ index: 4, field: 'event', message: `must be a JSON object (got ${kind})` }]);
  });

  it('reports every broken attribute of one event, in rule order', () => {
    const errors = validateCloudEvent({ specversion: '0.3', id: '', type: 'ok', time: 'yesterday', Bad: 1, data: 1, data_base64: 'AA==' }, 5);
    expect(errors.map((error) => [error.index, error.field])).toEqual([
      [5, 'specversion'],
      [5, 'id'],
      [5, 'source'],
      [5, 'time'],
      [5, 'Bad'],
      [5, 'data_base64'],
    ]);
  });

  it('quotes a long offending value shortened, never in full', () => {
    const [error] = validateCloudEvent(goodEvent({ source: `bad ${'x'.repeat(500)}` }), 0);
    expect(error.message.length).toBeLessThan(160);
  });

  it('finds no error in any generated valid event (property)', () => {
    fc.assert(fc.property(validEvent, (event) => validateCloudEvent(event, 0).length === 0));
  });

  it('never throws, whatever it is given (property)', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withObjectString: true }), fc.nat(), (candidate, index) => {
        const errors = validateCloudEvent(candidate, index);
        return errors.every((error) => error.index === index && typeof error.message === 'string');
      }),
    );
  });
});
