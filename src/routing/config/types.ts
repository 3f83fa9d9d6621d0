import type { SubscriptionsConfig } from '../subscriptionTypes';

/** One problem of subscriptions.json: `path` is a JSON Pointer into the file (`/subscriptions/2/target/webhook/url`). */
export interface ConfigError {
  path: string;
  message: string;
}

/** Result of parsing subscriptions.json: the normalised config, or every problem found. */
export type ParseSubscriptionsResult =
  | { ok: true; config: SubscriptionsConfig }
  | { ok: false; errors: ConfigError[] };

/** Options of `parseSubscriptionsConfig`. */
export interface ParseSubscriptionsOptions {
  /** Subscriptions allowed in one file. @default 1000 */
  maxSubscriptions?: number;
  /**
   * Environment consulted for `SWITCHYARD_DEFAULT_WEBHOOK_SECRET` when converting the PageUp format
   * (only its presence is checked; the secret stays an `{ env }` reference). @default process.env
   */
  env?: NodeJS.ProcessEnv;
}
