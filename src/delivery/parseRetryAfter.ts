import { MAX_RETRY_AFTER_MS } from './constants';

/**
 * Milliseconds to wait from a `Retry-After` value (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * A date in the past means "now" (0); anything unparseable is ignored (undefined). Capped at 24 h so a
 * receiver cannot park a delivery beyond the retry window.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  let delayMs: number;
  if (/^\d+$/.test(text)) {
    delayMs = Number(text) * 1000;
  } else {
    // Date.parse reads IMF-fixdate and the obsolete RFC 850/asctime forms; reject bare numbers-with-junk.
    const at = Date.parse(text);
    if (Number.isNaN(at) || !/[a-z]/i.test(text)) return undefined;
    delayMs = Math.max(0, at - now);
  }
  return Math.min(delayMs, MAX_RETRY_AFTER_MS);
}
