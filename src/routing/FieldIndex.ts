import { ignoreCaseKey } from './ignoreCase';
import { parseIpAddress } from './ipAddress';
import { matchesValue } from './matchesValue';
import { type Interval, RangeIndex } from './RangeIndex';
import { type EventValue, PendingNumber, type ValueMatcher } from './types';

/** A payload whose matcher must still be checked against the value when its hash key hits. */
interface Checked<P> {
  matcher: ValueMatcher;
  payload: P;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Hash maps of fixed-length keys, one per key length: a prefix or suffix lookup costs one slice per length. */
class LengthBuckets<V> {
  private readonly byLength = new Map<number, Map<string, V[]>>();
  lengths: number[] = [];
  maps: Map<string, V[]>[] = [];

  add(key: string, length: number, value: V): void {
    let map = this.byLength.get(length);
    if (map === undefined) {
      map = new Map();
      this.byLength.set(length, map);
      const order = [...this.byLength.keys()].sort((a, b) => a - b);
      this.lengths = order;
      this.maps = order.map((l) => this.byLength.get(l) as Map<string, V[]>);
    }
    push(map, key, value);
  }
}

/** Whether a matcher can be looked up in a `FieldIndex` (the `anything-but` family, say, cannot). */
export function canIndex(matcher: ValueMatcher): boolean {
  switch (matcher.kind) {
    case 'exactString':
    case 'exactIp':
    case 'exactNumber':
    case 'exactLiteral':
    case 'prefix':
    case 'suffix':
    case 'numeric':
    case 'cidr':
    case 'exists':
      return true;
    case 'equalsIgnoreCase':
    case 'prefixIgnoreCase':
    case 'suffixIgnoreCase':
      return ignoreCaseKey(matcher.alternatives) !== undefined;
    case 'wildcard': {
      const { pieces } = matcher.wildcard;
      return pieces.length === 1 || pieces[0].length > 0 || pieces[pieces.length - 1].length > 0;
    }
    default:
      return false;
  }
}

/**
 * The index of one field path: given a leaf value, finds the payloads (indexed branches) whose
 * condition on this path the value satisfies, without looking at the others. Exact values are hash
 * lookups, prefixes and suffixes one lookup per distinct length, ignore-case values a lookup of the
 * upper-cased value, wildcards a lookup of their literal head (or tail), numeric ranges and CIDR
 * blocks a segment-tree query.
 */
export class FieldIndex<P> {
  private exactStrings: Map<string, P[]> | undefined;
  private exactNumbers: Map<number, P[]> | undefined;
  private exactLiterals: Map<boolean | null, P[]> | undefined;
  private exactIps: Map<string, P[]> | undefined;
  private prefixes: LengthBuckets<P> | undefined;
  private suffixes: LengthBuckets<P> | undefined;
  private checkedPrefixes: LengthBuckets<Checked<P>> | undefined;
  private checkedSuffixes: LengthBuckets<Checked<P>> | undefined;
  private ignoreCase: Map<string, Checked<P>[]> | undefined;
  private exists: P[] | undefined;
  private numericIntervals: Interval<number, P>[] = [];
  private cidrIntervals: { 4: Interval<string, P>[]; 6: Interval<string, P>[] } = { 4: [], 6: [] };
  private numeric: RangeIndex<number, P> | undefined;
  private cidr4: RangeIndex<string, P> | undefined;
  private cidr6: RangeIndex<string, P> | undefined;
  /** Scratch list of the numeric hits of a pending number. */
  private readonly pendingHits: P[] = [];
  /** Whether string values must be read as IP addresses (some pattern compares addresses). */
  private readsIps = false;

  /** Indexes `payload` under `matcher`, which `canIndex` must accept. */
  add(matcher: ValueMatcher, payload: P): void {
    switch (matcher.kind) {
      case 'exactString':
        push((this.exactStrings ??= new Map()), matcher.value, payload);
        return;
      case 'exactNumber':
        push((this.exactNumbers ??= new Map()), matcher.value, payload);
        return;
      case 'exactLiteral':
        push((this.exactLiterals ??= new Map()), matcher.value, payload);
        return;
      case 'exactIp':
        this.readsIps = true;
        push((this.exactIps ??= new Map()), `${matcher.ip.version}${matcher.ip.hex}`, payload);
        return;
      case 'prefix':
        (this.prefixes ??= new LengthBuckets()).add(matcher.value, matcher.value.length, payload);
        return;
      case 'suffix':
        (this.suffixes ??= new LengthBuckets()).add(matcher.value, matcher.value.length, payload);
        return;
      case 'prefixIgnoreCase':
      case 'suffixIgnoreCase': {
        const key = ignoreCaseKey(matcher.alternatives);
        if (key === undefined) throw new Error('ignore-case pattern without a key cannot be indexed');
        const buckets =
          matcher.kind === 'prefixIgnoreCase'
            ? (this.checkedPrefixes ??= new LengthBuckets())
            : (this.checkedSuffixes ??= new LengthBuckets());
        buckets.add(key.key, key.length, { matcher, payload });
        return;
      }
      case 'equalsIgnoreCase': {
        const key = ignoreCaseKey(matcher.alternatives);
        if (key === undefined) throw new Error('ignore-case pattern without a key cannot be indexed');
        push((this.ignoreCase ??= new Map()), key.key, { matcher, payload });
        return;
      }
      case 'wildcard': {
        const { pieces } = matcher.wildcard;
        if (pieces.length === 1) {
          push((this.exactStrings ??= new Map()), pieces[0], payload);
          return;
        }
        const head = pieces[0];
        const tail = pieces[pieces.length - 1];
        if (head.length > 0) {
          (this.checkedPrefixes ??= new LengthBuckets()).add(head, head.length, { matcher, payload });
        } else if (tail.length > 0) {
          (this.checkedSuffixes ??= new LengthBuckets()).add(tail, tail.length, { matcher, payload });
        } else {
          throw new Error('wildcard without a literal head or tail cannot be indexed');
        }
        return;
      }
      case 'numeric':
        this.numericIntervals.push({
          low: matcher.lower === -Infinity ? undefined : matcher.lower,
          lowOpen: matcher.lowerOpen,
          high: matcher.upper === Infinity ? undefined : matcher.upper,
          highOpen: matcher.upperOpen,
          payload,
        });
        this.numeric = undefined;
        return;
      case 'cidr':
        this.readsIps = true;
        this.cidrIntervals[matcher.version].push({
          low: matcher.low,
          lowOpen: false,
          high: matcher.high,
          highOpen: false,
          payload,
        });
        return;
      case 'exists':
        (this.exists ??= []).push(payload);
        return;
      default:
        throw new Error(`${matcher.kind} cannot be indexed`);
    }
  }

  /** Builds the range indexes; call once every payload is added. */
  seal(): void {
    if (this.numericIntervals.length > 0) this.numeric = new RangeIndex(this.numericIntervals);
    if (this.cidrIntervals[4].length > 0) this.cidr4 = new RangeIndex(this.cidrIntervals[4]);
    if (this.cidrIntervals[6].length > 0) this.cidr6 = new RangeIndex(this.cidrIntervals[6]);
  }

  /**
   * Calls `visit` with every payload whose condition `value` satisfies (possibly a payload twice).
   * `isFresh` tells whether a payload is still worth visiting: a pending number is settled only
   * when a numeric hit would add a fresh payload.
   */
  forEachMatch(value: EventValue, visit: (payload: P) => void, isFresh: (payload: P) => boolean): void {
    if (this.exists !== undefined) for (const payload of this.exists) visit(payload);
    if (typeof value === 'string') {
      this.matchString(value, visit);
    } else if (typeof value === 'number') {
      const exact = this.exactNumbers?.get(value);
      if (exact !== undefined) for (const payload of exact) visit(payload);
      this.numeric?.forEachContaining(value, visit);
    } else if (value === null || typeof value === 'boolean') {
      const exact = this.exactLiterals?.get(value);
      if (exact !== undefined) for (const payload of exact) visit(payload);
    } else if (value instanceof PendingNumber) {
      const hits = this.pendingHits;
      hits.length = 0;
      const exact = this.exactNumbers?.get(value.value);
      if (exact !== undefined) hits.push(...exact);
      this.numeric?.collectContaining(value.value, hits);
      for (let i = 0; i < hits.length; i++) {
        if (!isFresh(hits[i])) continue;
        if (typeof value.settle() !== 'number') return;
        visit(hits[i]);
      }
    }
  }

  private matchString(value: string, visit: (payload: P) => void): void {
    const exact = this.exactStrings?.get(value);
    if (exact !== undefined) for (const payload of exact) visit(payload);
    if (this.prefixes !== undefined) {
      const { lengths, maps } = this.prefixes;
      for (let i = 0; i < lengths.length && lengths[i] <= value.length; i++) {
        const hits = maps[i].get(value.slice(0, lengths[i]));
        if (hits !== undefined) for (const payload of hits) visit(payload);
      }
    }
    if (this.suffixes !== undefined) {
      const { lengths, maps } = this.suffixes;
      for (let i = 0; i < lengths.length && lengths[i] <= value.length; i++) {
        const hits = maps[i].get(value.slice(value.length - lengths[i]));
        if (hits !== undefined) for (const payload of hits) visit(payload);
      }
    }
    if (this.checkedPrefixes !== undefined) {
      const { lengths, maps } = this.checkedPrefixes;
      for (let i = 0; i < lengths.length && lengths[i] <= value.length; i++) {
        const slice = value.slice(0, lengths[i]);
        const map = maps[i];
        visitChecked(map.get(slice), value, visit);
        // Ignore-case heads are keyed upper-cased; wildcard heads as written. Try both spellings.
        const upper = slice.toUpperCase();
        if (upper !== slice) visitChecked(map.get(upper), value, visit);
      }
    }
    if (this.checkedSuffixes !== undefined) {
      const { lengths, maps } = this.checkedSuffixes;
      for (let i = 0; i < lengths.length && lengths[i] <= value.length; i++) {
        const slice = value.slice(value.length - lengths[i]);
        const map = maps[i];
        visitChecked(map.get(slice), value, visit);
        const upper = slice.toUpperCase();
        if (upper !== slice) visitChecked(map.get(upper), value, visit);
      }
    }
    if (this.ignoreCase !== undefined) {
      visitChecked(this.ignoreCase.get(value.toUpperCase()), value, visit);
    }
    if (this.readsIps) {
      const ip = parseIpAddress(value);
      if (ip !== undefined) {
        const exactIp = this.exactIps?.get(`${ip.version}${ip.hex}`);
        if (exactIp !== undefined) for (const payload of exactIp) visit(payload);
        (ip.version === 4 ? this.cidr4 : this.cidr6)?.forEachContaining(ip.hex, visit);
      }
    }
  }
}

function visitChecked<P>(entries: Checked<P>[] | undefined, value: string, visit: (payload: P) => void): void {
  if (entries === undefined) return;
  for (const entry of entries) {
    if (matchesValue(entry.matcher, value)) visit(entry.payload);
  }
}
