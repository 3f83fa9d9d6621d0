import { DeliveryLimiter, type LimiterClock } from '../../../src/engine/DeliveryLimiter';

/** A clock that only moves when a sleeper asks it to: rate limiting is checked without waiting. */
class ManualClock implements LimiterClock {
  time = 0;
  readonly sleeps: number[] = [];
  now = () => this.time;
  sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.time += ms;
  };
}

const options = (concurrency: number, ratePerSecond?: number) => ({ id: 'sub', delivery: { concurrency, ratePerSecond } });

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('DeliveryLimiter', () => {
  it('keeps at most `concurrency` deliveries of a subscription in flight, starting waiters in arrival order', async () => {
    const limiter = new DeliveryLimiter();
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const runs = gates.map((gate, index) =>
      limiter.run(options(2), async () => {
        started.push(index);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await gate.promise;
        inFlight -= 1;
        return index;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    gates[1].resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const gate of gates) gate.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(maxInFlight).toBe(2);
  });

  it('limits subscriptions independently', async () => {
    const limiter = new DeliveryLimiter();
    const gate = deferred();
    const blocked = limiter.run(options(1), () => gate.promise);
    let otherRan = false;
    await limiter.run({ id: 'other', delivery: { concurrency: 1 } }, async () => {
      otherRan = true;
    });
    expect(otherRan).toBe(true);
    gate.resolve();
    await blocked;
  });

  it('releases the slot when the work throws', async () => {
    const limiter = new DeliveryLimiter();
    await expect(limiter.run(options(1), async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(options(1), async () => 'next')).resolves.toBe('next');
  });

  it('spaces starts by ratePerSecond after a burst of one second of tokens', async () => {
    const clock = new ManualClock();
    const limiter = new DeliveryLimiter(clock);
    const startedAt: number[] = [];
    for (let i = 0; i < 6; i++) await limiter.run(options(10, 2), async () => startedAt.push(clock.now()));
    // Two tokens at once, then one every 500 ms.
    expect(startedAt).toEqual([0, 0, 500, 1000, 1500, 2000]);
  });

  it('refills while idle, up to the burst only', async () => {
    const clock = new ManualClock();
    const limiter = new DeliveryLimiter(clock);
    for (let i = 0; i < 4; i++) await limiter.run(options(10, 4), async () => undefined);
    clock.time += 60_000;
    const startedAt: number[] = [];
    for (let i = 0; i < 6; i++) await limiter.run(options(10, 4), async () => startedAt.push(clock.now()));
    expect(startedAt.map((t) => t - 60_000)).toEqual([0, 0, 0, 0, 250, 500]);
  });

  it('applies a changed concurrency to waiting deliveries', async () => {
    const limiter = new DeliveryLimiter();
    const gate = deferred();
    const started: number[] = [];
    const first = limiter.run(options(1), async () => {
      started.push(0);
      await gate.promise;
    });
    const second = limiter.run(options(1), async () => {
      started.push(1);
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0]);
    // The config now allows 2 at once: the waiter starts without waiting for the first to finish.
    const third = limiter.run(options(3), async () => {
      started.push(2);
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    gate.resolve();
    await Promise.all([first, second, third]);
  });
});
