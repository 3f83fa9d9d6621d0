export { compilePattern } from './compilePattern';
export { InvalidPatternError, RoutingError } from './errors';
export { explainMatch, type ExplainMatchOptions, type FailedClause, type MatchExplanation } from './explainMatch';
export { matchesSubject } from './matchesSubject';
export { SubjectPatternSet } from './SubjectPatternSet';
export { SubscriptionMatcher } from './SubscriptionMatcher';
export type { CompiledPattern, EventPattern, MatchableSubscription, PatternError } from './types';
export { validatePattern } from './validatePattern';
export { validateSubjectPattern } from './validateSubjectPattern';
