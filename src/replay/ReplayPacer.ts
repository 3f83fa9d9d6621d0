import { setTimeout as delay } from 'node:timers/promises';

/**
 * The replay's token bucket: `rate` starts per second, spaced evenly, with a burst of one. A bucket that held a
 * second's worth (as the live limiter's does) would let a whole page start at once after every store read; even
 * spacing keeps in flight only what the rate and the receiver's latency need, so a replay never crowds the
 * process's sockets and event loop that live deliveries share (on the local bus, one process for everything).
 */
export class ReplayPacer {
  private readonly intervalMs: number;
  /** When the next start may go (virtual schedule: each start reserves its slot). */
  private nextAt = Number.NEGATIVE_INFINITY;

  constructor(
    rate: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<unknown> = (ms) => delay(ms),
  ) {
    if (!(rate > 0)) throw new RangeError(`ReplayPacer: rate must be > 0, got ${rate}`);
    this.intervalMs = 1000 / rate;
  }

  /** Resolves when the caller may start one delivery; callers are served in the order they asked. */
  async take(): Promise<void> {
    const now = this.now();
    // A quiet spell earns at most one start in hand, never a burst.
    const at = Math.max(now - this.intervalMs, this.nextAt);
    this.nextAt = at + this.intervalMs;
    if (at > now) await this.sleep(at - now);
  }
}
