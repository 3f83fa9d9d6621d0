import { hasUtf8Charset, isJsonMediaType, parseMediaType } from '../../../src/events/mediaType';

describe('parseMediaType', () => {
  it('lower-cases type, subtype and parameter names, keeping parameter values', () => {
    expect(parseMediaType('Text/HTML; Charset=UTF-8; q="a;b \\"c\\""')).toEqual({
      type: 'text',
      subtype: 'html',
      essence: 'text/html',
      params: { charset: 'UTF-8', q: 'a;b "c"' },
    });
  });

  it('tolerates surrounding spaces and an empty parameter segment', () => {
    expect(parseMediaType('  application/json ;; charset=utf-8 ; ')?.params).toEqual({ charset: 'utf-8' });
  });

  it.each([undefined, '', 'json', 'application/', '/json', 'application/json charset=utf-8', 'application/json; charset', 'a b/c', 'text/plain; x="unterminated'])(
    'refuses %j',
    (value) => {
      expect(parseMediaType(value)).toBeUndefined();
    },
  );
});

describe('isJsonMediaType', () => {
  it.each([
    ['application/json', true],
    ['application/cloudevents+json', true],
    ['application/vnd.api+json; charset=utf-8', true],
    ['text/json', false],
    ['application/jsonp', false],
    ['text/plain', false],
  ])('classifies %s as JSON: %s', (value, expected) => {
    expect(isJsonMediaType(parseMediaType(value)!)).toBe(expected);
  });
});

describe('hasUtf8Charset', () => {
  it.each([
    ['application/json', true],
    ['text/plain; charset=UTF-8', true],
    ['text/plain; charset=utf8', true],
    ['text/plain; charset=iso-8859-1', false],
    ['text/plain; charset=utf-16', false],
  ])('says %s is UTF-8: %s', (value, expected) => {
    expect(hasUtf8Charset(parseMediaType(value)!)).toBe(expected);
  });
});
