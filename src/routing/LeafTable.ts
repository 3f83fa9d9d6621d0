import type { EventValue } from './types';

/** Where a walk over an event puts the leaves it finds. */
export interface LeafSink {
  add(pathId: number, value: EventValue, inArray: boolean): void;
}

/**
 * The leaf values an event holds at each referenced path, reused from event to event so matching
 * allocates little: path `id` holds `values[id][0 .. counts[id])` (the arrays are never shortened,
 * which would cost a runtime call per path and event). `inArray[id]` is 1 when some leaf of the path
 * sits inside an array.
 */
export class LeafTable implements LeafSink {
  readonly values: EventValue[][];
  readonly counts: Int32Array;
  readonly inArray: Uint8Array;
  /** Ids of the paths holding values, in the order first seen; `touchedCount` of them are current. */
  readonly touched: Int32Array;
  touchedCount = 0;
  /** How many paths have some leaf inside an array: below two, no branch needs array consistency. */
  pathsInArrays = 0;

  constructor(pathCount: number) {
    this.values = Array.from({ length: pathCount }, () => []);
    this.counts = new Int32Array(pathCount);
    this.inArray = new Uint8Array(pathCount);
    this.touched = new Int32Array(pathCount);
  }

  add(pathId: number, value: EventValue, inArray: boolean): void {
    const count = this.counts[pathId];
    if (count === 0) this.touched[this.touchedCount++] = pathId;
    this.values[pathId][count] = value;
    this.counts[pathId] = count + 1;
    if (inArray && this.inArray[pathId] === 0) {
      this.inArray[pathId] = 1;
      this.pathsInArrays++;
    }
  }

  clear(): void {
    for (let i = 0; i < this.touchedCount; i++) {
      const id = this.touched[i];
      this.counts[id] = 0;
      this.inArray[id] = 0;
    }
    this.touchedCount = 0;
    this.pathsInArrays = 0;
  }
}
