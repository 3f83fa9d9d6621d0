import type { DeliveryLedger } from '../delivery/ledger/DeliveryLedger';
import type { ReplayJobs } from '../replay/ReplayJobs';
import type { SubscriptionsConfig } from '../routing/subscriptionTypes';
import type { EventStore } from '../store/EventStore';
import type { KinesisClient } from '@aws-sdk/client-kinesis';

/** Who the operator is, as the console logs their actions: the OS user locally, the AWS caller for a stage. */
export interface Actor {
  /** `alice` (local), `arn:aws:sts::123:assumed-role/...` or `profile ops` (a stage). */
  name: string;
}

/** One line of the operator log: who did what to which subscription or delivery. */
export interface AuditRecord {
  at: string;
  actor: string;
  action: 'redrive' | 'redrive_all' | 'replay' | 'disable' | 'enable';
  subscriptionId: string;
  /** What the action was given (a delivery reference, a window); never event data or a token. */
  detail: Record<string, unknown>;
  result: Record<string, unknown>;
}

/** Everything the console's routes read and act on: the bus's own library objects, built from its environment. */
export interface ConsoleDeps {
  /** For messages and the page header: `local bus at …` or `stage prod (Switchyard-prod)`. */
  description: string;
  store: EventStore;
  ledger: DeliveryLedger;
  jobs: ReplayJobs;
  /** The live subscriptions.json the bus serves. */
  subscriptions(): Promise<SubscriptionsConfig>;
  kinesis: KinesisClient;
  streamName: string;
  /** Resolved once; logged with every action. */
  actor(): Promise<Actor>;
  /** Where operator actions go (one JSON line each). */
  audit(record: AuditRecord): void;
  /** @default Date.now */
  now?: () => number;
}

/** A console request after the front has read it. */
export interface ConsoleRequest {
  method: string;
  /** Path below `/console/api`, e.g. `/events`. */
  path: string;
  query: URLSearchParams;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}
