import fc from 'fast-check';
import { type Interval, RangeIndex } from '../../../src/routing/RangeIndex';

const bound = fc.option(fc.integer({ min: -5, max: 5 }), { freq: 4 });
const interval = fc.tuple(bound, fc.boolean(), bound, fc.boolean());

function contains(i: Interval<number, number>, value: number): boolean {
  const aboveLow = i.low === undefined || (i.lowOpen ? value > i.low : value >= i.low);
  const belowHigh = i.high === undefined || (i.highOpen ? value < i.high : value <= i.high);
  return aboveLow && belowHigh;
}

describe('RangeIndex', () => {
  it('finds exactly the intervals containing a value, open and closed ends alike', () => {
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 20 }), fc.integer({ min: -12, max: 12 }), (specs, doubled) => {
        const intervals = specs.map(([low, lowOpen, high, highOpen], payload) => ({
          low: low ?? undefined,
          lowOpen,
          high: high ?? undefined,
          highOpen,
          payload,
        }));
        const value = doubled / 2;
        const found: number[] = [];
        new RangeIndex(intervals).forEachContaining(value, (payload) => found.push(payload));
        expect(found.sort((a, b) => a - b)).toEqual(intervals.filter((i) => contains(i, value)).map((i) => i.payload));
      }),
      { numRuns: 2000 },
    );
  });
});
