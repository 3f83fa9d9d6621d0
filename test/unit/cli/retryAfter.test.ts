import fc from 'fast-check';
import { parseRetryAfter } from '../../../src/cli/http/retryAfter';

describe('parseRetryAfter', () => {
  test('reads delay-seconds as milliseconds', () => {
    fc.assert(fc.property(fc.nat(1_000_000), (seconds) => parseRetryAfter(String(seconds)) === seconds * 1000));
    expect(parseRetryAfter(' 3 ')).toBe(3000);
  });

  test('reads an HTTP date as the time until it, never negative', () => {
    const now = Date.parse('2026-12-06T10:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: -86_400, max: 86_400 }), (offset) => {
        const header = new Date(now + offset * 1000).toUTCString();
        return parseRetryAfter(header, now) === Math.max(0, offset * 1000);
      }),
    );
  });

  test('answers undefined for an absent header and for text of neither form', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    for (const text of ['', '1.5', '-3', 'soon', '10s later']) expect(parseRetryAfter(text)).toBeUndefined();
    fc.assert(fc.property(fc.string().filter((text) => !/^\s*\d+\s*$/.test(text) && Number.isNaN(Date.parse(text))), (text) => parseRetryAfter(text) === undefined));
  });
});
