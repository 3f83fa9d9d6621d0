/** Why a URL is not an http(s) URL with a host; undefined when it is, or when it is not a string (the schema's to report). */
export function httpUrlProblem(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `must be an http:// or https:// URL, got scheme ${JSON.stringify(parsed.protocol.slice(0, -1))}`;
  if (parsed.hostname === '') return 'must be an http:// or https:// URL with a host';
  return undefined;
}
