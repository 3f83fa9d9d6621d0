import { CliError } from '../errors';

/** The arrival-time window a backtest reads: `from` inclusive, `to` exclusive. */
export interface BacktestWindow {
  from: Date;
  to: Date;
}

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
/** One or more `<number><unit>` parts: `24h`, `90m`, `1d12h`. */
const DURATION = /^(?:\d{1,9}[smhdw])+$/;
const DURATION_PART = /(\d+)([smhdw])/g;
/** ISO 8601 date, or date and time WITH its zone (a window in someone's unstated local time is a trap). */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/** A duration such as `24h` or `1d12h` in milliseconds, or undefined when `value` is not one. */
export function parseDuration(value: string): number | undefined {
  if (!DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(DURATION_PART)) total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return total;
}

/**
 * An ISO 8601 date (`2026-12-06`, midnight UTC) or date and time with its zone (`2026-12-06T13:45:00Z`,
 * `…+10:00`), or undefined. Impossible dates (February 30, 25:00) are refused rather than rolled over.
 */
export function parseIsoTime(value: string): Date | undefined {
  const parts = ISO_TIME.exec(value);
  if (parts === null) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0'] = parts;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const validDate = date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
  const ms = Date.parse(value);
  if (!validDate || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59 || Number.isNaN(ms)) return undefined;
  return new Date(ms);
}

/**
 * `--since` (a duration back from `now`, as `--since 24h` reads, or an ISO 8601 time) and `--until` (ISO 8601; `now` when absent) as
 * a window; a usage error (exit 2) naming the option otherwise.
 */
export function parseBacktestWindow(since: string, until: string | undefined, now: Date): BacktestWindow {
  const to = until === undefined ? now : parseIsoTime(until);
  if (to === undefined) {
    throw new CliError(`--until must be an ISO 8601 time such as 2026-12-06T13:45:00Z (a time needs its zone, Z or ±hh:mm), got ${JSON.stringify(until)}`);
  }
  const duration = parseDuration(since);
  const from = duration !== undefined ? new Date(now.getTime() - duration) : parseIsoTime(since);
  if (from === undefined || Number.isNaN(from.getTime())) {
    throw new CliError(`--since must be a duration such as 24h, 90m, 7d or 1d12h, or an ISO 8601 time such as 2026-12-06T13:45:00Z, got ${JSON.stringify(since)}`);
  }
  if (from.getTime() >= to.getTime()) {
    throw new CliError(`--since (${from.toISOString()}) must be before --until (${to.toISOString()})`);
  }
  return { from, to };
}
