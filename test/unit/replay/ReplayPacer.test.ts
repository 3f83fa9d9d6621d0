import { ReplayPacer } from '../../../src/replay/ReplayPacer';

/** A clock that sleeping advances: each start's time is when its `take` resolved. */
function fakeClock() {
  let now = 1_000_000;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('ReplayPacer', () => {
  test('spaces starts evenly at the rate, without a burst after a quiet spell', async () => {
    const clock = fakeClock();
    const pacer = new ReplayPacer(100, clock.now, clock.sleep);
    clock.advance(60_000);
    const starts: number[] = [];
    for (let n = 0; n < 5; n++) {
      await pacer.take();
      starts.push(clock.now());
    }
    // One start in hand at most: the first two go at once, then one every 10 ms.
    expect(starts.map((at) => at - starts[0])).toEqual([0, 0, 10, 20, 30]);
  });

  test('serves concurrent callers in the order they asked', async () => {
    const clock = { now: () => 0, sleeps: [] as number[] };
    const pacer = new ReplayPacer(4, clock.now, async (ms) => void clock.sleeps.push(ms));
    await Promise.all([pacer.take(), pacer.take(), pacer.take(), pacer.take()]);
    expect(clock.sleeps).toEqual([250, 500]);
  });

  test('refuses a rate that is not positive', () => {
    expect(() => new ReplayPacer(0)).toThrow('ReplayPacer: rate must be > 0, got 0');
  });
});
