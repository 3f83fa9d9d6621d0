import fc from 'fast-check';
import { eventAad } from '../../../src/crypto';

describe('eventAad', () => {
  it('tells apart pairs that concatenate alike', () => {
    expect(eventAad('a/b', 'c').equals(eventAad('a', 'b/c'))).toBe(false);
    expect(eventAad('ab', '').equals(eventAad('a', 'b'))).toBe(false);
    expect(eventAad('', 'ab').equals(eventAad('ab', ''))).toBe(false);
    expect(eventAad('a",', 'b').equals(eventAad('a', ',"b'))).toBe(false);
  });

  it('tells apart strings that differ only in lone surrogates (lossy in plain UTF-8)', () => {
    expect(eventAad('/s', '\uD800').equals(eventAad('/s', '\uDBFF'))).toBe(false);
  });

  it('is deterministic', () => {
    expect(eventAad('/shop', 'evt-1')).toEqual(eventAad('/shop', 'evt-1'));
  });

  it('gives distinct AADs for distinct (source, id) pairs', () => {
    // Separators, quotes and lone surrogates are over-represented: they are where encodings collide.
    const text = fc.string({
      unit: fc.oneof(fc.constantFrom('\uD800', '\uDFFF', '"', ',', '/', '\\', '#'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
      maxLength: 6,
    });
    fc.assert(
      fc.property(text, text, text, text, (s1, i1, s2, i2) => {
        fc.pre(s1 !== s2 || i1 !== i2);
        return !eventAad(s1, i1).equals(eventAad(s2, i2));
      }),
    );
  });
});
