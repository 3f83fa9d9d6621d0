import { collectPlacedLeaves } from './collectLeaves';
import { pointerOf } from './config/jsonPointer';
import { compileValueTest } from './compileValueTest';
import { declaredBranches, type DeclaredBranch } from './declaredBranches';
import { describeLeaves, describePatternValues } from './describePatternValues';
import { InvalidPatternError } from './errors';
import { evaluateConsistently, type IndexedConstraint } from './evaluateConsistently';
import { matchesSubject } from './matchesSubject';
import { parseEventPattern } from './parseEventPattern';
import { PathTrie } from './PathTrie';
import type { MatchableSubscription, PlacedLeaf } from './types';
import { validateSubjectPattern } from './validateSubjectPattern';

/** The first condition of a subscription that an event failed. */
export interface FailedClause {
  /** JSON Pointer of the condition in the subscriptions file: `/subscriptions/3/types`, `/subscriptions/0/filter/data/amount`. */
  path: string;
  /** The event field it tests: `type`, `subject`, `data.amount`; several joined with `, ` for an `$or`. */
  field: string;
  /** The rule, briefly: `com.example.orders.*`, `numeric > 100`, `prefix "/shop" or absent`. */
  expected: string;
  /** The event's value as JSON text (`"com.other"`, `50`, `["a", "b"]`), or `absent`. */
  actual: string;
  /** One sentence saying all of it. */
  message: string;
}

/** Whether an event matches a subscription, and if not, why. */
export type MatchExplanation = { matched: true } | { matched: false; clause: FailedClause };

export interface ExplainMatchOptions {
  /** JSON Pointer of the subscription in its file, prefixed to every clause path. @default '' (`/types`, `/filter/…`) */
  basePath?: string;
}

const ABSENT = 'absent';
/** Alternatives of an `$or` named in its message at most. */
const MAX_ALTERNATIVES_SHOWN = 4;

/**
 * Says whether `event` (a parsed CloudEvent) matches `subscription` with the matcher's semantics — `types`,
 * then `subjects`, then `filter` (EventBridge pattern, `$or` branches, array-consistent fields) — and when it
 * does not, names the first clause that failed: `types`, `subjects`, else the first field of the filter, in
 * the order it was written, that no value of the event satisfies. When every branch of an `$or` fails at a
 * different place, the clause is the `$or` itself, its message listing each alternative's failure. When each
 * field holds on its own but not within one element of an array, the clause is the field where the
 * combination breaks. For `subscriptions test`, not for the hot path (`SubscriptionMatcher` is).
 *
 * @throws InvalidPatternError when `types`, `subjects` or `filter` is invalid (as the matcher would)
 */
export function explainMatch(subscription: MatchableSubscription, event: unknown, options: ExplainMatchOptions = {}): MatchExplanation {
  const base = options.basePath ?? '';
  checkSubjectPatterns(subscription);
  const record = typeof event === 'object' && event !== null ? (event as Record<string, unknown>) : {};
  const failed =
    subjectClause('type', subscription.types, record.type, pointerOf(base, 'types')) ??
    subjectClause('subject', subscription.subjects, record.subject, pointerOf(base, 'subjects')) ??
    (subscription.filter === undefined ? undefined : filterClause(subscription.filter, event, pointerOf(base, 'filter')));
  return failed === undefined ? { matched: true } : { matched: false, clause: failed };
}

function checkSubjectPatterns(subscription: MatchableSubscription): void {
  const errors = (['types', 'subjects'] as const).flatMap((name) =>
    (subscription[name] ?? []).flatMap((pattern, i) => {
      const problem = validateSubjectPattern(pattern);
      return problem === undefined ? [] : [{ path: `${name}[${i}]`, message: problem }];
    }),
  );
  if (errors.length > 0) throw new InvalidPatternError(errors);
}

function subjectClause(field: string, patterns: readonly string[] | undefined, value: unknown, path: string): FailedClause | undefined {
  if (patterns === undefined) return undefined;
  const text = typeof value === 'string' ? value : undefined;
  if (text !== undefined && patterns.some((pattern) => matchesSubject(pattern, text))) return undefined;
  const actual = text === undefined ? ABSENT : describeLeaves([text]);
  if (patterns.length === 0) {
    return { path, field, expected: 'nothing (an empty list)', actual, message: `${path.split('/').pop()} is an empty list, which matches no event.` };
  }
  const expected = patterns.length === 1 ? patterns[0] : `one of ${patterns.join(', ')}`;
  return { path, field, expected, actual, message: `${field} is ${actual}, expected ${expected}.` };
}

/** A branch's constraint beside where it was declared. */
interface Clause {
  declared: { field: string; pointer: string; values: readonly unknown[] };
  indexed: IndexedConstraint;
}

function filterClause(filter: Record<string, unknown>, event: unknown, pointer: string): FailedClause | undefined {
  const parsed = parseEventPattern(filter, 'filter');
  if (parsed.errors.length > 0) throw new InvalidPatternError(parsed.errors);
  const declared = declaredBranches(filter, pointer);
  if (declared.length !== parsed.subRules.length) throw new Error(`explainMatch: ${declared.length} declared branches for ${parsed.subRules.length} compiled ones`);

  const trie = new PathTrie();
  const branches = parsed.subRules.map((subRule, i) =>
    // Both lists hold one entry per path; the matcher walks them in path order, the explanation in declared order.
    [...(declared[i] as DeclaredBranch).values()].map((field): Clause => {
      const constraint = subRule.constraints.find((c) => c.path === field.field);
      if (constraint === undefined) throw new Error(`explainMatch: no compiled constraint for ${field.field}`);
      return { declared: field, indexed: { constraint, pathId: trie.add(constraint.path), test: compileValueTest(constraint.matchers) } };
    }),
  );
  const placed = collectPlacedLeaves(event, trie.root, trie.paths.length);
  const failures: FailedClause[] = [];
  for (const clauses of branches) {
    const inPathOrder = clauses.map((clause) => clause.indexed).sort((a, b) => (a.constraint.path < b.constraint.path ? -1 : a.constraint.path > b.constraint.path ? 1 : 0));
    if (evaluateConsistently(inPathOrder, placed)) return undefined;
    failures.push(branchFailure(clauses, inPathOrder, placed));
  }
  return combineFailures(failures);
}

/** Why one branch failed: its first declared field failing on its own, else where array consistency breaks. */
function branchFailure(clauses: readonly Clause[], inPathOrder: readonly IndexedConstraint[], placed: readonly PlacedLeaf[][]): FailedClause {
  for (const { declared, indexed } of clauses) {
    const leaves = placed[indexed.pathId].map((leaf) => leaf.value);
    const holds = leaves.length === 0 ? indexed.constraint.allowsAbsent : leaves.some(indexed.test);
    if (!holds) return fieldFailure(declared, leaves.length === 0 ? ABSENT : describeLeaves(leaves));
  }
  // Each field holds alone: find the first (in the matcher's order) that no array-consistent choice satisfies.
  for (let k = 1; k < inPathOrder.length; k++) {
    if (evaluateConsistently(inPathOrder.slice(0, k + 1), placed)) continue;
    const broken = clauses.find((clause) => clause.indexed === inPathOrder[k]) as Clause;
    const earlier = inPathOrder.slice(0, k).map((c) => c.constraint.path).join(', ');
    const actual = describeLeaves(placed[broken.indexed.pathId].map((leaf) => leaf.value));
    const expected = describePatternValues(broken.declared.values);
    return {
      path: broken.declared.pointer,
      field: broken.declared.field,
      expected,
      actual,
      message: `${broken.declared.field} is ${actual}, but no value expected (${expected}) sits in the same array element as the values matched for ${earlier}.`,
    };
  }
  // Unreachable when the branch failed; kept total for the type checker.
  return fieldFailure(clauses[0].declared, ABSENT);
}

function fieldFailure(declared: Clause['declared'], actual: string): FailedClause {
  const expected = describePatternValues(declared.values);
  return { path: declared.pointer, field: declared.field, expected, actual, message: `${declared.field} is ${actual}, expected ${expected}.` };
}

/**
 * One clause for a pattern whose every branch failed: the branches' common clause when they agree (a field
 * outside any `$or`), else the innermost `$or` holding all their failures.
 */
function combineFailures(failures: readonly FailedClause[]): FailedClause {
  const distinct = [...new Map(failures.map((failure) => [failure.path + '\u0000' + failure.message, failure])).values()];
  if (distinct.length === 1 || new Set(distinct.map((failure) => failure.path)).size === 1) return distinct[0];
  const split = distinct.map((failure) => failure.path.split('/'));
  let common = 0;
  while (split.every((segments) => common < segments.length && segments[common] === split[0][common])) common++;
  const orAt = split[0].slice(0, common).lastIndexOf('$or');
  if (orAt < 0) return distinct[0];
  const path = split[0].slice(0, orAt + 1).join('/');
  const fields = [...new Set(distinct.map((failure) => failure.field))];
  const shown = distinct.slice(0, MAX_ALTERNATIVES_SHOWN).map((failure) => failure.message.replace(/\.$/, ''));
  const more = distinct.length > MAX_ALTERNATIVES_SHOWN ? `; and ${distinct.length - MAX_ALTERNATIVES_SHOWN} more` : '';
  return {
    path,
    field: fields.join(', '),
    expected: `one of ${distinct.length} alternatives`,
    actual: distinct.map((failure) => `${failure.field}: ${failure.actual}`).filter((text, i, all) => all.indexOf(text) === i).join('; '),
    message: `no alternative of $or matched: ${shown.join('; ')}${more}.`,
  };
}
