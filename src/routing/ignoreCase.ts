import type { CaseAlternatives } from './types';

/**
 * The case variants Event Ruler accepts for each character of an equals-ignore-case pattern: the
 * character's lower-case and upper-case forms (`EqualsIgnoreCaseParser`), which may be longer than one
 * character (`ß` upper-cases to `SS`). Characters are taken as code points.
 */
export function caseAlternatives(pattern: string): CaseAlternatives {
  const alternatives: string[][] = [];
  for (const character of pattern) {
    const lower = character.toLowerCase();
    const upper = character.toUpperCase();
    alternatives.push(lower === upper ? [lower] : [lower, upper]);
  }
  return alternatives;
}

function matchForward(alternatives: CaseAlternatives, index: number, value: string, at: number, whole: boolean): boolean {
  if (index === alternatives.length) {
    return !whole || at === value.length;
  }
  for (const variant of alternatives[index]) {
    if (value.startsWith(variant, at) && matchForward(alternatives, index + 1, value, at + variant.length, whole)) {
      return true;
    }
  }
  return false;
}

function matchBackward(alternatives: CaseAlternatives, index: number, value: string, end: number): boolean {
  if (index < 0) {
    return true;
  }
  for (const variant of alternatives[index]) {
    const start = end - variant.length;
    if (start >= 0 && value.startsWith(variant, start) && matchBackward(alternatives, index - 1, value, start)) {
      return true;
    }
  }
  return false;
}

/** True when the whole of `value` spells the pattern with one case variant per character. */
export function equalsIgnoringCase(alternatives: CaseAlternatives, value: string): boolean {
  return matchForward(alternatives, 0, value, 0, true);
}

/** True when `value` starts with the pattern, one case variant per character. */
export function startsWithIgnoringCase(alternatives: CaseAlternatives, value: string): boolean {
  return matchForward(alternatives, 0, value, 0, false);
}

/** True when `value` ends with the pattern, one case variant per character. */
export function endsWithIgnoringCase(alternatives: CaseAlternatives, value: string): boolean {
  return matchBackward(alternatives, alternatives.length - 1, value, value.length);
}

/**
 * A hash key for indexing the pattern: every value it matches has exactly this upper-cased form over
 * exactly `length` characters. `undefined` when the pattern has characters whose variants differ in
 * length or upper-case differently; such patterns are checked one by one instead.
 */
export function ignoreCaseKey(alternatives: CaseAlternatives): { key: string; length: number } | undefined {
  let key = '';
  let length = 0;
  for (const variants of alternatives) {
    const upper = variants[0].toUpperCase();
    for (const variant of variants) {
      if (variant.length !== variants[0].length || variant.toUpperCase() !== upper) return undefined;
    }
    key += upper;
    length += variants[0].length;
  }
  return key.length === length ? { key, length } : undefined;
}
