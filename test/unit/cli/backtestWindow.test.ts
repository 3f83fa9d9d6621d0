import fc from 'fast-check';
import { parseBacktestWindow, parseDuration, parseIsoTime } from '../../../src/cli/commands/backtestWindow';
import { CliError } from '../../../src/cli/errors';

const NOW = new Date('2026-12-06T13:45:00.000Z');
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

describe('parseBacktestWindow', () => {
  it('reads --since as a duration back from now, --until defaulting to now', () => {
    expect(parseBacktestWindow('24h', undefined, NOW)).toEqual({ from: new Date('2026-12-05T13:45:00.000Z'), to: NOW });
    expect(parseBacktestWindow('1d12h', undefined, NOW).from).toEqual(new Date('2026-12-05T01:45:00.000Z'));
    expect(parseBacktestWindow('90m', '2026-12-06T13:30:00Z', NOW)).toEqual({ from: new Date('2026-12-06T12:15:00.000Z'), to: new Date('2026-12-06T13:30:00.000Z') });
  });

  it('reads ISO 8601 dates and times with a zone', () => {
    expect(parseBacktestWindow('2026-12-05', '2026-12-06T10:00:00+10:00', NOW)).toEqual({ from: new Date('2026-12-05T00:00:00.000Z'), to: new Date('2026-12-06T00:00:00.000Z') });
    expect(parseBacktestWindow('2026-12-06T12:00:00.250Z', '2026-12-06T13:00:00-0130', NOW)).toEqual({ from: new Date('2026-12-06T12:00:00.250Z'), to: new Date('2026-12-06T14:30:00.000Z') });
  });

  it.each([
    ['24', undefined, /^--since must be a duration such as 24h/],
    ['yesterday', undefined, /^--since must be .* got "yesterday"$/],
    ['2026-02-30', undefined, /^--since must be/],
    ['2026-12-06T13:00:00', undefined, /^--since must be/],
    ['1h', 'tomorrow', /^--until must be an ISO 8601 time .* got "tomorrow"$/],
    ['2026-12-07T00:00:00Z', undefined, /^--since \(2026-12-07T00:00:00.000Z\) must be before --until \(2026-12-06T13:45:00.000Z\)$/],
    ['0h', undefined, /must be before --until/],
  ])('refuses --since %j --until %j as a usage error naming the option', (since, until, message) => {
    let caught: unknown;
    try {
      parseBacktestWindow(since, until, NOW);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CliError);
    expect((caught as CliError).exitCode).toBe(2);
    expect((caught as CliError).message).toMatch(message);
  });
});

describe('parseBacktestWindow properties', () => {
  it('a sum of duration parts is that many milliseconds', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.constantFrom('s', 'm', 'h', 'd', 'w')), { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.map(([amount, unit]) => `${amount}${unit}`).join('');
        expect(parseDuration(text)).toBe(parts.reduce((sum, [amount, unit]) => sum + amount * UNIT_MS[unit], 0));
      }),
    );
  });

  it('an ISO time with its zone reads back as the same instant', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        expect(parseIsoTime(date.toISOString())).toEqual(date);
      }),
    );
  });

  it('any text either gives a window with from before to, or a usage error; never anything else', () => {
    const piece = fc.constantFrom('1', '24', 'h', 'm', 'd', 'w', 's', '-', ':', 'T', 'Z', '2026', '12', '06', '+10:00', ' ', '.5', 'x');
    const text = fc.oneof(fc.string(), fc.array(piece, { maxLength: 8 }).map((pieces) => pieces.join('')));
    fc.assert(
      fc.property(text, fc.option(text, { nil: undefined }), (since, until) => {
        try {
          const window = parseBacktestWindow(since, until, NOW);
          expect(window.from.getTime()).toBeLessThan(window.to.getTime());
          expect(Number.isNaN(window.from.getTime())).toBe(false);
        } catch (error) {
          expect(error).toBeInstanceOf(CliError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
