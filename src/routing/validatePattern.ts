import { parseEventPattern } from './parseEventPattern';
import type { PatternError } from './types';

/**
 * Every problem of an EventBridge event pattern, each with the JSON path of the offending part
 * below `path` (e.g. `filter.data.total[0].numeric`); empty when the pattern is valid.
 */
export function validatePattern(pattern: unknown, path = 'filter'): PatternError[] {
  return parseEventPattern(pattern, path).errors;
}
