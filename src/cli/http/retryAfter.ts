/**
 * How long a `Retry-After` header asks to wait, in ms: delay-seconds (`120`) or an HTTP date, never negative.
 * Undefined when the header is absent or neither form.
 */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date names a weekday or month; a bare number of another shape (1.5, -3) is neither form.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
