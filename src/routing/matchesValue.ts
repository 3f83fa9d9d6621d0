import { endsWithIgnoringCase, equalsIgnoringCase, startsWithIgnoringCase } from './ignoreCase';
import { parseIpAddress } from './ipAddress';
import { type EventValue, PendingNumber, type ValueMatcher } from './types';
import { matchesWildcard } from './wildcard';

/**
 * True when one leaf value of an event satisfies one compiled value matcher. String operators never
 * match numbers and `numeric` never matches strings; the `anything-but` family matches every leaf
 * that is not (of the right type and) excluded, including `null` and booleans.
 */
export function matchesValue(matcher: ValueMatcher, value: EventValue): boolean {
  // A pending number acts as a number everywhere but in numeric comparisons, which settle it when it
  // would otherwise match.
  switch (matcher.kind) {
    case 'exactString':
      return value === matcher.value;
    case 'exactIp': {
      if (typeof value !== 'string') return false;
      const ip = parseIpAddress(value);
      return ip !== undefined && ip.version === matcher.ip.version && ip.hex === matcher.ip.hex;
    }
    case 'exactNumber':
      if (value instanceof PendingNumber) return value.value === matcher.value && value.settle() === matcher.value;
      return value === matcher.value;
    case 'exactLiteral':
      return value === matcher.value;
    case 'prefix':
      return typeof value === 'string' && value.startsWith(matcher.value);
    case 'suffix':
      return typeof value === 'string' && value.endsWith(matcher.value);
    case 'prefixIgnoreCase':
      return typeof value === 'string' && startsWithIgnoringCase(matcher.alternatives, value);
    case 'suffixIgnoreCase':
      return typeof value === 'string' && endsWithIgnoringCase(matcher.alternatives, value);
    case 'equalsIgnoreCase':
      return typeof value === 'string' && equalsIgnoringCase(matcher.alternatives, value);
    case 'wildcard':
      return typeof value === 'string' && matchesWildcard(matcher.wildcard, value);
    case 'numeric': {
      const number = value instanceof PendingNumber ? value.value : value;
      return (
        typeof number === 'number' &&
        (matcher.lowerOpen ? number > matcher.lower : number >= matcher.lower) &&
        (matcher.upperOpen ? number < matcher.upper : number <= matcher.upper) &&
        (!(value instanceof PendingNumber) || typeof value.settle() === 'number')
      );
    }
    case 'cidr': {
      if (typeof value !== 'string') return false;
      const ip = parseIpAddress(value);
      return ip !== undefined && ip.version === matcher.version && ip.hex >= matcher.low && ip.hex <= matcher.high;
    }
    case 'exists':
      return true;
    case 'anythingButStrings':
      return typeof value !== 'string' || !matcher.values.has(value);
    case 'anythingButNumbers':
      if (value instanceof PendingNumber) return !matcher.values.has(value.value) || typeof value.settle() !== 'number';
      return typeof value !== 'number' || !matcher.values.has(value);
    case 'anythingButIgnoreCase':
      return typeof value !== 'string' || !matcher.values.some((excluded) => equalsIgnoringCase(excluded, value));
    case 'anythingButPrefix':
      return typeof value !== 'string' || !matcher.values.some((excluded) => value.startsWith(excluded));
    case 'anythingButSuffix':
      return typeof value !== 'string' || !matcher.values.some((excluded) => value.endsWith(excluded));
    case 'anythingButWildcard':
      return typeof value !== 'string' || !matcher.values.some((excluded) => matchesWildcard(excluded, value));
  }
}
