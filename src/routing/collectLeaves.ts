import type { LeafTable } from './LeafTable';
import { type PathNode, PathTrie } from './PathTrie';
import { type LeafValue, NumberLiteral, type PlacedLeaf } from './types';

function leafOf(value: unknown): LeafValue | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // A parsed event has no -0 or non-finite numbers of its own; keep such values out of numeric matching.
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : new NumberLiteral(String(value));
    default:
      return value === null ? null : undefined;
  }
}

function walk(value: unknown, node: PathNode, inArray: boolean, table: LeafTable): void {
  if (Array.isArray(value)) {
    for (const element of value) walk(element, node, true, table);
    return;
  }
  if (typeof value === 'object' && value !== null) {
    if (node.childList.length === 0) return;
    for (const key of Object.keys(value)) {
      const child = PathTrie.childFor(node, key);
      if (child !== undefined) walk((value as Record<string, unknown>)[key], child, inArray, table);
    }
    return;
  }
  if (node.pathId >= 0) {
    const leaf = leafOf(value);
    if (leaf !== undefined) table.add(node.pathId, leaf, inArray);
  }
}

/**
 * Gathers the leaves of a parsed event at the referenced paths (the fast path: values and whether
 * they sit in arrays). Arrays are walked through, as Event Ruler does: a leaf in an array of objects
 * belongs to the path of the array's field.
 */
export function collectLeaves(event: unknown, root: PathNode, table: LeafTable): void {
  if (typeof event === 'object' && event !== null && !Array.isArray(event)) walk(event, root, false, table);
}

function walkPlaced(
  value: unknown,
  node: PathNode,
  membership: readonly number[],
  placed: PlacedLeaf[][],
  nextArrayId: { value: number },
): void {
  if (Array.isArray(value)) {
    const arrayId = nextArrayId.value++;
    value.forEach((element, index) => walkPlaced(element, node, [...membership, arrayId, index], placed, nextArrayId));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      const child = PathTrie.childFor(node, key);
      if (child !== undefined) walkPlaced((value as Record<string, unknown>)[key], child, membership, placed, nextArrayId);
    }
    return;
  }
  if (node.pathId >= 0) {
    const leaf = leafOf(value);
    if (leaf !== undefined) placed[node.pathId].push({ value: leaf, membership });
  }
}

/**
 * Gathers the leaves with their array membership (which element of which array each sits in), for the
 * few branches where array consistency decides the match.
 */
export function collectPlacedLeaves(event: unknown, root: PathNode, pathCount: number): PlacedLeaf[][] {
  const placed: PlacedLeaf[][] = Array.from({ length: pathCount }, () => []);
  if (typeof event === 'object' && event !== null && !Array.isArray(event)) {
    walkPlaced(event, root, [], placed, { value: 0 });
  }
  return placed;
}
