import { collectLeaves, collectPlacedLeaves } from './collectLeaves';
import { compileValueTest } from './compileValueTest';
import { ALLOWS_ABSENT, CHECK_KIND_MASK, ConstraintTable } from './ConstraintTable';
import { InvalidPatternError } from './errors';
import { evaluateConsistently, type IndexedConstraint } from './evaluateConsistently';
import { FieldIndex } from './FieldIndex';
import { JsonFieldScanner } from './JsonFieldScanner';
import { LeafTable } from './LeafTable';
import { parseEventPattern } from './parseEventPattern';
import { PathTrie } from './PathTrie';
import { SelectivityModel } from './SelectivityModel';
import { SubjectTrie } from './SubjectTrie';
import type { MatchableSubscription, PatternError, PlacedLeaf, SubRule } from './types';
import { validateSubjectPattern } from './validateSubjectPattern';

const TYPE_PATH = 'type';
const SUBJECT_PATH = 'subject';

/**
 * Layout of a branch's record, in `unitInfo` and copied into the per-type blocks of `typeCache`: all a
 * candidate's check needs, in one place, so it costs one or two cache lines rather than a dozen.
 */
const RECORD_STRIDE = 7;
const RECORD_UNIT = 0;
const RECORD_SUBSCRIPTION = 1;
const RECORD_FLAGS = 2;
const RECORD_VERIFY_START = 3;
const RECORD_VERIFY_END = 4;
const RECORD_PATHS_START = 5;
const RECORD_PATHS_END = 6;

/** Marks of "seen in this event" are event numbers; they restart before overflowing a Uint32Array. */
const STAMP_LIMIT = 0xffffffff;

/** Bits of a branch's flags: what remains to check of it once an index lookup has found it. */
const CHECK_TYPES = 1;
const CHECK_SUBJECTS = 2;
const CHECK_FIELDS = 4;
/** Two or more constrained paths: array consistency may have a say. */
const SEVERAL_PATHS = 8;
/** The branch's subscription has other branches: only then can it be found matching twice in one event. */
const SHARED_SUBSCRIPTION = 16;
/** The flags that leave something to check once a lookup has found the branch. */
const CHECKS = CHECK_TYPES | CHECK_SUBJECTS | CHECK_FIELDS | SEVERAL_PATHS;


/** The condition a branch is indexed under, with the share of events expected to pass it. */
type Driver =
  | { kind: 'types' | 'subjects'; share: number }
  | { kind: 'field'; share: number; constraint: IndexedConstraint }
  | { kind: 'none'; share: number };

/** Checking a branch on every event costs a little more than any lookup that may find it. */
const ALWAYS_SHARE = 1.01;

/**
 * Every event's type is looked up anyway (once per distinct type, then from a cache), whereas each
 * field index adds lookups to every event carrying the field. So a type pattern that lets through at
 * most this share of events is preferred to any field condition.
 */
const TYPES_GOOD_ENOUGH = 0.1;

/** Distinct event types whose matching branches are remembered (types repeat; subjects mostly do not). */
const TYPE_CACHE_LIMIT = 16_384;

function trieOf(patterns: readonly string[]): SubjectTrie<true> {
  const trie = new SubjectTrie<true>();
  for (const pattern of patterns) trie.add(pattern, true);
  return trie;
}


/** The string an attribute path holds at the top level of the event, or `undefined`. */
function attributeOf(table: LeafTable, pathId: number): string | undefined {
  if (pathId < 0 || table.inArray[pathId] === 1 || table.counts[pathId] === 0) return undefined;
  // With a key given twice, JSON.parse keeps the last; so do we.
  const value = table.values[pathId][table.counts[pathId] - 1];
  return typeof value === 'string' ? value : undefined;
}

/** Sorts the first `count` subscription indexes: insertion sort for the usual few, else natively. */
function sortIndexes(list: Int32Array, count: number): void {
  if (count > 64) {
    list.subarray(0, count).sort();
    return;
  }
  for (let i = 1; i < count; i++) {
    const item = list[i];
    let j = i - 1;
    while (j >= 0 && list[j] > item) {
      list[j + 1] = list[j];
      j--;
    }
    list[j + 1] = item;
  }
}

/**
 * Matches CloudEvents against many subscriptions at once. Built once per configuration: every
 * subscription's `filter` is compiled (`$or` expanded into branches) and each branch is indexed under
 * its most selective condition — a `types`/`subjects` token trie, or a field-value index (hash maps of
 * exact values, prefix/suffix buckets, segment trees of numeric ranges and CIDR blocks). Matching an
 * event looks its leaf values up in those indexes, then checks only the branches found, so the cost
 * follows the number of near matches rather than the number of subscriptions. Branches with nothing
 * selective to index (only `anything-but` or `exists: false`, say) are checked on every event.
 */
export class SubscriptionMatcher {
  readonly ids: readonly string[];
  private readonly trie = new PathTrie();
  // Branches ("units") are numbered and described by parallel arrays, so the checks made on every
  // candidate touch a few small typed arrays rather than scattered objects.
  /** Each branch's record (see `RECORD_STRIDE`), by branch number. */
  private readonly unitInfo: Int32Array;
  private readonly unitSeen: Uint32Array;
  private readonly unitTypes: (SubjectTrie<true> | undefined)[] = [];
  private readonly unitSubjects: (SubjectTrie<true> | undefined)[] = [];
  /** Every constraint of a branch, in path order. */
  private readonly unitConstraints: (readonly IndexedConstraint[])[] = [];
  /** The constraints an index lookup that found the branch has not already proven. */
  private readonly unitVerify: (readonly IndexedConstraint[])[] = [];
  private readonly verify: ConstraintTable;
  /** Paths of every constraint of each branch, flat, in branch order. */
  private readonly paths: Int32Array;
  private readonly typeIndex = new SubjectTrie<number>();
  /**
   * The records of the branches found through `typeIndex`, per event type: spares the trie walk for
   * types seen before, and keeps a type's candidates side by side in memory.
   */
  private readonly typeCache = new Map<string, Int32Array>();
  private readonly subjectIndex = new SubjectTrie<number>();
  private readonly fieldIndexes: (FieldIndex<number> | undefined)[] = [];
  private readonly alwaysCheck: Int32Array;
  private readonly typePathId: number;
  private readonly subjectPathId: number;
  private readonly table: LeafTable;
  private readonly scanner: JsonFieldScanner;
  private readonly candidates: Int32Array;
  private candidateCount = 0;
  private readonly matchedStamp: Uint32Array;
  /** Scratch list of matched subscription indexes; `matchedCount` of them belong to the current event. */
  private readonly matched: Int32Array;
  private matchedCount = 0;
  /** The current event's leaves with their array positions, gathered only if some branch needs them. */
  private placed: PlacedLeaf[][] | undefined;
  private placedLeaves: (() => PlacedLeaf[][]) | undefined;
  private stamp = 0;
  private readonly visit = (unit: number): void => {
    if (this.unitSeen[unit] !== this.stamp) {
      this.unitSeen[unit] = this.stamp;
      this.candidates[this.candidateCount++] = unit;
    }
  };
  private readonly isFresh = (unit: number): boolean => this.unitSeen[unit] !== this.stamp;

  /** @throws InvalidPatternError listing every invalid pattern, with paths such as `subscriptions[2].filter.x[0]` */
  constructor(subscriptions: readonly MatchableSubscription[]) {
    const errors: PatternError[] = [];
    const compiled = subscriptions.map((subscription, index) => this.compile(subscription, index, errors));
    if (errors.length > 0) throw new InvalidPatternError(errors);

    this.ids = subscriptions.map((subscription) => subscription.id);
    const usesTypes = subscriptions.some((subscription) => subscription.types !== undefined);
    const usesSubjects = subscriptions.some((subscription) => subscription.subjects !== undefined);
    this.typePathId = usesTypes ? this.trie.add(TYPE_PATH) : -1;
    this.subjectPathId = usesSubjects ? this.trie.add(SUBJECT_PATH) : -1;

    const model = new SelectivityModel();
    for (const { subRules, types, subjects } of compiled) {
      if (types !== undefined) model.observeSubjects(TYPE_PATH, types);
      if (subjects !== undefined) model.observeSubjects(SUBJECT_PATH, subjects);
      for (const subRule of subRules) {
        for (const constraint of subRule.constraints) model.observeField(constraint.path, constraint.matchers);
      }
    }
    const subscriptionOf: number[] = [];
    const flags: number[] = [];
    const always: number[] = [];
    compiled.forEach(({ subRules, types, subjects }, index) => {
      const typeTrie = types === undefined ? undefined : trieOf(types);
      const subjectTrie = subjects === undefined ? undefined : trieOf(subjects);
      for (const subRule of subRules) {
        const unit = subscriptionOf.length;
        subscriptionOf.push(index);
        this.unitTypes.push(typeTrie);
        this.unitSubjects.push(subjectTrie);
        flags.push(this.addUnit(unit, subRule, types, subjects, model, always));
      }
    });
    const branches = new Int32Array(subscriptions.length);
    for (const subscription of subscriptionOf) branches[subscription]++;
    for (let unit = 0; unit < flags.length; unit++) if (branches[subscriptionOf[unit]] > 1) flags[unit] |= SHARED_SUBSCRIPTION;
    this.unitSeen = new Uint32Array(flags.length);
    this.alwaysCheck = Int32Array.from(always);
    this.candidates = new Int32Array(flags.length);
    this.verify = new ConstraintTable(this.unitVerify);
    const paths: number[] = [];
    this.unitInfo = new Int32Array(RECORD_STRIDE * flags.length);
    for (let unit = 0; unit < flags.length; unit++) {
      const at = unit * RECORD_STRIDE;
      this.unitInfo[at + RECORD_UNIT] = unit;
      this.unitInfo[at + RECORD_SUBSCRIPTION] = subscriptionOf[unit];
      this.unitInfo[at + RECORD_FLAGS] = flags[unit];
      this.unitInfo[at + RECORD_VERIFY_START] = this.verify.start[unit];
      this.unitInfo[at + RECORD_VERIFY_END] = this.verify.start[unit + 1];
      this.unitInfo[at + RECORD_PATHS_START] = paths.length;
      for (const constraint of this.unitConstraints[unit]) paths.push(constraint.pathId);
      this.unitInfo[at + RECORD_PATHS_END] = paths.length;
    }
    this.paths = Int32Array.from(paths);
    this.trie.seal();
    for (const index of this.fieldIndexes) index?.seal();
    this.table = new LeafTable(this.trie.paths.length);
    this.scanner = new JsonFieldScanner(this.trie);
    this.matchedStamp = new Uint32Array(subscriptions.length);
    this.matched = new Int32Array(subscriptions.length);
  }

  /** Number of subscriptions. */
  get size(): number {
    return this.ids.length;
  }

  private compile(
    subscription: MatchableSubscription,
    index: number,
    errors: PatternError[],
  ): { subRules: SubRule[]; types: readonly string[] | undefined; subjects: readonly string[] | undefined } {
    const base = `subscriptions[${index}]`;
    const checkPatterns = (patterns: unknown, name: string): void => {
      if (patterns === undefined) return;
      if (!Array.isArray(patterns)) {
        errors.push({ path: `${base}.${name}`, message: 'must be an array of patterns' });
        return;
      }
      patterns.forEach((pattern, i) => {
        const problem = validateSubjectPattern(pattern);
        if (problem !== undefined) errors.push({ path: `${base}.${name}[${i}]`, message: problem });
      });
    };
    checkPatterns(subscription.types, 'types');
    checkPatterns(subscription.subjects, 'subjects');
    let subRules: SubRule[] = [{ constraints: [] }];
    if (subscription.filter !== undefined) {
      const parsed = parseEventPattern(subscription.filter, `${base}.filter`);
      errors.push(...parsed.errors);
      subRules = parsed.subRules;
    }
    return { subRules, types: subscription.types, subjects: subscription.subjects };
  }

  /** Indexes one branch under its most selective condition; returns its flags. */
  private addUnit(
    unit: number,
    subRule: SubRule,
    types: readonly string[] | undefined,
    subjects: readonly string[] | undefined,
    model: SelectivityModel,
    always: number[],
  ): number {
    const constraints = subRule.constraints.map((constraint) => ({
      constraint,
      pathId: this.trie.add(constraint.path),
      test: compileValueTest(constraint.matchers),
    }));
    this.unitConstraints.push(constraints);
    let verify: readonly IndexedConstraint[] = constraints;
    let flags = (types !== undefined ? CHECK_TYPES : 0) | (subjects !== undefined ? CHECK_SUBJECTS : 0);
    const driver = this.chooseDriver(constraints, types, subjects, model);
    switch (driver.kind) {
      case 'types':
        flags &= ~CHECK_TYPES;
        for (const pattern of types ?? []) this.typeIndex.add(pattern, unit);
        break;
      case 'subjects':
        flags &= ~CHECK_SUBJECTS;
        for (const pattern of subjects ?? []) this.subjectIndex.add(pattern, unit);
        break;
      case 'field': {
        const { pathId } = driver.constraint;
        verify = constraints.filter((c) => c !== driver.constraint);
        const index = (this.fieldIndexes[pathId] ??= new FieldIndex<number>());
        for (const matcher of driver.constraint.constraint.matchers) index.add(matcher, unit);
        break;
      }
      case 'none':
        always.push(unit);
        break;
    }
    // Most selective first: a candidate that fails usually fails on its first check.
    const shareOf = (c: IndexedConstraint): number =>
      c.constraint.allowsAbsent ? Infinity : model.fieldShare(c.constraint.path, c.constraint.matchers);
    this.unitVerify.push([...verify].sort((a, b) => shareOf(a) - shareOf(b)));
    if (verify.length > 0) flags |= CHECK_FIELDS;
    if (constraints.length > 1) flags |= SEVERAL_PATHS;
    return flags;
  }

  /** The most selective condition of a branch, under which it is indexed. */
  private chooseDriver(
    constraints: readonly IndexedConstraint[],
    types: readonly string[] | undefined,
    subjects: readonly string[] | undefined,
    model: SelectivityModel,
  ): Driver {
    let best: Driver = { kind: 'none', share: ALWAYS_SHARE };
    // An empty list matches nothing; indexed under no pattern, the branch is never found.
    if (types !== undefined) {
      const share = model.subjectsShare(TYPE_PATH, types);
      if (share <= TYPES_GOOD_ENOUGH) return { kind: 'types', share };
      if (share < best.share) best = { kind: 'types', share };
    }
    if (subjects !== undefined) {
      const share = model.subjectsShare(SUBJECT_PATH, subjects);
      if (share < best.share) best = { kind: 'subjects', share };
    }
    for (const constraint of constraints) {
      const { path, matchers, allowsAbsent } = constraint.constraint;
      if (allowsAbsent || matchers.length === 0) continue;
      const share = model.fieldShare(path, matchers);
      if (share < best.share) best = { kind: 'field', share, constraint };
    }
    return best;
  }

  /** Ids (in configuration order) of the subscriptions matching a parsed CloudEvent. */
  match(event: unknown): string[] {
    const table = this.table;
    table.clear();
    collectLeaves(event, this.trie.root, table);
    const record = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
    const type = typeof record.type === 'string' ? record.type : undefined;
    const subject = typeof record.subject === 'string' ? record.subject : undefined;
    return this.evaluate(type, subject, () => collectPlacedLeaves(event, this.trie.root, this.trie.paths.length));
  }

  /**
   * Ids (in configuration order) of the subscriptions matching a CloudEvent given as JSON text. Only
   * the referenced fields are read (see `JsonFieldScanner`); expects well-formed JSON.
   */
  matchJson(json: string): string[] {
    const table = this.table;
    table.clear();
    this.scanner.scan(json, table);
    return this.evaluate(attributeOf(table, this.typePathId), attributeOf(table, this.subjectPathId), () =>
      this.scanner.scanPlaced(json, this.trie.paths.length),
    );
  }

  private evaluate(
    type: string | undefined,
    subject: string | undefined,
    placedLeaves: () => PlacedLeaf[][],
  ): string[] {
    const table = this.table;
    if (++this.stamp === STAMP_LIMIT) {
      // Start the marks afresh rather than let a wrapped stamp meet an old mark.
      this.unitSeen.fill(0);
      this.matchedStamp.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const seen = this.unitSeen;
    this.matchedCount = 0;
    this.placed = undefined;
    this.placedLeaves = placedLeaves;

    if (type !== undefined && this.typeIndex.size > 0) {
      // A branch is indexed under one condition only, and a block lists each branch once, so the
      // branches found here need no check against being found twice.
      const block = this.recordsOfType(type);
      for (let at = 0; at < block.length; at += RECORD_STRIDE) this.consider(block, at, type, subject);
    }
    this.candidateCount = 0;
    if (subject !== undefined && this.subjectIndex.size > 0) this.subjectIndex.forEachMatch(subject, this.visit);
    const touched = table.touched;
    for (let t = 0; t < table.touchedCount; t++) {
      const pathId = touched[t];
      const index = this.fieldIndexes[pathId];
      if (index === undefined) continue;
      const values = table.values[pathId];
      for (let v = 0, count = table.counts[pathId]; v < count; v++) index.forEachMatch(values[v], this.visit, this.isFresh);
    }
    const candidates = this.candidates;
    const info = this.unitInfo;
    for (let c = 0; c < this.candidateCount; c++) this.consider(info, candidates[c] * RECORD_STRIDE, type, subject);
    const always = this.alwaysCheck;
    for (let u = 0; u < always.length; u++) {
      const unit = always[u];
      if (seen[unit] === stamp) continue;
      seen[unit] = stamp;
      this.consider(info, unit * RECORD_STRIDE, type, subject);
    }

    const matched = this.matched;
    const matchedCount = this.matchedCount;
    this.placedLeaves = undefined;
    this.placed = undefined;
    if (matchedCount > 1) sortIndexes(matched, matchedCount);
    const ids = new Array<string>(matchedCount);
    for (let m = 0; m < matchedCount; m++) ids[m] = this.ids[matched[m]];
    return ids;
  }

  /** Checks the candidate branch whose record is at `records[at]`, noting its subscription if it matches. */
  private consider(records: Int32Array, at: number, type: string | undefined, subject: string | undefined): void {
    const subscription = records[at + RECORD_SUBSCRIPTION];
    const flags = records[at + RECORD_FLAGS];
    const shared = (flags & SHARED_SUBSCRIPTION) !== 0;
    if (shared && this.matchedStamp[subscription] === this.stamp) return;
    if ((flags & CHECKS) !== 0) {
      const unit = records[at + RECORD_UNIT];
      if (flags & CHECK_TYPES && (type === undefined || !(this.unitTypes[unit] as SubjectTrie<true>).matches(type))) return;
      if (flags & CHECK_SUBJECTS && (subject === undefined || !(this.unitSubjects[unit] as SubjectTrie<true>).matches(subject))) return;
      // Two constrained paths with leaves in arrays: the leaves must also be array-consistent.
      const consistency =
        (flags & SEVERAL_PATHS) !== 0 &&
        this.table.pathsInArrays >= 2 &&
        this.needsConsistency(records[at + RECORD_PATHS_START], records[at + RECORD_PATHS_END]);
      if (flags & CHECK_FIELDS && !this.satisfies(records[at + RECORD_VERIFY_START], records[at + RECORD_VERIFY_END], consistency)) return;
      if (consistency) {
        this.placed ??= (this.placedLeaves as () => PlacedLeaf[][])();
        if (!evaluateConsistently(this.unitConstraints[unit], this.placed)) return;
      }
    }
    if (shared) this.matchedStamp[subscription] = this.stamp;
    this.matched[this.matchedCount++] = subscription;
  }

  private recordsOfType(type: string): Int32Array {
    let block = this.typeCache.get(type);
    if (block === undefined) {
      const found = new Set<number>();
      this.typeIndex.forEachMatch(type, (unit) => found.add(unit));
      const units = [...found];
      block = new Int32Array(units.length * RECORD_STRIDE);
      units.forEach((unit, i) => block?.set(this.unitInfo.subarray(unit * RECORD_STRIDE, (unit + 1) * RECORD_STRIDE), i * RECORD_STRIDE));
      if (this.typeCache.size >= TYPE_CACHE_LIMIT) this.typeCache.clear();
      // Keyed by a copy: the type read from the event may be a view into the whole event text, which
      // the cache would otherwise keep alive (up to TYPE_CACHE_LIMIT events).
      this.typeCache.set(type.split('').join(''), block);
    }
    return block;
  }

  /**
   * Checks the constraints the index did not prove, ignoring array consistency. With `lenient`, a
   * present field may still pass `exists: false`, since array consistency can make it count as absent.
   */
  private satisfies(start: number, end: number, lenient: boolean): boolean {
    const verify = this.verify;
    const { values, counts } = this.table;
    for (let k = start; k < end; k++) {
      const path = verify.meta[2 * k];
      const kind = verify.meta[2 * k + 1];
      const count = counts[path];
      if (count === 0) {
        if ((kind & ALLOWS_ABSENT) === 0) return false;
      } else if (!verify.holds(k, kind & CHECK_KIND_MASK, values[path], count)) {
        if (!(lenient && (kind & ALLOWS_ABSENT) !== 0)) return false;
      }
    }
    return true;
  }

  /** Whether two or more of the paths `paths[start..end)` hold leaves inside arrays. */
  private needsConsistency(start: number, end: number): boolean {
    const table = this.table;
    const paths = this.paths;
    let inArrays = 0;
    for (let i = start; i < end; i++) {
      const pathId = paths[i];
      if (table.inArray[pathId] === 1 && table.counts[pathId] > 0 && ++inArrays === 2) return true;
    }
    return false;
  }
}
