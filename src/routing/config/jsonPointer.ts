/** JSON Pointers (RFC 6901), the path format of every `ConfigError`. */

/** `base` extended by the given property names / array indexes, each escaped. */
export function pointerOf(base: string, ...segments: readonly (string | number)[]): string {
  return segments.reduce<string>((path, segment) => `${path}/${escapeSegment(String(segment))}`, base);
}

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Converts a path of the matcher's `validatePattern` (JavaScript-like: `.data.total[0].numeric`,
 * `["odd key"]`, relative to the base path `''` it was called with) into a JSON Pointer below `base`, so
 * pattern errors read like every other error of the file.
 */
export function matcherPathToPointer(base: string, matcherPath: string): string {
  const segments: string[] = [];
  let i = 0;
  while (i < matcherPath.length) {
    const char = matcherPath[i];
    if (char === '.') {
      let end = i + 1;
      while (end < matcherPath.length && matcherPath[end] !== '.' && matcherPath[end] !== '[') end++;
      segments.push(matcherPath.slice(i + 1, end));
      i = end;
    } else if (char === '[' && matcherPath[i + 1] === '"') {
      const end = closingQuote(matcherPath, i + 2);
      if (end < 0) break;
      segments.push(JSON.parse(matcherPath.slice(i + 1, end + 1)) as string);
      i = end + 2; // past `"]`
    } else if (char === '[') {
      const end = matcherPath.indexOf(']', i);
      if (end < 0) break;
      segments.push(matcherPath.slice(i + 1, end));
      i = end + 1;
    } else {
      break;
    }
  }
  // Anything the tokenizer did not understand is kept whole rather than dropped.
  const rest = i < matcherPath.length ? [matcherPath.slice(i)] : [];
  return pointerOf(base, ...segments, ...rest);
}

/** Index of the `"` closing a JSON string whose contents start at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}
