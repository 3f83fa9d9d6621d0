/** Where the disabled subscriptions are kept (the delivery ledger). */
export interface DisabledSubscriptionsStore {
  disabledSubscriptions(): Promise<readonly { subscriptionId: string }[]>;
}

/** How long the set of disabled subscriptions is reused before it is read again. */
export const DISABLED_CACHE_MS = 5_000;

/**
 * The ids of disabled subscriptions, read from the ledger at most every few seconds (one small query serves
 * every event of every batch in between). A subscription this process disables itself is added at once; one
 * re-enabled elsewhere is seen within `ttlMs`.
 */
export class DisabledSubscriptionsCache {
  private ids = new Set<string>();
  private readAt = Number.NEGATIVE_INFINITY;
  private reading?: Promise<ReadonlySet<string>>;

  constructor(
    private readonly store: DisabledSubscriptionsStore,
    private readonly ttlMs = DISABLED_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current set; concurrent callers share one read. */
  async current(): Promise<ReadonlySet<string>> {
    if (this.now() - this.readAt < this.ttlMs) return this.ids;
    this.reading ??= this.store
      .disabledSubscriptions()
      .then((disabled) => {
        this.ids = new Set(disabled.map((entry) => entry.subscriptionId));
        this.readAt = this.now();
        return this.ids;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }

  /** Whether the subscription was disabled when last read, or by this process since. */
  has(subscriptionId: string): boolean {
    return this.ids.has(subscriptionId);
  }

  /** Records a subscription this process has just disabled, so the rest of the batch sees it. */
  add(subscriptionId: string): void {
    this.ids.add(subscriptionId);
  }
}
