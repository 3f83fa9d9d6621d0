import { isBase64, isMediaType, isRfc3339, isUri, isUriReference, plainTextProblem } from '../../../src/events/formats';

describe('isUriReference', () => {
  it.each([
    'https://user:pw@example.com:8443/a/b?c=d#e',
    'http://[v1.fe80::a+en1]/',
    'http://192.0.2.1/',
    '/a/b;c',
    'a/b:c',
    '?only-query',
    '#only-fragment',
    '',
    'urn:isbn:0451450523',
  ])('accepts %j', (value) => {
    expect(isUriReference(value)).toBe(true);
  });

  it.each(['a b', 'http://ex ample.com', 'http://a@b@c/', 'http://[zz::1]/', 'http://host:80a/', '1a:b', '/%4', '/a?b c', '/a#b#c', '/"quoted"', '/<tag>', 'http://host/\\path'])(
    'refuses %j',
    (value) => {
      expect(isUriReference(value)).toBe(false);
    },
  );
});

describe('isUri', () => {
  it('wants a scheme', () => {
    expect(isUri('https://example.com/schema.json#/defs/x')).toBe(true);
    expect(isUri('//example.com/schema.json')).toBe(false);
    expect(isUri('schema.json')).toBe(false);
  });
});

describe('isRfc3339', () => {
  it.each([
    ['2000-02-29T00:00:00Z', true],
    ['1900-02-29T00:00:00Z', false],
    ['2024-04-31T00:00:00Z', false],
    ['2024-00-10T00:00:00Z', false],
    ['2024-01-01T00:60:00Z', false],
    ['2024-01-01T00:00:00+24:00', false],
    ['2024-01-01T00:00:00+01:60', false],
    ['2024-01-01T00:00:00.Z', false],
    ['+002024-01-01T00:00:00Z', false],
  ])('says %s is RFC 3339: %s', (value, expected) => {
    expect(isRfc3339(value)).toBe(expected);
  });
});

describe('isBase64 and isMediaType', () => {
  it('accept what they name and refuse the rest', () => {
    expect(isBase64('aGVsbG8=')).toBe(true);
    expect(isBase64('aGVsbG8')).toBe(false);
    expect(isMediaType('application/json; charset=utf-8')).toBe(true);
    expect(isMediaType('application json')).toBe(false);
  });
});

describe('plainTextProblem', () => {
  it('allows ordinary Unicode text, including surrogate pairs', () => {
    expect(plainTextProblem('Grüße 😀 订单')).toBeUndefined();
  });

  it('names control characters and unpaired surrogates', () => {
    expect(plainTextProblem('a\u001bb')).toBe('must not contain control characters');
    expect(plainTextProblem('\udc00x')).toBe('must be well-formed Unicode (unpaired surrogate)');
  });
});
