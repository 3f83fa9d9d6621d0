export { SubscriptionEngine, type SubscriptionEngineOptions } from './SubscriptionEngine';
export { Redeliverer, type RedelivererOptions, type SweepOptions, type SweepResult } from './Redeliverer';
export { DeliveryLimiter, sharedDeliveryLimiter, type LimiterClock } from './DeliveryLimiter';
export { DisabledSubscriptionsCache, DISABLED_CACHE_MS, type DisabledSubscriptionsStore } from './DisabledSubscriptionsCache';
export { SubscriptionRoutes, type CompiledSubscriptions } from './SubscriptionRoutes';
export type { EngineLedger, RedelivererLedger } from './ledgerPorts';
export { ENGINE_METRIC, SILENT_LOG, type EngineLog, type EngineMetrics } from './types';
