/** An interval over numbers or over equal-length strings (IP addresses as hex). */
export interface Interval<K extends number | string, P> {
  low: K | undefined;
  lowOpen: boolean;
  high: K | undefined;
  highOpen: boolean;
  payload: P;
}

/**
 * Finds the intervals containing a value in O(log n + matches), whatever their overlap: the distinct
 * endpoints cut the line into elementary segments (each endpoint a segment of its own, so open and
 * closed ends are exact), and a segment tree stores each interval at O(log n) nodes covering its
 * segments. A query walks from the value's segment up to the root.
 */
export class RangeIndex<K extends number | string, P> {
  private readonly points: K[];
  private readonly size: number;
  private readonly nodes: (P[] | undefined)[];

  constructor(intervals: readonly Interval<K, P>[]) {
    const endpoints = new Set<K>();
    for (const interval of intervals) {
      if (interval.low !== undefined) endpoints.add(interval.low);
      if (interval.high !== undefined) endpoints.add(interval.high);
    }
    this.points = [...endpoints].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // Segment 2j+1 is points[j] itself; segment 2j the open stretch just below it; 2k the stretch above all.
    const segments = 2 * this.points.length + 1;
    let size = 1;
    while (size < segments) size *= 2;
    this.size = size;
    this.nodes = new Array<P[] | undefined>(2 * size);
    for (const interval of intervals) {
      const first = interval.low === undefined ? 0 : 2 * this.indexOf(interval.low) + (interval.lowOpen ? 2 : 1);
      const last = interval.high === undefined ? segments - 1 : 2 * this.indexOf(interval.high) + (interval.highOpen ? 0 : 1);
      if (first <= last) this.insert(first, last, interval.payload);
    }
  }

  private indexOf(point: K): number {
    let low = 0;
    let high = this.points.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const value = this.points[mid];
      if (value === point) return mid;
      if (value < point) low = mid + 1;
      else high = mid - 1;
    }
    throw new Error(`endpoint ${String(point)} not indexed`);
  }

  private insert(first: number, last: number, payload: P): void {
    let left = first + this.size;
    let right = last + this.size + 1;
    while (left < right) {
      if (left & 1) (this.nodes[left++] ??= []).push(payload);
      if (right & 1) (this.nodes[--right] ??= []).push(payload);
      left >>= 1;
      right >>= 1;
    }
  }

  /** Calls `visit` with the payload of every interval containing `value`. */
  forEachContaining(value: K, visit: (payload: P) => void): void {
    for (let node = this.leafOf(value); node >= 1; node >>= 1) {
      const payloads = this.nodes[node];
      if (payloads !== undefined) for (let i = 0; i < payloads.length; i++) visit(payloads[i]);
    }
  }

  /** Appends to `out` the payload of every interval containing `value`. */
  collectContaining(value: K, out: P[]): void {
    for (let node = this.leafOf(value); node >= 1; node >>= 1) {
      const payloads = this.nodes[node];
      if (payloads !== undefined) for (let i = 0; i < payloads.length; i++) out.push(payloads[i]);
    }
  }

  /** The tree node of the elementary segment holding `value`. */
  private leafOf(value: K): number {
    const points = this.points;
    let low = 0;
    let high = points.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (points[mid] < value) low = mid + 1;
      else high = mid;
    }
    const segment = low < points.length && points[low] === value ? 2 * low + 1 : 2 * low;
    return segment + this.size;
  }
}
