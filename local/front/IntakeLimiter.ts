/** The local front's intake limits (Chef Automate's `event_limit`): beyond them the bus answers 429 with Retry-After. */
export interface IntakeLimits {
  /** Requests per second admitted on average (a token bucket refilled at this rate), any route. */
  ratePerSecond: number;
  /** Requests admitted at once after a quiet spell: the bucket's size. @default ratePerSecond (at least 1) */
  burst?: number;
  /** `POST /events` requests being handled at once (validated, checked for duplicates, written to the stream). */
  maxInFlight: number;
}

/** Why a request was refused, and when to try again. */
export interface IntakeRefusal {
  limit: 'rate' | 'inFlight';
  /** Whole seconds, at least 1: the `Retry-After` value. */
  retryAfterSeconds: number;
  message: string;
}

/** An admitted request; `release` when it is answered (publishes only count toward in-flight). */
export interface IntakeAdmission {
  release(): void;
}

/**
 * A token bucket for the request rate and a counter of publishes in flight, checked before a request's body is
 * read: a refused request never reaches the handler, so nothing of it is accepted.
 */
export class IntakeLimiter {
  private readonly rate: number;
  private readonly burst: number;
  private readonly maxInFlight: number;
  private tokens: number;
  private refilledAt: number;
  private inFlight = 0;

  constructor(limits: IntakeLimits, private readonly clock: () => number = Date.now) {
    const { ratePerSecond, maxInFlight } = limits;
    if (!(Number.isFinite(ratePerSecond) && ratePerSecond > 0)) throw new RangeError(`intake.ratePerSecond must be a positive number, got ${String(ratePerSecond)}`);
    const burst = limits.burst ?? Math.max(1, Math.ceil(ratePerSecond));
    if (!(Number.isInteger(burst) && burst >= 1)) throw new RangeError(`intake.burst must be a positive integer, got ${String(limits.burst)}`);
    if (!(Number.isInteger(maxInFlight) && maxInFlight >= 1)) throw new RangeError(`intake.maxInFlight must be a positive integer, got ${String(maxInFlight)}`);
    this.rate = ratePerSecond;
    this.burst = burst;
    this.maxInFlight = maxInFlight;
    this.tokens = burst;
    this.refilledAt = clock();
  }

  /** Admits a request (`publish`: a POST /events, which also takes an in-flight place) or says why not. */
  admit(publish: boolean): IntakeAdmission | IntakeRefusal {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
    if (publish && this.inFlight >= this.maxInFlight) {
      return { limit: 'inFlight', retryAfterSeconds: 1, message: `too many publishes in flight (at most ${this.maxInFlight} at once): retry after 1 s` };
    }
    if (this.tokens < 1) {
      const retryAfterSeconds = Math.max(1, Math.ceil((1 - this.tokens) / this.rate));
      return { limit: 'rate', retryAfterSeconds, message: `request rate over ${this.rate}/s (burst ${this.burst}): retry after ${retryAfterSeconds} s` };
    }
    this.tokens -= 1;
    if (!publish) return { release: () => undefined };
    this.inFlight += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
      },
    };
  }
}

/** Whether `admit` refused. */
export function isRefusal(result: IntakeAdmission | IntakeRefusal): result is IntakeRefusal {
  return 'retryAfterSeconds' in result;
}
