/**
 * A URL as it may appear in an error: scheme, host, port and path, without user info or query,
 * where credentials and tokens tend to hide.
 */
export function describeUrl(url: string | URL): string {
  try {
    const parsed = typeof url === 'string' ? new URL(url) : url;
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
