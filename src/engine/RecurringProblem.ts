/** How often a problem that persists is reported again. */
export const RECURRING_PROBLEM_INTERVAL_MS = 60_000;

/**
 * Keeps a persisting problem (no valid subscriptions.json, the ledger unreachable) from filling the log on
 * every retry: it is reported when it appears, when its text changes, and then once a minute while it lasts.
 */
export class RecurringProblem {
  private last?: string;
  private reportedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs = RECURRING_PROBLEM_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether this occurrence should be logged. */
  shouldReport(text: string): boolean {
    const now = this.now();
    if (text === this.last && now - this.reportedAt < this.intervalMs) return false;
    this.last = text;
    this.reportedAt = now;
    return true;
  }

  /** The problem is over: the next occurrence is reported at once. */
  clear(): void {
    this.last = undefined;
  }
}
