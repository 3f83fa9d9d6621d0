import { parseMediaType } from './mediaType';

// String formats the CloudEvents attribute rules refer to by name (see cloudEventRules.ts). Each is a
// predicate over a string, so the checker in validateCloudEvent stays generic.

// RFC 3986 Appendix B: splits any string into scheme, authority, path, query, fragment; each part is then checked.
const URI_PARTS = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const USERINFO = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*$/;
const REG_NAME_AND_PORT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*(?::\d*)?$/;
// IP-literal is checked loosely (hex digits, colons, dots; or IPvFuture): good enough to refuse garbage.
const IP_LITERAL_AND_PORT = /^\[(?:[0-9A-Fa-f:.]+|[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+)\](?::\d*)?$/;
const PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;
const QUERY_OR_FRAGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/;

interface UriParts {
  scheme?: string;
}

function parseUriReference(value: string): UriParts | undefined {
  const parts = URI_PARTS.exec(value);
  if (!parts) return undefined;
  const [, scheme, authority, path, query, fragment] = parts;
  // A relative reference whose first segment holds ':' lands in `scheme` here and fails SCHEME, as RFC 3986 §4.2 wants.
  if (scheme !== undefined && !SCHEME.test(scheme)) return undefined;
  if (authority !== undefined) {
    const at = authority.lastIndexOf('@');
    const userinfo = at >= 0 ? authority.slice(0, at) : '';
    const hostAndPort = authority.slice(at + 1);
    if (!USERINFO.test(userinfo)) return undefined;
    if (!(hostAndPort.startsWith('[') ? IP_LITERAL_AND_PORT : REG_NAME_AND_PORT).test(hostAndPort)) return undefined;
  }
  if (!PATH.test(path)) return undefined;
  if (query !== undefined && !QUERY_OR_FRAGMENT.test(query)) return undefined;
  if (fragment !== undefined && !QUERY_OR_FRAGMENT.test(fragment)) return undefined;
  return { scheme };
}

/** RFC 3986 URI-reference: an absolute URI or a relative reference (`/orders`, `urn:x:y`, `https://a.example/b`). */
export function isUriReference(value: string): boolean {
  return parseUriReference(value) !== undefined;
}

/** RFC 3986 URI: a URI-reference with a scheme. */
export function isUri(value: string): boolean {
  return parseUriReference(value)?.scheme !== undefined;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * RFC 3339 `date-time` with a real calendar date. Leap seconds (`:60`) are refused although RFC 3339 allows them:
 * JavaScript dates cannot hold them, and the store and the filters parse `time` with `Date`.
 */
export function isRfc3339(value: string): boolean {
  const match = RFC3339.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = match
    .slice(1)
    .map((part) => Number(part ?? 0));
  const leapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 && leapYear ? 29 : DAYS_IN_MONTH[month - 1];
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetHour <= 23 &&
    offsetMinute <= 59 &&
    Number.isFinite(Date.parse(value))
  );
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard, padded base64 (RFC 4648 §4), the encoding `data_base64` uses. */
export function isBase64(value: string): boolean {
  return BASE64.test(value);
}

/** RFC 2046 media type with optional parameters, as `datacontenttype` requires. */
export function isMediaType(value: string): boolean {
  return parseMediaType(value) !== undefined;
}

/** Named formats for the attribute rules. */
export const FORMATS = {
  'uri-reference': { test: isUriReference, message: 'must be a URI-reference (RFC 3986)' },
  uri: { test: isUri, message: 'must be an absolute URI (RFC 3986)' },
  rfc3339: { test: isRfc3339, message: 'must be an RFC 3339 timestamp, e.g. 2024-05-01T12:00:00Z' },
  base64: { test: isBase64, message: 'must be base64 (RFC 4648, padded)' },
  'media-type': { test: isMediaType, message: 'must be a media type, e.g. application/json' },
} as const;

export type FormatName = keyof typeof FORMATS;

// C0 controls, DEL and C1 controls: invisible in logs, unsafe in headers, never meaningful in an id or a type.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
// An unpaired UTF-16 surrogate cannot be encoded as UTF-8, so the id would change on its way to DynamoDB.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be used as plain text, or `undefined` when it can. */
export function plainTextProblem(value: string): string | undefined {
  if (CONTROL_CHARACTER.test(value)) return 'must not contain control characters';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (unpaired surrogate)';
  return undefined;
}
