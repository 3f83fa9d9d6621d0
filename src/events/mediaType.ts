/** A parsed `Content-Type` value (RFC 9110 §8.3.1): type and subtype lower-cased, parameter names lower-cased. */
export interface MediaType {
  type: string;
  subtype: string;
  /** `type/subtype`, what content negotiation compares. */
  essence: string;
  params: Record<string, string>;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const HEAD = new RegExp(`^[ \\t]*(${TOKEN})/(${TOKEN})[ \\t]*`);
// `y` (sticky) so each parameter must start exactly where the previous one ended: nothing is skipped silently.
const PARAM = new RegExp(`;[ \\t]*(?:(${TOKEN})=(?:(${TOKEN})|"((?:[^"\\\\]|\\\\.)*)"))?[ \\t]*`, 'y');

/** Parses a media type; `undefined` when absent or not RFC 9110 syntax. Empty `;` segments are tolerated. */
export function parseMediaType(value: string | undefined): MediaType | undefined {
  if (value === undefined) return undefined;
  const head = HEAD.exec(value);
  if (!head) return undefined;
  const type = head[1].toLowerCase();
  const subtype = head[2].toLowerCase();
  const params: Record<string, string> = {};
  PARAM.lastIndex = head[0].length;
  while (PARAM.lastIndex < value.length) {
    const param = PARAM.exec(value);
    if (!param) return undefined;
    if (param[1] !== undefined) {
      params[param[1].toLowerCase()] = param[2] ?? param[3].replace(/\\(.)/g, '$1');
    }
  }
  return { type, subtype, essence: `${type}/${subtype}`, params };
}

/** `application/json` and every `+json` structured syntax suffix (RFC 6839), as the CloudEvents JSON format counts them. */
export function isJsonMediaType(media: MediaType): boolean {
  return media.essence === 'application/json' || media.subtype.endsWith('+json');
}

/** True when the media type declares UTF-8 or no charset at all (JSON is UTF-8 by definition, RFC 8259 §8.1). */
export function hasUtf8Charset(media: MediaType): boolean {
  const charset = media.params.charset?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}
