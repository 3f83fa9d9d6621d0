import { PATTERN_OPERATOR } from './constants';
import { NumberLiteral } from './types';

const MAX_TEXT = 80;

/** A string shown as JSON, cut short: event values may be long and land in terminals and logs. */
function quote(text: string): string {
  return JSON.stringify(text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);
}

function quoteList(value: unknown): string {
  return (Array.isArray(value) ? value : [value]).map((item) => (typeof item === 'string' ? quote(item) : String(item))).join(', ');
}

/** `x > 0 and <= 5` from `[">", 0, "<=", 5]`. */
function describeNumeric(operand: unknown): string {
  const parts = Array.isArray(operand) ? operand : [];
  const comparisons: string[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) comparisons.push(`${String(parts[i])} ${String(parts[i + 1])}`);
  return `numeric ${comparisons.join(' and ')}`;
}

function describeEntry(entry: unknown): string {
  if (typeof entry === 'string') return quote(entry);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return String(entry);
  const [operator, operand] = Object.entries(entry)[0] ?? ['', undefined];
  const ignoringCase = typeof operand === 'object' && operand !== null && !Array.isArray(operand);
  const nested = ignoringCase ? (Object.entries(operand)[0] ?? ['', undefined]) : undefined;
  switch (operator) {
    case PATTERN_OPERATOR.exactly:
      return `exactly ${quoteList(operand)}`;
    case PATTERN_OPERATOR.prefix:
    case PATTERN_OPERATOR.suffix:
      return nested ? `${operator} ${quoteList(nested[1])} in any case` : `${operator} ${quoteList(operand)}`;
    case PATTERN_OPERATOR.equalsIgnoreCase:
      return `${quoteList(operand)} in any case`;
    case PATTERN_OPERATOR.wildcard:
      return `wildcard ${quoteList(operand)}`;
    case PATTERN_OPERATOR.numeric:
      return describeNumeric(operand);
    case PATTERN_OPERATOR.exists:
      return operand === true ? 'present' : 'absent';
    case PATTERN_OPERATOR.cidr:
      return `an address in ${String(operand)}`;
    case PATTERN_OPERATOR.anythingBut: {
      if (!nested) return `anything but ${quoteList(operand)}`;
      const [kind, values] = nested;
      return kind === PATTERN_OPERATOR.equalsIgnoreCase ? `anything but ${quoteList(values)} in any case` : `anything but ${kind} ${quoteList(values)}`;
    }
    default:
      return JSON.stringify(entry);
  }
}

/**
 * A short reading of one field's value list of an EventBridge pattern: `numeric > 100 or "vip"`,
 * `prefix "/shop"`, `absent`. The list is assumed valid (the matcher accepted it).
 */
export function describePatternValues(values: readonly unknown[]): string {
  return values.map(describeEntry).join(' or ');
}

/** An event's leaf values as text: `"abc"`, `50`, `["a", "b"]` for several. */
export function describeLeaves(values: readonly unknown[]): string {
  const one = (value: unknown): string =>
    value instanceof NumberLiteral ? value.text : typeof value === 'string' ? quote(value) : JSON.stringify(value) ?? String(value);
  if (values.length === 1) return one(values[0]);
  const shown = values.slice(0, 5).map(one);
  return `[${shown.join(', ')}${values.length > 5 ? `, … (${values.length} values)` : ''}]`;
}
