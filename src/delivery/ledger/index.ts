export * from './types';
export { RETRY_DELAYS_MS, RETRY_WINDOW_MS, retryDelayMs, nextAttempt, type NextAttempt, type NextAttemptInput } from './retrySchedule';
export { laneOf, redriveLaneOf, LANE_PREFIX } from './laneOf';
export {
  DeliveryLedger,
  ledgerAad,
  DUE_INDEX,
  DEFAULT_DUE_BUCKETS,
  DEFAULT_LIST_LIMIT,
  MAX_LIST_LIMIT,
  type DeliveryLedgerOptions,
  type DeadLetterRef,
} from './DeliveryLedger';
