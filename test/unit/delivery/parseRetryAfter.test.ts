import fc from 'fast-check';
import { parseRetryAfter } from '../../../src/delivery/parseRetryAfter';
import { MAX_RETRY_AFTER_MS } from '../../../src/delivery/constants';

const NOW = Date.parse('2025-03-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
  });

  it('reads an HTTP-date relative to now, and a past date as 0', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:00:30 GMT', NOW)).toBe(30_000);
    expect(parseRetryAfter('Sat, 01 Mar 2025 11:00:00 GMT', NOW)).toBe(0);
  });

  it('ignores what is neither', () => {
    for (const value of [undefined, '', '-5', '1.5', '10s', 'soon']) expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('caps the delay at 24 h', () => {
    expect(parseRetryAfter(String(7 * 24 * 3600), NOW)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('gives every non-negative integer back in milliseconds, within the cap', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 * 24 * 3600 }), (seconds) => {
        expect(parseRetryAfter(String(seconds), NOW)).toBe(Math.min(seconds * 1000, MAX_RETRY_AFTER_MS));
      }),
    );
  });

  it('round-trips any future IMF-fixdate to whole seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 24 * 3600 }), (seconds) => {
        expect(parseRetryAfter(new Date(NOW + seconds * 1000).toUTCString(), NOW)).toBe(seconds * 1000);
      }),
    );
  });
});
