import type { IndexedConstraint } from './evaluateConsistently';
import type { ValueTest } from './compileValueTest';
import type { EventValue } from './types';

/** How a constraint of `ConstraintTable` is checked: inline for the common single-matcher kinds. */
const CHECK_BY_TEST = 0;
const CHECK_EXACT = 1;
const CHECK_RANGE = 2;
const CHECK_PREFIX = 3;
const CHECK_NOT_EXACT = 4;
export const CHECK_KIND_MASK = 0xff;
export const ALLOWS_ABSENT = 0x100;

/**
 * The constraints left to verify, of every branch, laid out flat: a branch's are the slice
 * [start[unit], start[unit + 1]). Checking a candidate then reads a few typed arrays instead of
 * chasing objects and closures scattered across the heap, which is what dominates the cost of
 * checking candidates once there are thousands of subscriptions.
 */
export class ConstraintTable {
  readonly start: Int32Array;
  /** Per constraint, two ints: its path id, then its check kind | allows-absent (bit 8). */
  readonly meta: Int32Array;
  /** Per constraint of kind range, two doubles: its bounds (open ends kept in `open`). */
  readonly bounds: Float64Array;
  /** Bit 1: the lower bound is open; bit 2: the upper bound is open. */
  readonly open: Uint8Array;
  readonly text: (string | undefined)[];
  readonly test: ValueTest[];

  constructor(lists: readonly (readonly IndexedConstraint[])[]) {
    const count = lists.reduce((sum, list) => sum + list.length, 0);
    this.start = new Int32Array(lists.length + 1);
    this.meta = new Int32Array(2 * count);
    this.bounds = new Float64Array(2 * count);
    this.open = new Uint8Array(count);
    this.text = new Array<string | undefined>(count).fill(undefined);
    this.test = new Array<ValueTest>(count);
    let k = 0;
    lists.forEach((list, unit) => {
      this.start[unit] = k;
      for (const { constraint, pathId, test } of list) {
        this.test[k] = test;
        const only = constraint.matchers.length === 1 ? constraint.matchers[0] : undefined;
        let kind = CHECK_BY_TEST;
        if (only?.kind === 'exactString') {
          kind = CHECK_EXACT;
          this.text[k] = only.value;
        } else if (only?.kind === 'anythingButStrings' && only.values.size === 1) {
          kind = CHECK_NOT_EXACT;
          this.text[k] = [...only.values][0];
        } else if (only?.kind === 'prefix') {
          kind = CHECK_PREFIX;
          this.text[k] = only.value;
        } else if (only?.kind === 'numeric') {
          kind = CHECK_RANGE;
          this.bounds[2 * k] = only.lower;
          this.bounds[2 * k + 1] = only.upper;
          this.open[k] = (only.lowerOpen ? 1 : 0) | (only.upperOpen ? 2 : 0);
        }
        this.meta[2 * k] = pathId;
        this.meta[2 * k + 1] = kind | (constraint.allowsAbsent ? ALLOWS_ABSENT : 0);
        k++;
      }
    });
    this.start[lists.length] = k;
  }

  /** Whether one of the first `count` values satisfies constraint `k`, checked as `kind`. */
  holds(k: number, kind: number, values: readonly EventValue[], count: number): boolean {
    switch (kind) {
      case CHECK_EXACT: {
        const expected = this.text[k];
        for (let v = 0; v < count; v++) if (values[v] === expected) return true;
        return false;
      }
      case CHECK_NOT_EXACT: {
        const excluded = this.text[k];
        for (let v = 0; v < count; v++) if (values[v] !== excluded) return true;
        return false;
      }
      case CHECK_PREFIX: {
        const prefix = this.text[k] as string;
        for (let v = 0; v < count; v++) {
          const value = values[v];
          if (typeof value === 'string' && value.startsWith(prefix)) return true;
        }
        return false;
      }
      case CHECK_RANGE: {
        const low = this.bounds[2 * k];
        const high = this.bounds[2 * k + 1];
        const open = this.open[k];
        for (let v = 0; v < count; v++) {
          const value = values[v];
          if (typeof value === 'number') {
            if ((open & 1 ? value > low : value >= low) && (open & 2 ? value < high : value <= high)) return true;
          } else if (typeof value === 'object' && value !== null && this.test[k](value)) {
            return true;
          }
        }
        return false;
      }
      default: {
        const test = this.test[k];
        for (let v = 0; v < count; v++) if (test(values[v])) return true;
        return false;
      }
    }
  }
}
