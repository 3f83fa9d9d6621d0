/** One row of `npm run bench`, as written to bench/results.json (contract in DESIGN.md). */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** What the value is compared with, measured in the same run (or a peer's published figure). */
  baseline: string;
  baselineValue: number;
  /** value ÷ baselineValue, or the reverse when lower is better; see `goal`. */
  ratio: number;
  /** The goal as text, e.g. `ratio >= 0.8` or `value <= 500`. */
  goal: string;
  met: boolean;
}

/** A benchmark: a name prefix for `--only`, and a function producing its rows. */
export interface Benchmark {
  name: string;
  /** `measured`: the rows of the benchmarks run before this one in the same run (the cost row reads them). */
  run(measured?: readonly BenchRow[]): Promise<BenchRow[]>;
}
