import fc from 'fast-check';
import { compareSequences, padSequence, parseStartPosition } from '../../../src/worker';

describe('parseStartPosition', () => {
  it('reads the four forms the CLI accepts', () => {
    expect(parseStartPosition('trim-horizon')).toEqual({ type: 'trim-horizon' });
    expect(parseStartPosition('latest')).toEqual({ type: 'latest' });
    expect(parseStartPosition('2026-11-22T07:00:00Z')).toEqual({ type: 'at-timestamp', timestamp: new Date('2026-11-22T07:00:00Z') });
    expect(parseStartPosition('2026-11-22T09:00:00.250+02:00')).toEqual({ type: 'at-timestamp', timestamp: new Date('2026-11-22T07:00:00.250Z') });
    expect(parseStartPosition('49680453597045361908314673060981698896230157670437355522')).toEqual({
      type: 'at-sequence',
      sequenceNumber: '49680453597045361908314673060981698896230157670437355522',
    });
  });

  it('refuses anything else, naming the accepted forms', () => {
    for (const bad of ['', 'earliest', 'TRIM_HORIZON', '2026-13-45T99:00:00Z', '12ab', '-5']) {
      expect(() => parseStartPosition(bad)).toThrow(/trim-horizon, latest, an ISO 8601 time or a sequence number/);
    }
  });

  it('round-trips any time through its ISO form', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), (date) => {
        expect(parseStartPosition(date.toISOString())).toEqual({ type: 'at-timestamp', timestamp: date });
      }),
    );
  });
});

describe('padSequence / compareSequences', () => {
  const sequence = fc.bigInt({ min: 0n, max: 10n ** 60n }).map(String);

  it('orders padded sequence numbers as strings exactly as numbers', () => {
    fc.assert(
      fc.property(sequence, sequence, (a, b) => {
        const numeric = BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
        expect(compareSequences(a, b)).toBe(numeric);
        expect(Math.sign(padSequence(a).localeCompare(padSequence(b)))).toBe(numeric);
        expect(padSequence(a)).toHaveLength(128);
      }),
    );
  });

  it('refuses what is not a sequence number', () => {
    expect(() => padSequence('')).toThrow(RangeError);
    expect(() => padSequence('12x')).toThrow(/decimal digits/);
    expect(() => padSequence('1'.repeat(129))).toThrow(RangeError);
  });
});
