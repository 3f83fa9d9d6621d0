import { matchesValue } from './matchesValue';
import type { EventValue, ValueMatcher } from './types';

/** A predicate over one leaf value. */
export type ValueTest = (value: EventValue) => boolean;

/**
 * One predicate for a field's list of matchers (any may match), specialised for the common single
 * exact-value and prefix cases. Calling a closure keeps the matching loop free of the
 * shape-by-shape dispatch of `matchesValue`, which is what makes checking many candidates slow.
 */
export function compileValueTest(matchers: readonly ValueMatcher[]): ValueTest {
  const tests = matchers.map(compileOne);
  if (tests.length === 1) return tests[0];
  return (value) => {
    for (let i = 0; i < tests.length; i++) if (tests[i](value)) return true;
    return false;
  };
}

function compileOne(matcher: ValueMatcher): ValueTest {
  switch (matcher.kind) {
    case 'exactString': {
      const expected = matcher.value;
      return (value) => value === expected;
    }
    case 'exactLiteral': {
      const expected = matcher.value;
      return (value) => value === expected;
    }
    case 'prefix': {
      const prefix = matcher.value;
      return (value) => typeof value === 'string' && value.startsWith(prefix);
    }
    case 'suffix': {
      const suffix = matcher.value;
      return (value) => typeof value === 'string' && value.endsWith(suffix);
    }
    case 'numeric': {
      const { lower, lowerOpen, upper, upperOpen } = matcher;
      return (value) =>
        typeof value === 'number'
          ? (lowerOpen ? value > lower : value >= lower) && (upperOpen ? value < upper : value <= upper)
          : typeof value === 'object' && value !== null && matchesValue(matcher, value);
    }
    case 'exists':
      return () => true;
    case 'anythingButStrings': {
      const excluded = matcher.values;
      return (value) => typeof value !== 'string' || !excluded.has(value);
    }
    default:
      return (value) => matchesValue(matcher, value);
  }
}
