import { ATTRIBUTE_RULES, CROSS_FIELD_RULES, EXTENSION_RULE, type AttributeRule } from './cloudEventRules';
import { FORMATS, plainTextProblem } from './formats';
import type { FieldError } from './types';

/**
 * Checks one candidate against the CloudEvents 1.0 rules of cloudEventRules.ts and returns EVERY failure (empty when
 * valid), each tagged with `index`, the candidate's position in its request. At most one failure per attribute: the
 * first rule it breaks, since later rules assume the earlier ones hold.
 */
export function validateCloudEvent(candidate: unknown, index: number): FieldError[] {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) {
    return [{ index, field: 'event', message: `must be a JSON object (got ${kindOf(candidate)})` }];
  }
  const event = candidate as Record<string, unknown>;
  const errors: FieldError[] = [];
  const report = (field: string, message: string | undefined): void => {
    if (message !== undefined) errors.push({ index, field, message });
  };

  for (const [field, rule] of Object.entries(ATTRIBUTE_RULES)) {
    report(field, checkAttribute(rule, Object.hasOwn(event, field) ? event[field] : undefined));
  }
  for (const [field, value] of Object.entries(event)) {
    if (!Object.hasOwn(ATTRIBUTE_RULES, field)) report(field, checkExtension(field, value));
  }
  for (const rule of CROSS_FIELD_RULES) report(rule.field, rule.check(event));
  return errors;
}

function checkAttribute(rule: AttributeRule, value: unknown): string | undefined {
  if (value === undefined) return rule.required ? 'required' : undefined;
  if (rule.type === 'json') return undefined;
  if (typeof value !== 'string') return `must be a string (got ${kindOf(value)})`;
  if (rule.nonEmpty && value === '') return 'must not be empty';
  if (rule.oneOf && !rule.oneOf.includes(value)) {
    return `must be ${rule.oneOf.map((allowed) => JSON.stringify(allowed)).join(' or ')} (got ${quote(value)})`;
  }
  const textProblem = rule.plainText ? plainTextProblem(value) : undefined;
  if (textProblem) return textProblem;
  if (rule.format && !FORMATS[rule.format].test(value)) return `${FORMATS[rule.format].message} (got ${quote(value)})`;
  return undefined;
}

function checkExtension(name: string, value: unknown): string | undefined {
  if (!EXTENSION_RULE.name.test(name)) return EXTENSION_RULE.nameMessage;
  const valid =
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (Number.isInteger(value) && (value as number) >= EXTENSION_RULE.minInteger && (value as number) <= EXTENSION_RULE.maxInteger);
  return valid ? undefined : `${EXTENSION_RULE.valueMessage} (got ${kindOf(value)})`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? `integer ${value}` : `number ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

// Echo the offending value so the producer can find it, but short: it may be long, and it lands in logs.
function quote(value: string): string {
  const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return JSON.stringify(shown);
}
