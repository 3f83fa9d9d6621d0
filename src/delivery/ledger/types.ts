import type { CloudEventJson } from '../../events/types';
import type { FailureReason } from '../types';

/**
 * The delivery ledger: every delivery that did not succeed on its first attempt, until it succeeds or is
 * dead. Nothing leaves the engine without being either delivered or written here.
 *
 * A **lane** is the unit of order. An ordered subscription has one lane per partition key; every other
 * delivery is a lane of its own. Only a lane's head is attempted; the others in it wait (`waiting`) in stream
 * order and become the head when the one before them is delivered or dead.
 */

/** Why a delivery is dead: a delivery failure reason, or one of the ledger's own. */
export const DEAD_REASON = {
  /** The schedule ran out: `maxAttempts` attempts, or 24 h since the first failure. */
  exhausted: 'exhausted',
  /** The subscription answered 410 (this delivery), or was disabled when the event arrived. */
  subscriptionDisabled: 'subscription_disabled',
  /** The subscription is no longer in subscriptions.json. */
  subscriptionRemoved: 'subscription_removed',
} as const;
export type DeadReason = (typeof DEAD_REASON)[keyof typeof DEAD_REASON] | FailureReason;

/** Where a delivery stands. */
export type LedgerState = 'pending' | 'waiting' | 'dead';

/** Identifies one delivery in the ledger. */
export interface DeliveryRef {
  subscriptionId: string;
  /**
   * `key:<partitionkey>` for an ordered subscription, `event:<hash of source + id>` otherwise (see `laneOf`),
   * `redrive:<hash>` for a redriven dead letter (see `redriveLaneOf`).
   */
  lane: string;
  /** Kinesis sequence number of the event (orders a lane). */
  sequence: string;
}

/** The last failed attempt, as kept in the ledger. Never a secret, a token or event data. */
export interface LastAttempt {
  at: number;
  status?: number;
  reason: FailureReason;
  error: string;
}

/** One delivery in the ledger, event included (stored envelope-encrypted, returned decrypted). */
export interface LedgerEntry extends DeliveryRef {
  state: LedgerState;
  event: CloudEventJson;
  /** Attempts made so far (0 for a `waiting` entry never attempted). */
  attempts: number;
  /** Epoch ms of the first failed attempt; the 24 h limit counts from here. */
  firstFailedAt?: number;
  /** Epoch ms of the next attempt (`pending` only). */
  nextAttemptAt?: number;
  last?: LastAttempt;
  /** `dead` only. */
  deadAt?: number;
  deadReason?: DeadReason;
  /** Epoch ms until which a redeliverer holds the claim on it (`claim`); absent when never claimed. */
  leaseUntil?: number;
  /** For a redriven dead letter (lane `redrive:…`): the lane it died in. */
  redrivenFrom?: string;
}

/**
 * A failed attempt as the engine and the redeliverer report it: the `Retry-After` wait rides along (spent on
 * the schedule, not kept on the entry); `durationMs` goes to the delivery log.
 */
export type FailedAttempt = LastAttempt & { retryAfterMs?: number; durationMs?: number };

/** A successful retry as the redeliverer reports it to `markDelivered`, for the delivery log. */
export interface DeliveredAttempt {
  at: number;
  /** HTTP status, or the Lambda invoke status. */
  status: number;
  durationMs: number;
}

/** What an attempt in the delivery log led to. */
export const ATTEMPT_OUTCOME = {
  /** It failed; the delivery waits for its next attempt. */
  retry: 'retry',
  /** It failed and the delivery is dead (`deadReason` says why). */
  dead: 'dead',
  /** It succeeded (a retry: first-attempt successes are not logged). */
  delivered: 'delivered',
} as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOME)[keyof typeof ATTEMPT_OUTCOME];

/**
 * One attempt of a delivery that failed at least once, as the delivery log keeps it: never a secret, a token
 * or event data (`error` is the redacted message `deliver` produced).
 */
export interface DeliveryAttempt {
  /** Epoch ms the attempt ended. */
  at: number;
  /** 1 for the router's first attempt, counting up; a redrive starts again from 1. */
  attempt: number;
  outcome: AttemptOutcome;
  /** HTTP status (or Lambda invoke status); absent when there was no answer (timeout, refused, …). */
  status?: number;
  /** How long the attempt took; absent when the reporter did not measure it. */
  durationMs?: number;
  /** Failed attempts: why. */
  reason?: FailureReason;
  error?: string;
  /** `dead` only. */
  deadReason?: DeadReason;
  /** Where the delivery was in the ledger when attempted (a redrive moves it to a lane of its own). */
  lane: string;
  sequence: string;
}

/** Where a delivery stands, as `DeliveryLedger.show` reports it. */
export type DeliveryStatus = LedgerState | 'delivered_after_retry';

/** One delivery's state and its logged attempts, oldest first. */
export interface DeliveryHistory {
  subscriptionId: string;
  source: string;
  id: string;
  status: DeliveryStatus;
  /** The ledger entry while the delivery is pending, waiting or dead. */
  entry?: LedgerEntry;
  attempts: DeliveryAttempt[];
}

/** Paging of the operations listings. */
export interface ListOptions {
  /** Only this subscription; all when absent. */
  subscriptionId?: string;
  /** Entries per page. @default 100 */
  limit?: number;
  /** From a previous page's `cursor`. */
  cursor?: string;
}

/** What `DeliveryLedger.listDeliveries` lists of one subscription. */
export interface DeliveryListOptions {
  /** `pending` (lane items, waiting ones included) or `dead`; both when absent, pending first. */
  status?: 'pending' | 'dead';
  /**
   * Epoch ms: only deliveries that got into trouble at or after it — a dead letter by its death, a pending
   * delivery by its first failure (or, never attempted, by when it entered its lane).
   */
  since?: number;
  /** At most this many. @default 100 */
  limit?: number;
}

/** One page of a listing; `cursor` is set when more may follow. */
export interface LedgerPage {
  entries: LedgerEntry[];
  cursor?: string;
}

/** A subscription turned off by a 410 (or by hand), until re-enabled. */
export interface DisabledSubscription {
  subscriptionId: string;
  disabledAt: number;
  reason: string;
}
