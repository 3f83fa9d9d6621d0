import { collectLeaves, collectPlacedLeaves } from './collectLeaves';
import { InvalidPatternError } from './errors';
import { evaluateConsistently, type IndexedConstraint } from './evaluateConsistently';
import { FieldIndex } from './FieldIndex';
import { JsonFieldScanner } from './JsonFieldScanner';
import { LeafTable } from './LeafTable';
import { matchesValue } from './matchesValue';
import { parseEventPattern } from './parseEventPattern';
import { PathTrie } from './PathTrie';
import { SelectivityModel } from './SelectivityModel';
import { SubjectTrie } from './SubjectTrie';
import type { EventValue, MatchableSubscription, PatternError, PlacedLeaf, SubRule } from './types';
import { validateSubjectPattern } from './validateSubjectPattern';

const TYPE_PATH = 'type';
const SUBJECT_PATH = 'subject';

/** One branch of one subscription: what the indexes point to. */
interface Unit {
  readonly subscription: number;
  readonly types: SubjectTrie<true> | undefined;
  readonly subjects: SubjectTrie<true> | undefined;
  /** Every constraint of the branch, in path order. */
  readonly constraints: readonly IndexedConstraint[];
  /** The constraints the index lookup that found the unit has not already proven. */
  verify: readonly IndexedConstraint[];
  checkTypes: boolean;
  checkSubjects: boolean;
  /** Number of the match call that last listed the unit as a candidate. */
  seen: number;
}

/** The condition a branch is indexed under, with the share of events expected to pass it. */
type Driver =
  | { kind: 'types' | 'subjects'; share: number }
  | { kind: 'field'; share: number; constraint: IndexedConstraint }
  | { kind: 'none'; share: number };

/** Checking a branch on every event costs a little more than any lookup that may find it. */
const ALWAYS_SHARE = 1.01;

function trieOf(patterns: readonly string[]): SubjectTrie<true> {
  const trie = new SubjectTrie<true>();
  for (const pattern of patterns) trie.add(pattern, true);
  return trie;
}


/** The string an attribute path holds at the top level of the event, or `undefined`. */
function attributeOf(table: LeafTable, pathId: number): string | undefined {
  if (pathId < 0 || table.inArray[pathId] === 1) return undefined;
  const values = table.values[pathId];
  // With a key given twice, JSON.parse keeps the last; so do we.
  const value = values[values.length - 1];
  return typeof value === 'string' ? value : undefined;
}

function matchesAny(constraint: IndexedConstraint, values: readonly EventValue[]): boolean {
  const matchers = constraint.constraint.matchers;
  for (let v = 0; v < values.length; v++) {
    for (let m = 0; m < matchers.length; m++) {
      if (matchesValue(matchers[m], values[v])) return true;
    }
  }
  return false;
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
  private readonly typeIndex = new SubjectTrie<Unit>();
  private readonly subjectIndex = new SubjectTrie<Unit>();
  private readonly fieldIndexes: (FieldIndex<Unit> | undefined)[] = [];
  private readonly alwaysCheck: Unit[] = [];
  private readonly typePathId: number;
  private readonly subjectPathId: number;
  private readonly table: LeafTable;
  private readonly scanner: JsonFieldScanner;
  private readonly candidates: Unit[] = [];
  private readonly matchedStamp: Uint32Array;
  private readonly matched: number[] = [];
  private stamp = 0;
  private readonly visit = (unit: Unit): void => {
    if (unit.seen !== this.stamp) {
      unit.seen = this.stamp;
      this.candidates.push(unit);
    }
  };
  private readonly isFresh = (unit: Unit): boolean => unit.seen !== this.stamp;

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
    compiled.forEach(({ subRules, types, subjects }, index) => {
      const typeTrie = types === undefined ? undefined : trieOf(types);
      const subjectTrie = subjects === undefined ? undefined : trieOf(subjects);
      for (const subRule of subRules) {
        this.addUnit(index, subRule, types, subjects, typeTrie, subjectTrie, model);
      }
    });
    this.trie.seal();
    for (const index of this.fieldIndexes) index?.seal();
    this.table = new LeafTable(this.trie.paths.length);
    this.scanner = new JsonFieldScanner(this.trie);
    this.matchedStamp = new Uint32Array(subscriptions.length);
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

  private addUnit(
    subscription: number,
    subRule: SubRule,
    types: readonly string[] | undefined,
    subjects: readonly string[] | undefined,
    typeTrie: SubjectTrie<true> | undefined,
    subjectTrie: SubjectTrie<true> | undefined,
    model: SelectivityModel,
  ): void {
    const constraints = subRule.constraints.map((constraint) => ({ constraint, pathId: this.trie.add(constraint.path) }));
    const unit: Unit = {
      subscription,
      types: typeTrie,
      subjects: subjectTrie,
      constraints,
      verify: constraints,
      checkTypes: typeTrie !== undefined,
      checkSubjects: subjectTrie !== undefined,
      seen: 0,
    };
    const driver = this.chooseDriver(constraints, types, subjects, model);
    switch (driver.kind) {
      case 'types':
        unit.checkTypes = false;
        for (const pattern of types ?? []) this.typeIndex.add(pattern, unit);
        return;
      case 'subjects':
        unit.checkSubjects = false;
        for (const pattern of subjects ?? []) this.subjectIndex.add(pattern, unit);
        return;
      case 'field': {
        const { pathId } = driver.constraint;
        unit.verify = constraints.filter((c) => c !== driver.constraint);
        const index = (this.fieldIndexes[pathId] ??= new FieldIndex<Unit>());
        for (const matcher of driver.constraint.constraint.matchers) index.add(matcher, unit);
        return;
      }
      case 'none':
        this.alwaysCheck.push(unit);
        return;
    }
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
    this.stamp = (this.stamp + 1) >>> 0 || 1;
    const stamp = this.stamp;
    const candidates = this.candidates;
    candidates.length = 0;

    if (type !== undefined && this.typeIndex.size > 0) this.typeIndex.forEachMatch(type, this.visit);
    if (subject !== undefined && this.subjectIndex.size > 0) this.subjectIndex.forEachMatch(subject, this.visit);
    const touched = table.touched;
    for (let t = 0; t < touched.length; t++) {
      const pathId = touched[t];
      const index = this.fieldIndexes[pathId];
      if (index === undefined) continue;
      const values = table.values[pathId];
      for (let v = 0; v < values.length; v++) index.forEachMatch(values[v], this.visit, this.isFresh);
    }
    for (let u = 0; u < this.alwaysCheck.length; u++) this.visit(this.alwaysCheck[u]);

    const matched = this.matched;
    matched.length = 0;
    let placed: PlacedLeaf[][] | undefined;
    for (let c = 0; c < candidates.length; c++) {
      const unit = candidates[c];
      if (this.matchedStamp[unit.subscription] === stamp) continue;
      if (unit.checkTypes && (type === undefined || !(unit.types as SubjectTrie<true>).matches(type))) continue;
      if (unit.checkSubjects && (subject === undefined || !(unit.subjects as SubjectTrie<true>).matches(subject))) continue;
      // Two constrained paths with leaves in arrays: the leaves must also be array-consistent.
      const consistency = this.needsConsistency(unit);
      if (!this.satisfies(unit, consistency)) continue;
      if (consistency) {
        placed ??= placedLeaves();
        if (!evaluateConsistently(unit.constraints, placed)) continue;
      }
      this.matchedStamp[unit.subscription] = stamp;
      matched.push(unit.subscription);
    }
    if (matched.length > 1) matched.sort((a, b) => a - b);
    const ids = new Array<string>(matched.length);
    for (let m = 0; m < matched.length; m++) ids[m] = this.ids[matched[m]];
    return ids;
  }

  /**
   * Checks the constraints the index did not prove, ignoring array consistency. With `lenient`, a
   * present field may still pass `exists: false`, since array consistency can make it count as absent.
   */
  private satisfies(unit: Unit, lenient: boolean): boolean {
    const table = this.table;
    const verify = unit.verify;
    for (let i = 0; i < verify.length; i++) {
      const constraint = verify[i];
      const values = table.values[constraint.pathId];
      if (values.length === 0) {
        if (!constraint.constraint.allowsAbsent) return false;
      } else if (!matchesAny(constraint, values)) {
        if (!(lenient && constraint.constraint.allowsAbsent)) return false;
      }
    }
    return true;
  }

  private needsConsistency(unit: Unit): boolean {
    const constraints = unit.constraints;
    if (constraints.length < 2) return false;
    const table = this.table;
    let inArrays = 0;
    for (let i = 0; i < constraints.length; i++) {
      const pathId = constraints[i].pathId;
      if (table.inArray[pathId] === 1 && table.values[pathId].length > 0 && ++inArrays === 2) return true;
    }
    return false;
  }
}
