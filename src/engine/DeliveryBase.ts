import type { DeliveryDeps } from '../delivery/deliver';
import type { DeliveryLedger } from '../delivery/ledger/DeliveryLedger';
import type { SubscriptionsSource } from '../routing/config/SubscriptionsSource';
import { DeliveryLimiter, sharedDeliveryLimiter } from './DeliveryLimiter';
import { DisabledSubscriptionsCache } from './DisabledSubscriptionsCache';
import type { FinalFailureRecorder } from './outcomes';
import { SubscriptionRoutes } from './SubscriptionRoutes';
import { ENGINE_METRIC, SILENT_LOG, type EngineLog, type EngineMetrics } from './types';

/** What both the engine and the redeliverer use of the ledger: final failures and the disabled set. */
type SharedLedger = Pick<DeliveryLedger, 'deadLetter' | 'disabledSubscriptions' | 'disableSubscription'>;

/** The options the engine and the redeliverer have in common. */
export interface DeliveryBaseOptions<L extends SharedLedger> {
  /** subscriptions.json (S3, by ETag). */
  source: Pick<SubscriptionsSource, 'current'>;
  ledger: L;
  /** Clients of `deliver`, built once per process (`createDeliveryDeps`). */
  deliveryDeps: DeliveryDeps;
  log?: EngineLog;
  metrics?: EngineMetrics;
  /** Per-subscription concurrency and rate. @default the process's shared limiter */
  limiter?: DeliveryLimiter;
  /** The disabled subscriptions, cached. @default a cache of `ledger.disabledSubscriptions()` for 5 s */
  disabled?: DisabledSubscriptionsCache;
  /** Clock of the ledger's attempt times, in epoch ms. @default Date.now */
  now?: () => number;
}

/** The collaborators the engine and the redeliverer build alike from their options. */
export abstract class DeliveryBase<L extends SharedLedger> {
  protected readonly routes: SubscriptionRoutes;
  protected readonly ledger: L;
  protected readonly deps: DeliveryDeps;
  protected readonly log: EngineLog;
  protected readonly limiter: DeliveryLimiter;
  protected readonly disabled: DisabledSubscriptionsCache;
  protected readonly finalFailures: FinalFailureRecorder;
  protected readonly now: () => number;
  private readonly metrics?: EngineMetrics;

  constructor(options: DeliveryBaseOptions<L>) {
    this.routes = new SubscriptionRoutes(options.source);
    this.ledger = options.ledger;
    this.deps = options.deliveryDeps;
    this.log = options.log ?? SILENT_LOG;
    this.metrics = options.metrics;
    this.limiter = options.limiter ?? sharedDeliveryLimiter();
    this.disabled = options.disabled ?? new DisabledSubscriptionsCache(options.ledger);
    this.finalFailures = { ledger: this.ledger, disabled: this.disabled, log: this.log, count: (metric) => this.count(metric) };
    this.now = options.now ?? Date.now;
  }

  protected count(name: string): void {
    this.metrics?.addMetric(name, 'Count', 1);
  }

  /** Records how long one delivery attempt took (`DeliveryLatency`), whatever its outcome. */
  protected timeAttempt(durationMs: number): void {
    this.metrics?.addMetric(ENGINE_METRIC.deliveryLatency, 'Milliseconds', durationMs);
  }
}

/** An error as one log field: `Name: message`, or the thrown value as text. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
