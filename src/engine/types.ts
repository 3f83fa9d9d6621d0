/** Where the engine and the redeliverer report; the handlers pass Powertools Logger methods. */
export interface EngineLog {
  debug(message: string, detail: Record<string, unknown>): void;
  info(message: string, detail: Record<string, unknown>): void;
  warn(message: string, detail: Record<string, unknown>): void;
  error(message: string, detail: Record<string, unknown>): void;
}

/**
 * Counts for CloudWatch: Powertools `Metrics` fits as is. No per-subscription dimension (a dimension per
 * subscription would be a metric per subscription); the logs carry the subscription id instead.
 */
export interface EngineMetrics {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): unknown;
}

/** Metric names the engine and the redeliverer emit (all counts). */
export const ENGINE_METRIC = {
  /** A delivery succeeded (first attempt or a retry). */
  delivered: 'Delivered',
  /** How long one delivery attempt took, whatever its outcome (milliseconds; the dashboard shows p50 and p99). */
  deliveryLatency: 'DeliveryLatency',
  /** An attempt failed and the delivery waits for its next attempt in the ledger. */
  deliveryFailed: 'DeliveryFailed',
  /** An event of an ordered subscription was held back behind an earlier one of its key. */
  deliveryHeldBack: 'DeliveryHeldBack',
  /** A delivery not started before the invocation's deadline went to the ledger as pending, due now. */
  deliveryDeferred: 'DeliveryDeferred',
  /** A delivery became a dead letter. */
  deadLettered: 'DeadLettered',
  /** A 410 disabled a subscription. */
  subscriptionDisabled: 'SubscriptionDisabled',
  /** A new subscriptions.json was refused; the last valid one keeps serving. */
  subscriptionsRefused: 'SubscriptionsRefused',
  /** A stream record that is not a CloudEvent was passed over. */
  undecodableRecord: 'UndecodableRecord',
  /** A stream record whose source + id the store holds under another sequence: dropped before delivery. */
  duplicateDropped: 'DuplicateDropped',
  /** The router could not store a batch; Kinesis sends it again. */
  storeFailed: 'StoreFailed',
  /** A ledger write failed; the record is retried by Kinesis (engine) or the lease expires (redeliverer). */
  ledgerWriteFailed: 'LedgerWriteFailed',
} as const;

/** A log that drops everything (the default of library users who pass none). */
export const SILENT_LOG: EngineLog = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
