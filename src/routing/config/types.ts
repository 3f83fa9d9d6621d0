import type { SubscriptionsConfig } from '../subscriptionTypes';
import type { ResolvedSecrets } from './resolvedSecrets';

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
  /** Refuse plain `http:` target URLs, as delivery does in AWS. @default false */
  requireHttps?: boolean;
  /** Allow literal loopback and private addresses in target URLs, as the local bus does. @default true */
  allowPrivateNetworks?: boolean;
  /** Hosts webhook and token URLs may name (`ALLOWED_TARGET_HOSTS`, see `allowedTargetHosts.ts`). @default - any host */
  allowedHosts?: readonly string[];
  /** Resolved values of the file's secret references, checked for their use (see `resolveSubscriptionSecrets`). */
  secretValues?: ResolvedSecrets;
}
