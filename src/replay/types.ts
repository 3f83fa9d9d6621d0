/** Where a replay job stands. `running` until its window is read to the end (`done`), it stops on a problem (`failed`) or an operator cancels it. */
export const REPLAY_STATE = { running: 'running', done: 'done', failed: 'failed', cancelled: 'cancelled' } as const;
export type ReplayState = (typeof REPLAY_STATE)[keyof typeof REPLAY_STATE];

/** How far a replay got: events read from the store, those the subscription matches, and what became of them. */
export interface ReplayCounts {
  /** Stored events of the window read (every type the subscription's `types` may match). */
  scanned: number;
  /** Of those, the ones the subscription matches. */
  matched: number;
  /** Delivered on their replay attempt. */
  delivered: number;
  /** Failed on their replay attempt: now in the delivery ledger (retried there, or dead). */
  failed: number;
}

/** What an operator asks for: the stored events of `[from, to)` (arrival time) that match one subscription, again, to it alone. */
export interface ReplayRequest {
  subscriptionId: string;
  /** Earliest arrival, inclusive (ISO 8601). */
  from: string;
  /** Latest arrival, exclusive (ISO 8601). */
  to: string;
  /** Deliveries started per second at most. */
  rate: number;
  /**
   * Type patterns of the store query: the subscription's `types` when the job was created (every type when it has
   * none). Kept with the job so its cursor stays valid if subscriptions.json changes while it runs.
   */
  types?: string[];
  /** Matching events counted beforehand (`switchyard replay` counts them for its progress bar). */
  expected?: number;
}

/** One replay job, as kept in the delivery table. */
export interface ReplayJob extends ReplayRequest {
  jobId: string;
  state: ReplayState;
  /** Store query cursor after the last page done; absent before the first. */
  cursor?: string;
  counts: ReplayCounts;
  /** Epoch ms. */
  startedAt: number;
  updatedAt: number;
  /** Why it failed (`failed` only). */
  error?: string;
}

/** Deliveries started per second unless `--rate` says otherwise, and the most it may say. */
export const DEFAULT_REPLAY_RATE = 100;
export const MAX_REPLAY_RATE = 10_000;

/** No replay counts at all: a new job's. */
export const NO_COUNTS: ReplayCounts = Object.freeze({ scanned: 0, matched: 0, delivered: 0, failed: 0 });
