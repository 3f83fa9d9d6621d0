import { CliError } from '../errors';
import { parseDuration, parseIsoTime } from './backtestWindow';

/**
 * A `--since`/`--until` value as epoch ms: a duration back from `now` (`24h`, `90m`, `1d12h`) or an ISO 8601
 * time with its zone (`2026-12-06T13:45:00Z`); `durations` false admits only the latter. A usage error (exit 2)
 * naming the option otherwise.
 */
export function timeBound(option: string, value: string, now: number, durations = true): number {
  const duration = durations ? parseDuration(value) : undefined;
  if (duration !== undefined) return now - duration;
  const time = parseIsoTime(value);
  if (time !== undefined) return time.getTime();
  const examples = durations ? 'a duration such as 24h, 90m or 1d12h, or an ISO 8601 time such as 2026-12-06T13:45:00Z' : 'an ISO 8601 time such as 2026-12-06T13:45:00Z';
  throw new CliError(`${option} must be ${examples} (a time needs its zone, Z or ±hh:mm), got ${JSON.stringify(value)}`);
}
