import { kmsError } from './kmsError';

/**
 * One request field, described as data (kinesalite's `validations/` shape): its wire type, and the
 * constraints AWS reports as a `ValidationException`.
 */
export interface FieldRule {
  type: 'String' | 'Blob' | 'Integer' | 'Boolean' | 'StringMap' | 'StringList';
  notNull?: boolean;
  /** Length bounds: characters for strings, bytes for blobs, entries for lists. */
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
  enum?: readonly string[];
}

export type Rules = Record<string, FieldRule>;

/** Values after checking: blobs decoded to bytes, maps and lists checked to hold strings. */
export type Checked = Record<string, string | Buffer | number | boolean | Record<string, string> | string[] | undefined>;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Checks a request against its rules. A value of the wrong wire type is a `SerializationException`
 * (AWS fails at the first); constraint failures are collected and reported together as one
 * `ValidationException`, in AWS's own sentence shape. Fields not in the rules are dropped.
 */
export function validate(data: unknown, rules: Rules): Checked {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw kmsError('SerializationException', 'Start of structure or map expected');
  }
  const input = data as Record<string, unknown>;
  const checked: Checked = {};
  const failures: string[] = [];
  for (const [field, rule] of Object.entries(rules)) {
    const raw = input[field];
    const at = field.charAt(0).toLowerCase() + field.slice(1);
    if (raw === undefined || raw === null) {
      if (rule.notNull) failures.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    const value = convert(field, raw, rule.type);
    checked[field] = value;
    const shown = Buffer.isBuffer(value) ? 'java.nio.HeapByteBuffer' : JSON.stringify(value);
    const length = typeof value === 'string' || Buffer.isBuffer(value) || Array.isArray(value) ? value.length : undefined;
    if (length !== undefined && rule.minLength !== undefined && length < rule.minLength) {
      failures.push(`Value '${shown}' at '${at}' failed to satisfy constraint: Member must have length greater than or equal to ${rule.minLength}`);
    }
    if (length !== undefined && rule.maxLength !== undefined && length > rule.maxLength) {
      failures.push(`Value '${shown}' at '${at}' failed to satisfy constraint: Member must have length less than or equal to ${rule.maxLength}`);
    }
    if (typeof value === 'number' && rule.min !== undefined && value < rule.min) {
      failures.push(`Value '${value}' at '${at}' failed to satisfy constraint: Member must have value greater than or equal to ${rule.min}`);
    }
    if (typeof value === 'number' && rule.max !== undefined && value > rule.max) {
      failures.push(`Value '${value}' at '${at}' failed to satisfy constraint: Member must have value less than or equal to ${rule.max}`);
    }
    if (rule.enum && typeof value === 'string' && !rule.enum.includes(value)) {
      failures.push(`Value '${value}' at '${at}' failed to satisfy constraint: Member must satisfy enum value set: [${rule.enum.join(', ')}]`);
    }
  }
  if (failures.length > 0) {
    const count = failures.length === 1 ? '1 validation error' : `${failures.length} validation errors`;
    throw kmsError('ValidationException', `${count} detected: ${failures.join('; ')}`);
  }
  return checked;
}

function convert(field: string, raw: unknown, type: FieldRule['type']): Checked[string] {
  const wrong = (expected: string) =>
    kmsError('SerializationException', `${field}: expected ${expected}, got ${Array.isArray(raw) ? 'list' : typeof raw}`);
  switch (type) {
    case 'String':
      if (typeof raw !== 'string') throw wrong('a string');
      return raw;
    case 'Blob':
      // AWS refuses a blob that is not valid base64 before looking at anything else.
      if (typeof raw !== 'string' || !BASE64.test(raw)) throw wrong('a base64 string');
      return Buffer.from(raw, 'base64');
    case 'Integer':
      if (typeof raw !== 'number' || !Number.isInteger(raw)) throw wrong('an integer');
      return raw;
    case 'Boolean':
      if (typeof raw !== 'boolean') throw wrong('a boolean');
      return raw;
    case 'StringMap': {
      if (typeof raw !== 'object' || Array.isArray(raw)) throw wrong('a map of strings');
      const entries = Object.entries(raw as Record<string, unknown>);
      if (entries.some(([, v]) => typeof v !== 'string')) throw wrong('a map of strings');
      return Object.fromEntries(entries) as Record<string, string>;
    }
    case 'StringList':
      if (!Array.isArray(raw) || raw.some((v) => typeof v !== 'string')) throw wrong('a list of strings');
      return raw as string[];
  }
}
