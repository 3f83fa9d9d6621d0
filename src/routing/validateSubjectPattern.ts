/**
 * Checks a NATS-style subject pattern: tokens separated by `.`, none empty; `*` matches one token and
 * `>` the rest (at least one token), so `>` may only be the last token. A `*` or `>` inside a longer
 * token is an ordinary character, as in NATS.
 *
 * @returns the problem, or `undefined` when the pattern is valid
 */
export function validateSubjectPattern(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') {
    return 'must be a string';
  }
  if (pattern.length === 0) {
    return 'must not be empty';
  }
  const tokens = pattern.split('.');
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === '') {
      return `has an empty token at position ${i} ("${pattern}")`;
    }
    if (tokens[i] === '>' && i !== tokens.length - 1) {
      return `">" must be the last token ("${pattern}")`;
    }
  }
  return undefined;
}
