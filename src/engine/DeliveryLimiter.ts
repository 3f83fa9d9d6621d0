import type { DeliveryOptions } from '../routing/subscriptionTypes';

/** Clock and timer of a limiter; tests pass their own. */
export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const REAL_CLOCK: LimiterClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * The limits of one subscription: at most `concurrency` deliveries in flight, and (when `ratePerSecond` is
 * set) starts spaced by a token bucket holding one second's worth of tokens. Waiters are served in arrival
 * order. Limits follow the subscription's current settings (`configure`), so an edited subscriptions.json
 * applies to the next delivery.
 */
class SubscriptionLimit {
  private inFlight = 0;
  /** Waiters in arrival order from `head` on; an engine batch may queue thousands, so no O(n) `shift`. */
  private queue: (() => void)[] = [];
  private head = 0;
  private concurrency = 1;
  private ratePerSecond?: number;
  /** Tokens left at `refilledAt`; may go negative: each start reserves one, and waits until it is covered. */
  private tokens = 0;
  private refilledAt = 0;

  constructor(private readonly clock: LimiterClock) {}

  configure(delivery: Pick<DeliveryOptions, 'concurrency' | 'ratePerSecond'>): void {
    this.concurrency = Math.max(1, Math.floor(delivery.concurrency || 1));
    const rate = delivery.ratePerSecond;
    const newRate = typeof rate === 'number' && rate > 0 ? rate : undefined;
    if (newRate !== this.ratePerSecond) {
      this.ratePerSecond = newRate;
      this.tokens = newRate === undefined ? 0 : burstOf(newRate);
      this.refilledAt = this.clock.now();
    }
    this.admit();
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.inFlight < this.concurrency && this.waiting() === 0) {
      this.inFlight += 1;
      // Still one turn of the microtask queue, so a waiter admitted just before starts before this one.
      await Promise.resolve();
    } else {
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
    try {
      if (this.ratePerSecond !== undefined) await this.acquireToken(this.ratePerSecond);
      return await work();
    } finally {
      this.inFlight -= 1;
      this.admit();
    }
  }

  private waiting(): number {
    return this.queue.length - this.head;
  }

  /** Hands free slots to waiters, first come first served. */
  private admit(): void {
    while (this.inFlight < this.concurrency && this.waiting() > 0) {
      this.inFlight += 1;
      const next = this.queue[this.head];
      this.queue[this.head++] = undefined as unknown as () => void;
      next();
    }
    if (this.head > 0 && (this.head === this.queue.length || this.head >= 1024)) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private async acquireToken(rate: number): Promise<void> {
    const now = this.clock.now();
    this.tokens = Math.min(burstOf(rate), this.tokens + ((now - this.refilledAt) * rate) / 1000);
    this.refilledAt = now;
    this.tokens -= 1;
    if (this.tokens < 0) await this.clock.sleep(Math.ceil((-this.tokens * 1000) / rate));
  }
}

/** A bucket holds one second of tokens (at least one), so a quiet subscription may start that many at once. */
function burstOf(ratePerSecond: number): number {
  return Math.max(1, ratePerSecond);
}

/**
 * Per-subscription concurrency and rate limits, shared by everything in one process that delivers (the engine
 * and the redeliverer on the local bus), so a subscription's limits hold across both.
 */
export class DeliveryLimiter {
  private readonly limits = new Map<string, SubscriptionLimit>();
  private readonly clock: LimiterClock;

  constructor(clock: LimiterClock = REAL_CLOCK) {
    this.clock = clock;
  }

  /** Runs `work` when the subscription's limits allow, and returns its result. */
  run<T>(subscription: { id: string; delivery: Pick<DeliveryOptions, 'concurrency' | 'ratePerSecond'> }, work: () => Promise<T>): Promise<T> {
    let limit = this.limits.get(subscription.id);
    if (limit === undefined) {
      limit = new SubscriptionLimit(this.clock);
      this.limits.set(subscription.id, limit);
    }
    limit.configure(subscription.delivery);
    return limit.run(work);
  }
}

let processLimiter: DeliveryLimiter | undefined;

/** The process's limiter: the engine and the redeliverer built in one process share it. */
export function sharedDeliveryLimiter(): DeliveryLimiter {
  processLimiter ??= new DeliveryLimiter();
  return processLimiter;
}
