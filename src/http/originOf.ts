import type { HttpRequest } from './types';

// A host header as clients send it: a name or IP literal and an optional port. Anything else is not echoed.
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * `scheme://host` of the request, for the absolute links of a feed: the scheme from `X-Forwarded-Proto` (API Gateway
 * sets `https`), else `http` (the local front); the host from `Host`. An empty string when the host is missing or
 * malformed: the links are then relative to the document's own address, which RFC 4287 also allows.
 */
export function originOf(request: HttpRequest): string {
  const host = request.headers.host;
  if (host === undefined || !HOST.test(host)) return '';
  const forwarded = request.headers['x-forwarded-proto']?.split(',')[0].trim().toLowerCase();
  return `${forwarded === 'https' ? 'https' : 'http'}://${host}`;
}
