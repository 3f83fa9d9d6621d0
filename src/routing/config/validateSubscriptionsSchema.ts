import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import schema from '../../../schema/subscriptions.schema.json';
import { pointerOf } from './jsonPointer';
import type { ConfigError } from './types';

/** What the formatter reads from a schema node (ajv's `parentSchema` with `verbose`). */
interface SchemaNode {
  properties?: Record<string, unknown>;
  errorMessage?: string;
  patternErrorMessage?: string;
  format?: string;
}

let validator: ValidateFunction | undefined;

// Compiled on first use, not at import: a Lambda that never reads the file pays nothing.
function compile(): ValidateFunction {
  // allErrors: report every problem, not the first; verbose: keep the schema node, for messages. Strict
  // except `strictRequired`: the PageUp `if`/`then` branches require properties declared by their parent.
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictRequired: false });
  addFormats(ajv, ['uri']);
  // Editor hints (VS Code reads both); here they supply the messages of the nodes that carry them.
  ajv.addVocabulary(['errorMessage', 'patternErrorMessage']);
  return ajv.compile(schema);
}

/**
 * Checks subscriptions.json (either format) against `schema/subscriptions.schema.json` and returns every
 * problem, each with the JSON Pointer of the offending value; empty when the file conforms.
 */
export function validateSubscriptionsSchema(json: unknown): ConfigError[] {
  validator ??= compile();
  if (validator(json)) return [];
  const errors: ConfigError[] = [];
  // One message per value and schema node: a value breaking `format` and `pattern` of the same node
  // is reported once, by the first rule it breaks.
  const reported = new Map<string, Set<unknown>>();
  for (const error of validator.errors ?? []) {
    const formatted = formatError(error);
    if (formatted === undefined) continue;
    const nodes = reported.get(formatted.path) ?? new Set<unknown>();
    if (error.parentSchema !== undefined && nodes.has(error.parentSchema)) continue;
    nodes.add(error.parentSchema);
    reported.set(formatted.path, nodes);
    errors.push(formatted);
  }
  return errors;
}

function formatError(error: ErrorObject): ConfigError | undefined {
  // `if` only says which branch failed; the branch's own errors say why. Errors inside `propertyNames`
  // are reported by the `propertyNames` error, which knows the name.
  if (error.keyword === 'if' || error.propertyName !== undefined) return undefined;
  const node = (error.parentSchema ?? {}) as SchemaNode;
  const path = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: pointerOf(path, params.missingProperty as string), message: 'is required' };
    case 'additionalProperties': {
      const name = params.additionalProperty as string;
      return { path: pointerOf(path, name), message: unknownPropertyMessage(name, Object.keys(node.properties ?? {})) };
    }
    case 'propertyNames': {
      const names = error.schema as SchemaNode;
      return {
        path: pointerOf(path, params.propertyName as string),
        message: names.patternErrorMessage ?? 'is not an allowed name',
      };
    }
    case 'type':
      return { path, message: node.errorMessage ?? `must be ${article(String(params.type))}, got ${kindOf(error.data)}` };
    case 'enum':
      return {
        path,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${preview(error.data)}`,
      };
    case 'pattern': {
      // Patterns check identifiers (ids, ARNs, names), never secrets, so the value may be echoed; except
      // URLs (nodes with a `format`), which may embed credentials.
      const message = node.patternErrorMessage ?? `must match ${String(params.pattern)}`;
      return { path, message: node.format === undefined ? `${message}, got ${preview(error.data)}` : message };
    }
    case 'format':
      // URLs may embed credentials: the value is not echoed.
      return { path, message: node.errorMessage ?? `must be a valid ${String(params.format) === 'uri' ? 'absolute URL' : String(params.format)}` };
    case 'minProperties':
    case 'maxProperties':
      return { path, message: node.errorMessage ?? (error.message as string) };
    case 'minItems':
      return { path, message: `must have at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}` };
    case 'maxItems':
      return { path, message: `must have at most ${String(params.limit)} items, got ${(error.data as unknown[]).length}` };
    case 'minLength':
      return { path, message: params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long` };
    case 'maxLength':
      return { path, message: `must be at most ${String(params.limit)} characters long, got ${(error.data as string).length}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `must be ${String(params.comparison)} ${String(params.limit)}, got ${String(error.data)}` };
    default:
      return { path, message: error.message ?? `breaks the schema rule "${error.keyword}"` };
  }
}

/** "is not allowed here", with the closest allowed name when one is near (a typo, or PageUp casing). */
function unknownPropertyMessage(name: string, allowed: string[]): string {
  const lower = name.toLowerCase();
  const near =
    allowed.find((candidate) => candidate.toLowerCase() === lower) ??
    allowed.find((candidate) => editDistance(candidate.toLowerCase(), lower) <= (candidate.length >= 5 ? 2 : 1));
  const hint = near !== undefined ? `; did you mean "${near}"?` : '';
  const list = allowed.length > 0 ? ` (allowed: ${allowed.filter((key) => key !== '$schema').join(', ')})` : '';
  return `is not an allowed property${hint}${list}`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3; // only small distances matter here
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function article(type: string): string {
  return type
    .split(',')
    .map((name) => (name === 'object' || name === 'array' || name === 'integer' ? `an ${name}` : `a ${name}`))
    .join(' or ');
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
