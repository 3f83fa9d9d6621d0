import { InvalidPatternError } from './errors';
import { SubscriptionMatcher } from './SubscriptionMatcher';
import type { CompiledPattern, EventPattern, PatternError } from './types';

const PATTERN_ID = 'pattern';
const PREFIX = 'subscriptions[0].filter';

/**
 * Compiles one EventBridge event pattern for repeated matching.
 *
 * @throws InvalidPatternError listing every problem, paths rooted at `filter`
 */
export function compilePattern(pattern: EventPattern): CompiledPattern {
  let matcher: SubscriptionMatcher;
  try {
    matcher = new SubscriptionMatcher([{ id: PATTERN_ID, filter: pattern }]);
  } catch (error) {
    if (error instanceof InvalidPatternError) {
      const errors: PatternError[] = error.errors.map((e) => ({
        path: e.path.startsWith(PREFIX) ? `filter${e.path.slice(PREFIX.length)}` : e.path,
        message: e.message,
      }));
      throw new InvalidPatternError(errors);
    }
    throw error;
  }
  return {
    pattern,
    matches: (event: unknown) => matcher.match(event).length > 0,
    matchesJson: (json: string) => matcher.matchJson(json).length > 0,
  };
}
