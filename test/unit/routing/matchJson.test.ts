import fc from 'fast-check';
import { compilePattern, SubscriptionMatcher } from '../../../src/routing';

describe('SubscriptionMatcher.matchJson', () => {
  const matcher = new SubscriptionMatcher([
    { id: 'name', filter: { data: { name: ['Zoë "Z" \\ Smith'] } } },
    { id: 'escaped-key', filter: { data: { AB: ['x'] } } },
    { id: 'late', filter: { tail: { value: [1] } } },
    { id: 'number', filter: { data: { n: [{ numeric: ['=', 1e21] }] } } },
  ]);

  it('reads escaped strings and keys', () => {
    expect(matcher.matchJson('{"data": {"name": "Zo\\u00eb \\"Z\\" \\\\ Smith"}}')).toEqual(['name']);
    expect(matcher.matchJson('{"data": {"\\u0041B": "x"}}')).toEqual(['escaped-key']);
  });

  it('finds fields after large skipped values, and in any order', () => {
    const big = JSON.stringify({ coordinates: Array.from({ length: 200 }, (_, i) => ({ x: i, s: `}]"${i}` })) });
    expect(matcher.matchJson(`{"skipped": ${big}, "tail": {"value": 1}}`)).toEqual(['late']);
    expect(matcher.matchJson(`{"tail": {"other": ${big}, "value": 1}, "x": ${big}}`)).toEqual(['late']);
    expect(matcher.matchJson(`{"tail": {"other": ${big}}, "x": ${big}}`)).toEqual([]);
  });

  it('sees every value of a key given twice', () => {
    expect(matcher.matchJson('{"tail": {"value": 2}, "tail": {"value": 1}}')).toEqual(['late']);
    expect(matcher.matchJson('{"tail": {"value": 1}, "tail": {"value": 2}}')).toEqual(['late']);
  });

  it('reads dotted keys as paths', () => {
    expect(matcher.matchJson('{"tail.value": 1}')).toEqual(['late']);
  });

  it('accepts any JSON whitespace', () => {
    expect(matcher.matchJson('\n\t{ "tail" :\r\n{ "value" :1 } }  ')).toEqual(['late']);
  });

  it('reads exponents and large numbers', () => {
    expect(matcher.matchJson('{"data": {"n": 1e21}}')).toEqual(['number']);
    expect(matcher.matchJson('{"data": {"n": 1000000000000000000000}}')).toEqual(['number']);
    expect(matcher.matchJson('{"data": {"n": 1E+21}}')).toEqual(['number']);
  });

  it('reads every double exactly as JSON.parse does, however it is spelled', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.nat({ max: 3 }), (value, zeros) => {
        const pattern = compilePattern({ x: [{ numeric: ['=', value] }] });
        const text = JSON.stringify(value);
        expect(pattern.matchesJson(`{"x": ${text}}`)).toBe(true);
        // Trailing zeros do not change the value, so the number stays comparable.
        const padded = text.includes('e') || !text.includes('.') ? text : text + '0'.repeat(zeros);
        expect(pattern.matchesJson(`{"x": ${padded}}`)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads short decimals exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: -999_999_999, max: 999_999_999 }), fc.nat({ max: 20 }), (digits, shift) => {
        const text = `${digits}e-${shift}`;
        const plain = (digits / 10 ** shift).toString();
        const viaText = Number(text);
        const pattern = compilePattern({ x: [{ numeric: ['=', viaText] }] });
        expect(pattern.matchesJson(`{"x": ${text}}`)).toBe(true);
        expect(pattern.matchesJson(`{"x": ${JSON.stringify(Number(plain))}}`)).toBe(Number(plain) === viaText);
      }),
      { numRuns: 3000 },
    );
  });

  it('throws on malformed JSON in the parts it reads', () => {
    expect(() => matcher.matchJson('{"tail": {"value": 1}')).toThrow(SyntaxError);
    expect(() => matcher.matchJson('{"tail" {"value": 1}}')).toThrow(SyntaxError);
    expect(() => matcher.matchJson('{"tail": {"value": 01}}')).toThrow(SyntaxError);
    expect(() => matcher.matchJson('{"tail": {"value": tru}}')).toThrow(SyntaxError);
    expect(() => matcher.matchJson('{"tail": {"value": [1, 2}}')).toThrow(SyntaxError);
    expect(() => matcher.matchJson('{"x": "unterminated}')).toThrow(SyntaxError);
    expect(() => matcher.matchJson('{"tail": {"value": 1}} extra')).toThrow(SyntaxError);
  });

  it('does not read, so does not check, what follows once no referenced key can come', () => {
    expect(matcher.matchJson(`{"tail": {"value": 1}, "x": [${'1, '.repeat(500)}2}`)).toEqual(['late']);
  });

  it('is not thrown off by brackets and quotes inside skipped strings', () => {
    expect(matcher.matchJson('{"a": ["]}\\"{[", {"b": "}"}], "tail": {"value": 1}}')).toEqual(['late']);
  });
});
