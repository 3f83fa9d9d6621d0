import type { WildcardPieces } from './types';

/**
 * Reads a wildcard pattern as Event Ruler's `WildcardParser` does: `*` matches any run of characters,
 * `\*` is a literal star and `\\` a literal backslash; any other escape, and two stars in a row, are errors.
 *
 * @returns the literal pieces between the stars, or the reason the pattern was refused
 */
export function compileWildcard(pattern: string): WildcardPieces | string {
  const pieces: string[] = [];
  let piece = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') {
      if (pattern[i + 1] === '*') return `consecutive wildcard characters at position ${i}`;
      pieces.push(piece);
      piece = '';
    } else if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') return `invalid escape character at position ${i}`;
      piece += next;
      i++;
    } else {
      piece += c;
    }
  }
  pieces.push(piece);
  return { pieces };
}

/** True when the whole of `value` matches the wildcard. */
export function matchesWildcard(wildcard: WildcardPieces, value: string): boolean {
  const { pieces } = wildcard;
  const last = pieces.length - 1;
  if (last === 0) return value === pieces[0];
  const head = pieces[0];
  const tail = pieces[last];
  if (value.length < head.length + tail.length || !value.startsWith(head) || !value.endsWith(tail)) {
    return false;
  }
  // With `*` as the only wildcard, taking each middle piece at its leftmost place is never worse.
  const end = value.length - tail.length;
  let at = head.length;
  for (let i = 1; i < last; i++) {
    const found = value.indexOf(pieces[i], at);
    if (found < 0 || found + pieces[i].length > end) return false;
    at = found + pieces[i].length;
  }
  return true;
}
