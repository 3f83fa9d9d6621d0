import { InvalidReplayError } from './errors';

/** Where a replay starts: an arrival time, or a stream sequence number still to be resolved to one. */
export type ReplayStart = { kind: 'time'; iso: string } | { kind: 'sequence'; sequence: string };

/** Kinesis sequence numbers: decimal, up to 128 digits. */
const SEQUENCE = /^\d{1,128}$/;
/** ISO 8601 date, optionally with a time; a time must carry its zone (a replay window in someone's local time is a trap). */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** `--from`: all digits is a stream sequence number; anything else must be an ISO 8601 time. */
export function parseReplayFrom(value: string): ReplayStart {
  if (SEQUENCE.test(value)) return { kind: 'sequence', sequence: value };
  return { kind: 'time', iso: parseReplayTime('from', value) };
}

/**
 * An ISO 8601 date (`2026-12-06`, midnight UTC) or date and time with its zone (`2026-12-06T13:45:00Z`,
 * `…+10:00`), as UTC ISO. Refuses impossible dates (February 30) rather than rolling them over.
 */
export function parseReplayTime(field: string, value: string): string {
  const parts = ISO_TIME.exec(value);
  const problem = `--${field} must be an ISO 8601 time such as 2026-12-06T13:45:00Z (a time needs its zone, Z or ±hh:mm)${field === 'from' ? ' or a stream sequence number (digits only)' : ''}, got ${JSON.stringify(value)}`;
  if (parts === null) throw new InvalidReplayError(field, problem);
  const [, year, month, day, hour = '0', minute = '0', second = '0'] = parts;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const validDate = date.getUTCFullYear() === Number(year) && date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
  const validTime = Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 59;
  const ms = Date.parse(value);
  if (!validDate || !validTime || Number.isNaN(ms)) throw new InvalidReplayError(field, problem);
  return new Date(ms).toISOString();
}
