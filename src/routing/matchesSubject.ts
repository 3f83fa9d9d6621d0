import { validateSubjectPattern } from './validateSubjectPattern';

/**
 * True when `value` (a CloudEvent `type` or `subject`) matches a NATS-style pattern: tokens split on
 * `.`, `*` matches exactly one token, `>` one or more trailing tokens. An invalid pattern matches
 * nothing. For many patterns at once use `SubjectPatternSet`.
 */
export function matchesSubject(pattern: string, value: string): boolean {
  if (validateSubjectPattern(pattern) !== undefined) {
    return false;
  }
  const patternTokens = pattern.split('.');
  const valueTokens = value.split('.');
  for (let i = 0; i < patternTokens.length; i++) {
    const token = patternTokens[i];
    if (token === '>') {
      return valueTokens.length > i;
    }
    if (i >= valueTokens.length) {
      return false;
    }
    if (token !== '*' && token !== valueTokens[i]) {
      return false;
    }
  }
  return patternTokens.length === valueTokens.length;
}
