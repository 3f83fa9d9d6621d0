// The CloudEvents HTTP binding (§3.1.3.2) carries attribute values in `ce-*` headers, percent-encoding the UTF-8
// bytes of every character outside printable ASCII (U+0021..U+007E), plus space, double quote and percent.

const NEEDS_ENCODING = /[^\u0021\u0023\u0024\u0026-\u007e]/gu;

/** Encodes an attribute value for a `ce-*` header. */
export function encodeHeaderValue(value: string): string {
  // Buffer (not encodeURIComponent) so an unpaired surrogate becomes U+FFFD instead of throwing.
  return value.replace(NEEDS_ENCODING, (character) =>
    Array.from(Buffer.from(character, 'utf8'), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

/** Decodes a `ce-*` header value; `undefined` when a `%` is not followed by two hex digits or the bytes are not UTF-8. */
export function decodeHeaderValue(value: string): string | undefined {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
