import type { DeliveryLedger } from '../delivery/ledger/DeliveryLedger';

/** What the engine uses of the delivery ledger. */
export type EngineLedger = Pick<
  DeliveryLedger,
  'isLaneOccupied' | 'recordFailure' | 'enqueueWaiting' | 'deadLetter' | 'disabledSubscriptions' | 'disableSubscription'
>;

/** What the redeliverer uses of the delivery ledger. */
export type RedelivererLedger = Pick<
  DeliveryLedger,
  'due' | 'claim' | 'markDelivered' | 'markFailed' | 'deadLetter' | 'disabledSubscriptions' | 'disableSubscription'
>;
