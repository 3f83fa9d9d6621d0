import fc from 'fast-check';

/**
 * Generators of EventBridge patterns and events over one small vocabulary, so that generated
 * patterns often match generated events (and often narrowly miss).
 */

export const FIELD_NAMES = ['a', 'b', 'c', 'source', 'data'] as const;

const STRINGS = [
  '',
  'a',
  'A',
  'ab',
  'Ab',
  'AB',
  'abc',
  'b',
  'ba',
  'a*b',
  'a\\b',
  'x.y',
  'ß',
  'SS',
  'ss',
  'ǅ',
  'é',
  'É',
  '10.0.0.1',
  '10.0.0.255',
  '10.0.1.7',
  '192.168.0.1',
  '2001:db8::1',
  '2001:DB8:0:0:0:0:0:1',
  '::ffff:a00:1',
  'null',
  '5',
] as const;

const NUMBERS = [-5, -1, 0, 0.5, 1, 1.5, 2, 5, 100, 1e21, 0.1, 0.30000000000000004] as const;

export const stringValue = fc.constantFrom(...STRINGS);
export const numberValue = fc.constantFrom(...NUMBERS);
export const leafValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: stringValue },
  { weight: 3, arbitrary: numberValue },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
);

const key = fc.constantFrom(...FIELD_NAMES);

/** An event: nested objects and arrays (of leaves and of objects) over the vocabulary. */
export const eventValue: fc.Arbitrary<Record<string, unknown>> = fc.letrec<{ object: Record<string, unknown>; value: unknown }>(
  (tie) => ({
    object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 6, arbitrary: leafValue },
      { weight: 2, arbitrary: tie('object') },
      { weight: 2, arbitrary: fc.array(fc.oneof(leafValue, tie('object')), { maxLength: 3 }) },
    ),
  }),
).object;

const nonEmptyString = stringValue.filter((s) => s.length > 0);
/** Wildcards built from pieces of the vocabulary, never two stars in a row. */
const wildcardText = fc
  .array(fc.constantFrom('a', 'b', 'A', '\\*', '\\\\', '.', '1', '0.', 'ß'), { maxLength: 3 })
  .chain((pieces) =>
    fc.array(fc.boolean(), { minLength: pieces.length + 1, maxLength: pieces.length + 1 }).map((stars) => {
      let text = stars[0] ? '*' : '';
      pieces.forEach((piece, i) => {
        text += piece + (stars[i + 1] ? '*' : '');
      });
      return text;
    }),
  );
const stringOrList = <T>(item: fc.Arbitrary<T>): fc.Arbitrary<T | T[]> =>
  fc.oneof(item, fc.array(item, { minLength: 1, maxLength: 3 }));

const numericRange = fc.oneof(
  fc.tuple(fc.constantFrom('=', '<', '<=', '>', '>='), numberValue).map(([op, n]) => [op, n]),
  fc
    .tuple(fc.constantFrom('>', '>='), numberValue, fc.constantFrom('<', '<='), numberValue)
    .filter(([, low, , high]) => low < high)
    .map(([lo, low, hi, high]) => [lo, low, hi, high]),
);

/** One entry of a field's value list: a literal or an operator object. */
export const patternEntry: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: leafValue },
  { weight: 1, arbitrary: stringValue.map((s) => ({ exactly: s })) },
  { weight: 2, arbitrary: stringValue.map((s) => ({ prefix: s })) },
  { weight: 2, arbitrary: stringValue.map((s) => ({ suffix: s })) },
  { weight: 1, arbitrary: stringValue.map((s) => ({ prefix: { 'equals-ignore-case': s } })) },
  { weight: 1, arbitrary: stringValue.map((s) => ({ suffix: { 'equals-ignore-case': s } })) },
  { weight: 2, arbitrary: stringValue.map((s) => ({ 'equals-ignore-case': s })) },
  { weight: 2, arbitrary: wildcardText.map((s) => ({ wildcard: s })) },
  { weight: 3, arbitrary: numericRange.map((range) => ({ numeric: range })) },
  { weight: 2, arbitrary: fc.boolean().map((b) => ({ exists: b })) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('10.0.0.0/24', '10.0.0.5/30', '10.0.0.0/8', '0.0.0.0/0', '2001:db8::/32', '::/0').map((c) => ({
      cidr: c,
    })),
  },
  { weight: 2, arbitrary: stringOrList(stringValue).map((v) => ({ 'anything-but': v })) },
  { weight: 1, arbitrary: stringOrList(numberValue).map((v) => ({ 'anything-but': v })) },
  { weight: 1, arbitrary: stringOrList(stringValue).map((v) => ({ 'anything-but': { 'equals-ignore-case': v } })) },
  { weight: 1, arbitrary: stringOrList(nonEmptyString).map((v) => ({ 'anything-but': { prefix: v } })) },
  { weight: 1, arbitrary: stringOrList(nonEmptyString).map((v) => ({ 'anything-but': { suffix: v } })) },
  { weight: 1, arbitrary: stringOrList(wildcardText).map((v) => ({ 'anything-but': { wildcard: v } })) },
);

/**
 * A pattern object of bounded depth: fields with value lists, nested objects, and sometimes `$or`
 * (whose alternatives are one level shallower, which keeps the number of branches small).
 */
function patternOfDepth(depth: number): fc.Arbitrary<Record<string, unknown>> {
  const valueList = fc.array(patternEntry, { minLength: 1, maxLength: 3 });
  const member: fc.Arbitrary<unknown> =
    depth === 0 ? valueList : fc.oneof({ weight: 4, arbitrary: valueList }, { weight: 1, arbitrary: patternOfDepth(depth - 1) });
  const fields = fc.dictionary(key, member, { minKeys: 1, maxKeys: 3 });
  if (depth === 0) return fields;
  return fc
    .tuple(fields, fc.option(fc.array(patternOfDepth(depth - 1), { minLength: 2, maxLength: 3 }), { freq: 4 }))
    .map(([object, or]) => (or === null ? object : { ...object, $or: or }));
}

export const patternValue: fc.Arbitrary<Record<string, unknown>> = patternOfDepth(2);

const subjectToken = fc.constantFrom('com', 'example', 'orders', 'created', 'x');
export const subjectText = fc.array(subjectToken, { minLength: 1, maxLength: 4 }).map((tokens) => tokens.join('.'));
export const subjectPattern = fc
  .tuple(fc.array(fc.oneof(subjectToken, fc.constant('*')), { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([tokens, rest]) => (rest ? [...tokens.slice(0, -1), '>'] : tokens).join('.'));

interface Leaf {
  path: string[];
  value: unknown;
}

function leavesOf(value: unknown, path: string[], out: Leaf[]): void {
  if (Array.isArray(value)) {
    for (const element of value) leavesOf(element, path, out);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) leavesOf(child, [...path, key], out);
  } else {
    out.push({ path, value });
  }
}

function escapeWildcard(text: string): string {
  return text.replace(/[\\*]/g, '\\$&');
}

/** Entries that a given leaf value satisfies, or narrowly fails. */
function entriesFor(value: unknown): fc.Arbitrary<unknown> {
  if (typeof value === 'string') {
    const cut = fc.nat({ max: value.length });
    const options: fc.Arbitrary<unknown>[] = [
      fc.constant(value),
      cut.map((n) => ({ prefix: value.slice(0, n) })),
      cut.map((n) => ({ suffix: value.slice(n) })),
      fc.constant({ 'equals-ignore-case': value.toUpperCase() }),
      fc.constant({ 'equals-ignore-case': value.toLowerCase() }),
      cut.map((n) => ({ prefix: { 'equals-ignore-case': value.slice(0, n).toUpperCase() } })),
      cut.map((n) => ({ suffix: { 'equals-ignore-case': value.slice(n).toLowerCase() } })),
      cut.map((n) => ({ wildcard: `${escapeWildcard(value.slice(0, n))}*` })),
      cut.map((n) => ({ wildcard: `*${escapeWildcard(value.slice(n))}` })),
      fc.constant({ 'anything-but': value }),
      fc.constant({ 'anything-but': { 'equals-ignore-case': value.toUpperCase() } }),
      fc.constant({ exists: true }),
      fc.constant({ exists: false }),
      patternEntry,
    ];
    if (value.length > 0) {
      options.push(fc.nat({ max: value.length - 1 }).map((n) => ({ 'anything-but': { prefix: value.slice(0, n + 1) } })));
      options.push(fc.nat({ max: value.length - 1 }).map((n) => ({ 'anything-but': { suffix: value.slice(n) } })));
      options.push(fc.constant({ 'anything-but': { wildcard: `${escapeWildcard(value.slice(0, 1))}*` } }));
    }
    return fc.oneof(...options);
  }
  if (typeof value === 'number') {
    return fc.oneof(
      fc.constant(value),
      fc.constant({ numeric: ['=', value] }),
      fc.constant({ numeric: ['<', value] }),
      fc.constant({ numeric: ['<=', value] }),
      // Near 1e21 adding 1 changes nothing, and a range needs its bounds apart.
      fc.constant(value + 1 > value ? { numeric: ['>=', value, '<', value + 1] } : { numeric: ['>=', value] }),
      fc.constant(value - 1 < value ? { numeric: ['>', value - 1, '<=', value] } : { numeric: ['<=', value] }),
      fc.constant({ 'anything-but': value }),
      fc.constant({ 'anything-but': [value + 1, value - 1] }),
      fc.constant({ exists: true }),
      fc.constant({ exists: false }),
      patternEntry,
    );
  }
  return fc.oneof(fc.constant(value), fc.constant({ exists: true }), fc.constant({ exists: false }), patternEntry);
}

function patternFromLeaves(choices: { leaf: Leaf; entries: unknown[] }[]): Record<string, unknown> {
  const pattern: Record<string, unknown> = {};
  for (const { leaf, entries } of choices) {
    let node = pattern;
    leaf.path.slice(0, -1).forEach((name) => {
      const next = node[name];
      node[name] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {};
      node = node[name] as Record<string, unknown>;
    });
    node[leaf.path[leaf.path.length - 1]] = entries;
  }
  return pattern;
}

/**
 * A pattern built from the leaves of an event (so it often matches it, or just misses), sometimes
 * combined through `$or` with a random pattern.
 */
export function patternNear(event: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const leaves: Leaf[] = [];
  leavesOf(event, [], leaves);
  if (leaves.length === 0) return patternValue;
  const derived = fc
    .uniqueArray(fc.nat({ max: leaves.length - 1 }), { minLength: 1, maxLength: Math.min(3, leaves.length) })
    .chain((picks) =>
      fc.tuple(...picks.map((i) => fc.array(entriesFor(leaves[i].value), { minLength: 1, maxLength: 2 }).map((entries) => ({ leaf: leaves[i], entries })))),
    )
    .map(patternFromLeaves)
    .filter((pattern) => Object.keys(pattern).length > 0);
  return fc.oneof(
    { weight: 4, arbitrary: derived },
    { weight: 1, arbitrary: fc.tuple(derived, patternValue).map(([a, b]) => ({ $or: [a, b] })) },
    { weight: 1, arbitrary: fc.tuple(derived, derived).map(([a, b]) => ({ ...b, $or: [a, b] })) },
  );
}
