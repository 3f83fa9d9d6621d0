/**
 * A deliberately plain evaluator of EventBridge patterns (Event Ruler semantics) and NATS subject
 * patterns, written independently of src/routing so property tests can compare the indexed matcher
 * against it. It assumes valid patterns and favours obviousness over speed: it flattens the whole
 * event, expands `$or` by brute force, matches strings with regular expressions built from the
 * operators, compares IP addresses as BigInts, and searches the leaf combinations exhaustively.
 */

export interface ReferenceSubscription {
  id: string;
  types?: readonly string[];
  subjects?: readonly string[];
  filter?: Record<string, unknown>;
}

/** A number whose text cannot be compared numerically (see `referenceLeavesOfJson`). */
export class TextNumber {
  constructor(readonly text: string) {}
}

type Leaf = string | number | boolean | null | TextNumber;

interface FlatLeaf {
  path: string;
  value: Leaf;
  /** [arrayId, index] pairs. */
  arrays: [number, number][];
}

// --- NATS --------------------------------------------------------------------------------------

export function referenceMatchesSubject(pattern: string, value: string): boolean {
  const p = pattern.split('.');
  const v = value.split('.');
  if (p[p.length - 1] === '>') {
    const fixed = p.slice(0, -1);
    return v.length > fixed.length && fixed.every((token, i) => token === '*' || token === v[i]);
  }
  return p.length === v.length && p.every((token, i) => token === '*' || token === v[i]);
}

// --- events ------------------------------------------------------------------------------------

function flatten(value: unknown, path: string, arrays: [number, number][], out: FlatLeaf[], ids: { next: number }): void {
  if (Array.isArray(value)) {
    const id = ids.next++;
    value.forEach((element, index) => flatten(element, path, [...arrays, [id, index]], out, ids));
  } else if (typeof value === 'object' && value !== null && !(value instanceof TextNumber)) {
    for (const [key, child] of Object.entries(value)) flatten(child, path === '' ? key : `${path}.${key}`, arrays, out, ids);
  } else if (typeof value === 'number') {
    out.push({ path, value: Object.is(value, -0) ? 0 : value, arrays });
  } else if (typeof value === 'string' || typeof value === 'boolean' || value === null || value instanceof TextNumber) {
    out.push({ path, value, arrays });
  }
}

function flattenEvent(event: unknown): FlatLeaf[] {
  const out: FlatLeaf[] = [];
  if (typeof event === 'object' && event !== null && !Array.isArray(event)) flatten(event, '', [], out, { next: 0 });
  return out;
}

// --- values ------------------------------------------------------------------------------------

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Each code point may appear as its lower-case or its upper-case form. */
function ignoreCaseSource(text: string): string {
  return [...text].map((c) => `(?:${escapeRegExp(c.toLowerCase())}|${escapeRegExp(c.toUpperCase())})`).join('');
}

function wildcardSource(pattern: string): string {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') source += escapeRegExp(pattern[++i]);
    else if (pattern[i] === '*') source += '[\\s\\S]*';
    else source += escapeRegExp(pattern[i]);
  }
  return source;
}

function test(source: string, value: Leaf): boolean {
  return typeof value === 'string' && new RegExp(`^(?:${source})$`, 'u').test(value);
}

function ipValue(text: string): { version: 4 | 6; value: bigint } | undefined {
  if (/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(text)) {
    const parts = text.split('.').map(Number);
    if (parts.some((part) => part > 255)) return undefined;
    return { version: 4, value: parts.reduce((acc, part) => acc * 256n + BigInt(part), 0n) };
  }
  if (!/^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if ([...head, ...tail].some((group) => !/^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (halves.length === 2 ? fill < 1 : head.length !== 8) return undefined;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...tail].map((group) => BigInt(parseInt(group, 16)));
  const value = groups.reduce((acc, group) => acc * 65536n + group, 0n);
  // ::ffff:a.b.c.d is an IPv4 address.
  if (value >> 32n === 0xffffn) return { version: 4, value: value & 0xffffffffn };
  return { version: 6, value };
}

function numericHolds(spec: unknown[], value: number): boolean {
  for (let i = 0; i < spec.length; i += 2) {
    const bound = spec[i + 1] as number;
    const holds = { '=': value === bound, '<': value < bound, '<=': value <= bound, '>': value > bound, '>=': value >= bound }[
      spec[i] as string
    ];
    if (!holds) return false;
  }
  return true;
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** Whether one pattern entry (a literal or an operator object) accepts one leaf. */
function entryMatches(entry: unknown, value: Leaf): boolean {
  if (typeof entry === 'string') {
    const ip = ipValue(entry);
    if (ip !== undefined) {
      const other = typeof value === 'string' ? ipValue(value) : undefined;
      return other !== undefined && other.version === ip.version && other.value === ip.value;
    }
    return value === entry;
  }
  if (typeof entry === 'number' || typeof entry === 'boolean' || entry === null) return value === entry;
  const [operator, operand] = Object.entries(entry as Record<string, unknown>)[0];
  const nested = typeof operand === 'object' && operand !== null && !Array.isArray(operand);
  switch (operator) {
    case 'exactly':
      return value === operand;
    case 'prefix':
      return nested
        ? test(`${ignoreCaseSource((operand as Record<string, string>)['equals-ignore-case'])}[\\s\\S]*`, value)
        : typeof value === 'string' && value.startsWith(operand as string);
    case 'suffix':
      return nested
        ? test(`[\\s\\S]*${ignoreCaseSource((operand as Record<string, string>)['equals-ignore-case'])}`, value)
        : typeof value === 'string' && value.endsWith(operand as string);
    case 'equals-ignore-case':
      return test(ignoreCaseSource(operand as string), value);
    case 'wildcard':
      return test(wildcardSource(operand as string), value);
    case 'numeric':
      return typeof value === 'number' && numericHolds(operand as unknown[], value);
    case 'exists':
      return operand === true;
    case 'cidr': {
      const [address, bits] = (operand as string).split('/');
      const base = ipValue(address);
      const ip = typeof value === 'string' ? ipValue(value) : undefined;
      if (base === undefined || ip === undefined || ip.version !== base.version) return false;
      const host = BigInt((base.version === 4 ? 32 : 128) - Number(bits));
      return ip.value >> host === base.value >> host;
    }
    case 'anything-but': {
      if (!nested) {
        const excluded = asList(operand);
        return typeof excluded[0] === 'number'
          ? typeof value !== 'number' || !excluded.includes(value)
          : typeof value !== 'string' || !excluded.includes(value);
      }
      if (typeof value !== 'string') return true;
      const [kind, list] = Object.entries(operand as Record<string, unknown>)[0];
      const strings = asList(list) as string[];
      switch (kind) {
        case 'equals-ignore-case':
          return !strings.some((s) => test(ignoreCaseSource(s), value));
        case 'prefix':
          return !strings.some((s) => value.startsWith(s));
        case 'suffix':
          return !strings.some((s) => value.endsWith(s));
        default:
          return !strings.some((s) => test(wildcardSource(s), value));
      }
    }
    default:
      throw new Error(`reference: unknown operator ${operator}`);
  }
}

// --- patterns ----------------------------------------------------------------------------------

type Branch = Map<string, unknown[]>;

/** All branches of a pattern: `$or` multiplies them; a path given again replaces the earlier values. */
function branchesOf(pattern: Record<string, unknown>, prefix: string, branches: Branch[]): Branch[] {
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or') {
      branches = (value as Record<string, unknown>[]).flatMap((alternative) =>
        branchesOf(alternative, prefix, branches.map((branch) => new Map(branch))),
      );
    } else if (Array.isArray(value)) {
      for (const branch of branches) branch.set(prefix === '' ? key : `${prefix}.${key}`, value);
    } else {
      branches = branchesOf(value as Record<string, unknown>, prefix === '' ? key : `${prefix}.${key}`, branches);
    }
  }
  return branches;
}

function consistent(a: [number, number][], b: [number, number][]): boolean {
  return b.every(([id, index]) => a.every(([otherId, otherIndex]) => otherId !== id || otherIndex === index));
}

/** Exhaustive search over the fields in path order, as Event Ruler steps through them. */
function search(fields: [string, unknown[]][], i: number, chosen: [number, number][], leaves: FlatLeaf[]): boolean {
  if (i === fields.length) return true;
  const [path, entries] = fields[i];
  const candidates = leaves.filter((leaf) => leaf.path === path && consistent(chosen, leaf.arrays));
  const absentAllowed = entries.some((entry) => JSON.stringify(entry) === '{"exists":false}');
  if (absentAllowed && candidates.length === 0 && search(fields, i + 1, chosen, leaves)) return true;
  return candidates.some(
    (leaf) =>
      entries.some((entry) => entryMatches(entry, leaf.value)) &&
      search(fields, i + 1, [...chosen, ...leaf.arrays.filter(([id]) => !chosen.some(([c]) => c === id))], leaves),
  );
}

function sortedFields(branch: Branch): [string, unknown[]][] {
  return [...branch.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function referenceMatchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  const leaves = flattenEvent(event);
  return branchesOf(pattern, '', [new Map()]).some((branch) => search(sortedFields(branch), 0, [], leaves));
}

export function referenceMatch(subscriptions: readonly ReferenceSubscription[], event: unknown): string[] {
  const record = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  return subscriptions
    .filter((subscription) => {
      const ofAttribute = (patterns: readonly string[] | undefined, attribute: unknown): boolean =>
        patterns === undefined ||
        (typeof attribute === 'string' && patterns.some((pattern) => referenceMatchesSubject(pattern, attribute)));
      return (
        ofAttribute(subscription.types, record.type) &&
        ofAttribute(subscription.subjects, record.subject) &&
        (subscription.filter === undefined || referenceMatchesPattern(subscription.filter, event))
      );
    })
    .map((subscription) => subscription.id);
}
