import {
  MAX_PATTERN_BRANCHES,
  NUMERIC_OPERATOR,
  OR_KEYWORD,
  PATTERN_OPERATOR,
  RESERVED_FIELD_NAMES_IN_OR,
} from './constants';
import { caseAlternatives } from './ignoreCase';
import { parseCidr, parseIpAddress } from './ipAddress';
import type { FieldConstraint, PatternError, SubRule, ValueMatcher, WildcardPieces } from './types';
import { compileWildcard } from './wildcard';

/** A pattern compiled to its `$or` branches, or the problems that stopped it. */
export interface ParsedPattern {
  subRules: SubRule[];
  errors: PatternError[];
}

type Branch = Map<string, FieldConstraint>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `base.key` for ordinary names, `base["odd key"]` otherwise. */
function childPath(base: string, key: string): string {
  return IDENTIFIER.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Turns an EventBridge pattern into branches of field constraints, collecting every error. */
class PatternParser {
  readonly errors: PatternError[] = [];

  fail(path: string, message: string): undefined {
    this.errors.push({ path, message });
    return undefined;
  }

  parseObject(
    pattern: Record<string, unknown>,
    fieldPrefix: string,
    path: string,
    branches: Branch[],
    insideOr: boolean,
  ): Branch[] {
    const keys = Object.keys(pattern);
    if (keys.length === 0) {
      this.fail(path, 'empty objects are not allowed');
      return branches;
    }
    for (const key of keys) {
      const value = pattern[key];
      const keyPath = childPath(path, key);
      if (key === OR_KEYWORD) {
        branches = this.parseOr(value, fieldPrefix, keyPath, branches);
        continue;
      }
      if (insideOr && RESERVED_FIELD_NAMES_IN_OR.has(key)) {
        this.fail(keyPath, `"${key}" is a reserved word and cannot be a field name inside "$or"`);
        continue;
      }
      const fieldPath = fieldPrefix === '' ? key : `${fieldPrefix}.${key}`;
      if (Array.isArray(value)) {
        const constraint = this.parseValues(value, fieldPath, keyPath);
        // As in Event Ruler, a path given twice (through `$or` or a dotted name) keeps the last values.
        if (constraint !== undefined) for (const branch of branches) branch.set(fieldPath, constraint);
      } else if (isPlainObject(value)) {
        branches = this.parseObject(value, fieldPath, keyPath, branches, insideOr);
      } else {
        this.fail(keyPath, `must be an object or an array of values, got ${describe(value)}`);
      }
    }
    return branches;
  }

  parseOr(value: unknown, fieldPrefix: string, path: string, branches: Branch[]): Branch[] {
    if (!Array.isArray(value)) {
      this.fail(path, `"$or" must be an array of at least two objects, got ${describe(value)}`);
      return branches;
    }
    if (value.length < 2) {
      this.fail(path, '"$or" must have at least two objects');
    }
    const expanded: Branch[] = [];
    value.forEach((alternative, index) => {
      const alternativePath = `${path}[${index}]`;
      if (!isPlainObject(alternative)) {
        this.fail(alternativePath, `only objects are allowed in "$or", got ${describe(alternative)}`);
        return;
      }
      const copies = branches.map((branch) => new Map(branch));
      expanded.push(...this.parseObject(alternative, fieldPrefix, alternativePath, copies, true));
    });
    if (expanded.length > MAX_PATTERN_BRANCHES) {
      this.fail(path, `"$or" expands the pattern to ${expanded.length} branches; at most ${MAX_PATTERN_BRANCHES} are allowed`);
      return branches;
    }
    return expanded.length > 0 ? expanded : branches;
  }

  parseValues(values: unknown[], fieldPath: string, path: string): FieldConstraint | undefined {
    if (values.length === 0) {
      return this.fail(path, 'empty arrays are not allowed');
    }
    const matchers: ValueMatcher[] = [];
    let allowsAbsent = false;
    let valid = true;
    values.forEach((value, index) => {
      const itemPath = `${path}[${index}]`;
      if (typeof value === 'string') {
        // Event Ruler compares a value that reads as an IP address as an address (`ipToRangeIfPossible`).
        const ip = parseIpAddress(value);
        matchers.push(ip !== undefined ? { kind: 'exactIp', ip } : { kind: 'exactString', value });
      } else if (typeof value === 'number') {
        if (!Number.isFinite(value)) {
          valid = false;
          this.fail(itemPath, 'numbers must be finite');
        } else {
          matchers.push({ kind: 'exactNumber', value: value === 0 ? 0 : value });
        }
      } else if (typeof value === 'boolean' || value === null) {
        matchers.push({ kind: 'exactLiteral', value });
      } else if (isPlainObject(value)) {
        const parsed = this.parseOperator(value, itemPath);
        if (parsed === 'absent') allowsAbsent = true;
        else if (parsed === undefined) valid = false;
        else matchers.push(parsed);
      } else {
        valid = false;
        this.fail(itemPath, `must be a string, number, boolean, null or an operator object, got ${describe(value)}`);
      }
    });
    return valid ? { path: fieldPath, matchers, allowsAbsent } : undefined;
  }

  parseOperator(expression: Record<string, unknown>, path: string): ValueMatcher | 'absent' | undefined {
    const keys = Object.keys(expression);
    if (keys.length !== 1) {
      return this.fail(path, `an operator object must have exactly one key, got ${keys.length}`);
    }
    const operator = keys[0];
    const operand = expression[operator];
    const operatorPath = childPath(path, operator);
    switch (operator) {
      case PATTERN_OPERATOR.exactly:
        return typeof operand === 'string'
          ? { kind: 'exactString', value: operand }
          : this.fail(operatorPath, `must be a string, got ${describe(operand)}`);
      case PATTERN_OPERATOR.prefix:
      case PATTERN_OPERATOR.suffix:
        return this.parsePrefixOrSuffix(operator, operand, operatorPath);
      case PATTERN_OPERATOR.equalsIgnoreCase:
        return typeof operand === 'string'
          ? { kind: 'equalsIgnoreCase', value: operand, alternatives: caseAlternatives(operand) }
          : this.fail(operatorPath, `must be a string, got ${describe(operand)}`);
      case PATTERN_OPERATOR.wildcard: {
        if (typeof operand !== 'string') return this.fail(operatorPath, `must be a string, got ${describe(operand)}`);
        const wildcard = this.parseWildcard(operand, operatorPath);
        return wildcard === undefined ? undefined : { kind: 'wildcard', value: operand, wildcard };
      }
      case PATTERN_OPERATOR.numeric:
        return this.parseNumeric(operand, operatorPath);
      case PATTERN_OPERATOR.exists:
        if (typeof operand !== 'boolean') return this.fail(operatorPath, 'must be true or false');
        return operand ? { kind: 'exists' } : 'absent';
      case PATTERN_OPERATOR.cidr: {
        if (typeof operand !== 'string') return this.fail(operatorPath, `must be a string, got ${describe(operand)}`);
        const range = parseCidr(operand);
        return typeof range === 'string' ? this.fail(operatorPath, range) : { kind: 'cidr', ...range };
      }
      case PATTERN_OPERATOR.anythingBut:
        return this.parseAnythingBut(operand, operatorPath);
      default:
        return this.fail(operatorPath, `unknown operator "${operator}"`);
    }
  }

  parsePrefixOrSuffix(operator: 'prefix' | 'suffix', operand: unknown, path: string): ValueMatcher | undefined {
    if (typeof operand === 'string') {
      return { kind: operator, value: operand };
    }
    if (isPlainObject(operand)) {
      const keys = Object.keys(operand);
      if (keys.length !== 1 || keys[0] !== PATTERN_OPERATOR.equalsIgnoreCase) {
        return this.fail(path, `only { "equals-ignore-case": <string> } may be nested in "${operator}"`);
      }
      const value = operand[PATTERN_OPERATOR.equalsIgnoreCase];
      if (typeof value !== 'string') {
        return this.fail(`${path}.equals-ignore-case`, `must be a string, got ${describe(value)}`);
      }
      const alternatives = caseAlternatives(value);
      return operator === 'prefix'
        ? { kind: 'prefixIgnoreCase', value, alternatives }
        : { kind: 'suffixIgnoreCase', value, alternatives };
    }
    return this.fail(path, `must be a string or { "equals-ignore-case": <string> }, got ${describe(operand)}`);
  }

  parseWildcard(value: string, path: string): WildcardPieces | undefined {
    const wildcard = compileWildcard(value);
    return typeof wildcard === 'string' ? this.fail(path, wildcard) : wildcard;
  }

  parseNumeric(operand: unknown, path: string): ValueMatcher | undefined {
    const shape = 'must be an array such as [">", 0, "<=", 5] or ["=", 3]';
    if (!Array.isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
      return this.fail(path, shape);
    }
    let valid = true;
    const numberAt = (index: number): number => {
      const value = operand[index];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        valid = false;
        this.fail(`${path}[${index}]`, `must be a finite number, got ${describe(value)}`);
        return NaN;
      }
      return value;
    };
    const first = operand[0];
    const bound = numberAt(1);
    const { eq, lt, le, gt, ge } = NUMERIC_OPERATOR;
    if (first === eq || first === lt || first === le) {
      if (operand.length === 4) {
        return this.fail(path, `"${first}" must be the only comparison; a range starts with ">" or ">="`);
      }
      if (!valid) return undefined;
      if (first === eq) return { kind: 'numeric', lower: bound, lowerOpen: false, upper: bound, upperOpen: false };
      return { kind: 'numeric', lower: -Infinity, lowerOpen: false, upper: bound, upperOpen: first === lt };
    }
    if (first !== gt && first !== ge) {
      return this.fail(`${path}[0]`, `unknown numeric operator ${describe(first)}`);
    }
    if (operand.length === 2) {
      if (!valid) return undefined;
      return { kind: 'numeric', lower: bound, lowerOpen: first === gt, upper: Infinity, upperOpen: false };
    }
    const second = operand[2];
    if (second !== lt && second !== le) {
      valid = false;
      this.fail(`${path}[2]`, `the upper bound of a range must be "<" or "<=", got ${describe(second)}`);
    }
    const top = numberAt(3);
    if (!valid) return undefined;
    if (!(bound < top)) {
      return this.fail(path, `the lower bound (${bound}) must be less than the upper bound (${top})`);
    }
    return { kind: 'numeric', lower: bound, lowerOpen: first === gt, upper: top, upperOpen: second === lt };
  }

  parseAnythingBut(operand: unknown, path: string): ValueMatcher | undefined {
    if (typeof operand === 'string') {
      return { kind: 'anythingButStrings', values: new Set([operand]) };
    }
    if (typeof operand === 'number') {
      return Number.isFinite(operand)
        ? { kind: 'anythingButNumbers', values: new Set([operand === 0 ? 0 : operand]) }
        : this.fail(path, 'numbers must be finite');
    }
    if (Array.isArray(operand)) {
      if (operand.length === 0) return this.fail(path, 'must not be an empty list');
      if (operand.every((item) => typeof item === 'string')) {
        return { kind: 'anythingButStrings', values: new Set(operand as string[]) };
      }
      if (operand.every((item) => typeof item === 'number' && Number.isFinite(item))) {
        return { kind: 'anythingButNumbers', values: new Set((operand as number[]).map((n) => (n === 0 ? 0 : n))) };
      }
      return this.fail(path, 'a list must hold only strings or only numbers');
    }
    if (isPlainObject(operand)) {
      const keys = Object.keys(operand);
      if (keys.length !== 1) {
        return this.fail(path, `a nested operator object must have exactly one key, got ${keys.length}`);
      }
      const nested = keys[0];
      const nestedPath = childPath(path, nested);
      const strings = this.stringList(operand[nested], nestedPath);
      if (strings === undefined) return undefined;
      switch (nested) {
        case PATTERN_OPERATOR.equalsIgnoreCase:
          return { kind: 'anythingButIgnoreCase', values: strings.map(caseAlternatives) };
        case PATTERN_OPERATOR.prefix:
        case PATTERN_OPERATOR.suffix: {
          if (strings.some((value) => value === '')) return this.fail(nestedPath, `an empty ${nested} is not allowed`);
          return nested === 'prefix'
            ? { kind: 'anythingButPrefix', values: strings }
            : { kind: 'anythingButSuffix', values: strings };
        }
        case PATTERN_OPERATOR.wildcard: {
          const wildcards: WildcardPieces[] = [];
          for (const value of strings) {
            const wildcard = this.parseWildcard(value, nestedPath);
            if (wildcard === undefined) return undefined;
            wildcards.push(wildcard);
          }
          return { kind: 'anythingButWildcard', values: wildcards };
        }
        default:
          return this.fail(nestedPath, `"anything-but" supports only equals-ignore-case, prefix, suffix and wildcard, not "${nested}"`);
      }
    }
    return this.fail(path, `must be a string, a number, a list of either, or an operator object, got ${describe(operand)}`);
  }

  /** A string or a non-empty list of strings. */
  stringList(value: unknown, path: string): string[] | undefined {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')) {
      return value as string[];
    }
    return this.fail(path, `must be a string or a non-empty list of strings, got ${describe(value)}`);
  }
}

/**
 * Compiles an EventBridge event pattern into its branches (one per combination of `$or`
 * alternatives), each a list of field constraints sorted by path. Errors are collected, not thrown,
 * each naming the JSON path of the offending part below `basePath`.
 */
export function parseEventPattern(pattern: unknown, basePath: string): ParsedPattern {
  const parser = new PatternParser();
  if (!isPlainObject(pattern)) {
    parser.fail(basePath, `a pattern must be an object, got ${describe(pattern)}`);
    return { subRules: [], errors: parser.errors };
  }
  const branches = parser.parseObject(pattern, '', basePath, [new Map()], false);
  if (parser.errors.length > 0) {
    return { subRules: [], errors: parser.errors };
  }
  const subRules = branches.map((branch) => ({
    constraints: [...branch.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  }));
  return { subRules, errors: [] };
}
