import fc from 'fast-check';
import { decodeHeaderValue, encodeHeaderValue } from '../../../src/events/percentEncoding';

describe('encodeHeaderValue', () => {
  it('leaves printable ASCII other than space, double quote and percent alone', () => {
    expect(encodeHeaderValue("/shop/orders?x=1&y=[2]#f!$'()*+,;=:@~")).toBe("/shop/orders?x=1&y=[2]#f!$'()*+,;=:@~");
  });

  it('encodes space, double quote, percent, controls and non-ASCII as UTF-8 octets', () => {
    expect(encodeHeaderValue('a b"c%d\te€😀')).toBe('a%20b%22c%25d%09e%E2%82%AC%F0%9F%98%80');
  });

  it('encodes an unpaired surrogate as U+FFFD instead of throwing', () => {
    expect(encodeHeaderValue('x\ud800')).toBe('x%EF%BF%BD');
  });
});

describe('decodeHeaderValue', () => {
  it('decodes percent-encoded UTF-8', () => {
    expect(decodeHeaderValue('caf%C3%A9%20%22x%22')).toBe('café "x"');
  });

  it('returns a value without % untouched', () => {
    expect(decodeHeaderValue('plain+value')).toBe('plain+value');
  });

  it.each(['%', '%4', '%zz', '%C3', '%C0%80', '%ED%A0%80'])('refuses the malformed %j', (value) => {
    expect(decodeHeaderValue(value)).toBeUndefined();
  });

  it('inverts encodeHeaderValue for any well-formed string, which encodes to visible ASCII (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary-ascii' }), (unicode, ascii) => {
        for (const value of [unicode, ascii]) {
          const encoded = encodeHeaderValue(value);
          expect(encoded).toMatch(/^[\x21-\x7e]*$/);
          expect(decodeHeaderValue(encoded)).toBe(value);
        }
      }),
    );
  });
});
