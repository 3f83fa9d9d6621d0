/** Operator names of EventBridge patterns, as they appear in `{ "<operator>": ... }`. */
export const PATTERN_OPERATOR = {
  exactly: 'exactly',
  prefix: 'prefix',
  suffix: 'suffix',
  equalsIgnoreCase: 'equals-ignore-case',
  wildcard: 'wildcard',
  anythingBut: 'anything-but',
  numeric: 'numeric',
  exists: 'exists',
  cidr: 'cidr',
} as const;

export type PatternOperator = (typeof PATTERN_OPERATOR)[keyof typeof PATTERN_OPERATOR];

/** The keyword that turns an array of objects into alternatives. */
export const OR_KEYWORD = '$or';

/** Comparison operators of `numeric`. */
export const NUMERIC_OPERATOR = {
  eq: '=',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
} as const;

/**
 * Field names Event Ruler refuses inside `$or` alternatives, because they would be read as operators
 * (Event Ruler `Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP`).
 */
export const RESERVED_FIELD_NAMES_IN_OR: ReadonlySet<string> = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  'html',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

/**
 * Most branches one pattern may expand to through (nested) `$or`. Each branch is indexed separately,
 * so this bounds the memory one subscription can take.
 */
export const MAX_PATTERN_BRANCHES = 1024;
