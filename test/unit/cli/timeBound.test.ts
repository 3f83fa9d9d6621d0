import fc from 'fast-check';
import { CliError } from '../../../src/cli/errors';
import { timeBound } from '../../../src/cli/commands/timeBound';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

describe('timeBound (--since / --until of deliveries list and redrive)', () => {
  it('reads a duration as that long before now, and an ISO 8601 time as itself', () => {
    expect(timeBound('--since', '24h', NOW)).toBe(NOW - 24 * 3_600_000);
    expect(timeBound('--since', '1d12h', NOW)).toBe(NOW - 36 * 3_600_000);
    expect(timeBound('--since', '2026-12-06T10:30:00Z', NOW)).toBe(Date.UTC(2026, 11, 6, 10, 30));
    expect(timeBound('--until', '2026-12-06T10:30:00+10:00', NOW, false)).toBe(Date.UTC(2026, 11, 6, 0, 30));
    expect(timeBound('--since', '2026-12-06', NOW)).toBe(Date.UTC(2026, 11, 6));
  });

  it('any <n><unit> duration is now minus n units', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom('s', 'm', 'h', 'd', 'w'), (n, unit) => {
        expect(timeBound('--since', `${n}${unit}`, NOW)).toBe(NOW - n * UNIT_MS[unit]!);
      }),
    );
  });

  it('any UTC time written as ISO 8601 reads back to the same instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) }), (ms) => {
        const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString();
        expect(timeBound('--since', iso, NOW)).toBe(Date.parse(iso));
      }),
    );
  });

  it('refuses anything else with a usage error naming the option and an example', () => {
    for (const [option, value, durations] of [
      ['--since', 'yesterday', true],
      ['--since', '24', true],
      ['--since', '2026-02-30', true],
      ['--since', '2026-12-06T10:30:00', true],
      ['--until', '24h', false],
    ] as const) {
      const error = (() => {
        try {
          timeBound(option, value, NOW, durations);
        } catch (caught) {
          return caught;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(2);
      expect((error as CliError).message).toMatch(new RegExp(`^${option} must be .*2026-12-06T13:45:00Z.*got ${JSON.stringify(value)}$`));
    }
  });

  it('never throws anything but a usage error, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        try {
          expect(Number.isFinite(timeBound('--since', value, NOW))).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(CliError);
        }
      }),
    );
  });
});
