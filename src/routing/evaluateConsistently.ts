import type { ValueTest } from './compileValueTest';
import type { ArrayMembership, FieldConstraint, PlacedLeaf } from './types';

/** A constraint with the id of its path in the leaf table and its matchers compiled to one test. */
export interface IndexedConstraint {
  constraint: FieldConstraint;
  pathId: number;
  test: ValueTest;
}

/** Two leaves are consistent unless they sit in different elements of one array. */
function consistent(a: ArrayMembership, b: ArrayMembership): boolean {
  for (let i = 0; i < b.length; i += 2) {
    for (let j = 0; j < a.length; j += 2) {
      if (a[j] === b[i] && a[j + 1] !== b[i + 1]) return false;
    }
  }
  return true;
}

function merge(a: ArrayMembership, b: ArrayMembership): ArrayMembership {
  const merged = [...a];
  for (let i = 0; i < b.length; i += 2) {
    let known = false;
    for (let j = 0; j < a.length; j += 2) if (a[j] === b[i]) known = true;
    if (!known) merged.push(b[i], b[i + 1]);
  }
  return merged;
}

function search(
  constraints: readonly IndexedConstraint[],
  index: number,
  membership: ArrayMembership,
  placed: readonly PlacedLeaf[][],
): boolean {
  if (index === constraints.length) return true;
  const { constraint, pathId, test } = constraints[index];
  let anyConsistent = false;
  for (const leaf of placed[pathId]) {
    if (!consistent(membership, leaf.membership)) continue;
    anyConsistent = true;
    if (
      test(leaf.value) &&
      search(constraints, index + 1, merge(membership, leaf.membership), placed)
    ) {
      return true;
    }
  }
  return constraint.allowsAbsent && !anyConsistent && search(constraints, index + 1, membership, placed);
}

/**
 * Array-consistent matching of one branch, as Event Ruler's `rulesForJSONEvent` does it: the leaves
 * chosen for the fields must not come from different elements of one array. Fields are taken in path
 * order; `{ "exists": false }` holds when no leaf of its path is consistent with those chosen for the
 * fields before it.
 */
export function evaluateConsistently(constraints: readonly IndexedConstraint[], placed: readonly PlacedLeaf[][]): boolean {
  return search(constraints, 0, [], placed);
}
