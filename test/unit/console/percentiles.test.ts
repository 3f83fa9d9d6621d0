import { percentiles } from '../../../src/console/subscriptionActivity';

describe('percentiles (the console latency figures)', () => {
  test('nearest rank: p50 and p99 of a hundred latencies', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose
    expect(percentiles(values)).toEqual({ p50Ms: 50, p99Ms: 99 });
  });

  test('one value is both; none gives nothing (no latency is shown rather than a zero)', () => {
    expect(percentiles([7])).toEqual({ p50Ms: 7, p99Ms: 7 });
    expect(percentiles([])).toEqual({});
  });
});
