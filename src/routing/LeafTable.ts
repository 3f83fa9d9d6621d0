import type { EventValue } from './types';

/** Where a walk over an event puts the leaves it finds. */
export interface LeafSink {
  add(pathId: number, value: EventValue, inArray: boolean): void;
}

/**
 * The leaf values an event holds at each referenced path, reused from event to event so matching
 * allocates little. `inArray[id]` is 1 when some leaf of the path sits inside an array.
 */
export class LeafTable implements LeafSink {
  readonly values: EventValue[][];
  readonly inArray: Uint8Array;
  /** Ids of the paths holding values, to clear them cheaply. */
  readonly touched: number[] = [];

  constructor(pathCount: number) {
    this.values = Array.from({ length: pathCount }, () => []);
    this.inArray = new Uint8Array(pathCount);
  }

  add(pathId: number, value: EventValue, inArray: boolean): void {
    const list = this.values[pathId];
    if (list.length === 0) this.touched.push(pathId);
    list.push(value);
    if (inArray) this.inArray[pathId] = 1;
  }

  clear(): void {
    for (const id of this.touched) {
      this.values[id].length = 0;
      this.inArray[id] = 0;
    }
    this.touched.length = 0;
  }
}
