import { OR_KEYWORD } from './constants';
import { pointerOf } from './config/jsonPointer';

/** One field of a pattern as the user wrote it: its flattened path, where it sits, and its value list. */
export interface DeclaredField {
  /** Field names joined with `.` (`data.amount`), as the matcher flattens them. */
  readonly field: string;
  /** JSON Pointer of the value list, below the base given to {@link declaredBranches}. */
  readonly pointer: string;
  readonly values: readonly unknown[];
}

/** One `$or` branch: its fields in the order they were declared. */
export type DeclaredBranch = Map<string, DeclaredField>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The branches of a VALID EventBridge pattern, expanded exactly as `parseEventPattern` expands them (same
 * branch order, a path given again replacing the earlier values) but keeping, for each field, where it was
 * declared. `explainMatch` pairs them with the parser's compiled branches to point at the clause that failed.
 */
export function declaredBranches(pattern: Record<string, unknown>, basePointer: string): DeclaredBranch[] {
  return expandObject(pattern, '', basePointer, [new Map()]);
}

function expandObject(pattern: Record<string, unknown>, prefix: string, pointer: string, branches: DeclaredBranch[]): DeclaredBranch[] {
  for (const [key, value] of Object.entries(pattern)) {
    const keyPointer = pointerOf(pointer, key);
    if (key === OR_KEYWORD && Array.isArray(value)) {
      const expanded: DeclaredBranch[] = [];
      value.forEach((alternative, index) => {
        if (!isPlainObject(alternative)) return;
        const copies = branches.map((branch) => new Map(branch));
        expanded.push(...expandObject(alternative, prefix, pointerOf(keyPointer, index), copies));
      });
      if (expanded.length > 0) branches = expanded;
      continue;
    }
    const field = prefix === '' ? key : `${prefix}.${key}`;
    if (Array.isArray(value)) {
      for (const branch of branches) branch.set(field, { field, pointer: keyPointer, values: value });
    } else if (isPlainObject(value)) {
      branches = expandObject(value, field, keyPointer, branches);
    }
  }
  return branches;
}
