/**
 * A subscription after subscriptions.json was validated and normalised (defaults applied, the PageUp format
 * converted). This is the shape the matcher, the engine and the delivery clients share.
 */

/** A secret as written in subscriptions.json; resolved at load, never logged. */
export type SecretRef = string | { env: string } | { secretsManager: string } | { ssm: string };

export const TARGET_KIND = { webhook: 'webhook', oauthWebhook: 'oauthWebhook', lambda: 'lambda' } as const;
export type TargetKind = (typeof TARGET_KIND)[keyof typeof TARGET_KIND];

export const PAYLOAD_MODE = { full: 'full', metadata: 'metadata', encrypted: 'encrypted' } as const;
export type PayloadMode = (typeof PAYLOAD_MODE)[keyof typeof PAYLOAD_MODE];

export const CONTENT_MODE = { structured: 'structured', binary: 'binary' } as const;
export type ContentMode = (typeof CONTENT_MODE)[keyof typeof CONTENT_MODE];

export interface WebhookTarget {
  url: string;
  /** Standard Webhooks `whsec_` secrets; several while a secret is being rotated (all sign). */
  secrets: SecretRef[];
  /** Extra request headers. */
  headers?: Record<string, string>;
}

export interface OAuthWebhookTarget extends WebhookTarget {
  tokenUrl: string;
  clientId: string;
  clientSecret: SecretRef;
  scope?: string;
}

export interface LambdaTarget {
  arn: string;
  /** @default 'Event' */
  invocationType: 'Event' | 'RequestResponse';
}

export type SubscriptionTarget =
  | { kind: typeof TARGET_KIND.webhook; webhook: WebhookTarget }
  | { kind: typeof TARGET_KIND.oauthWebhook; oauthWebhook: OAuthWebhookTarget }
  | { kind: typeof TARGET_KIND.lambda; lambda: LambdaTarget };

export interface DeliveryOptions {
  /** One event at a time per partition key, in stream order. @default false */
  ordered: boolean;
  /** @default 'full' */
  payload: PayloadMode;
  /** CloudEvents HTTP content mode of webhook deliveries. @default 'structured' */
  mode: ContentMode;
  /** Attempts before the delivery is dead-lettered. @default 12 */
  maxAttempts: number;
  /** Per-attempt timeout. @default 15 */
  timeoutSeconds: number;
  /** Required when `payload` is 'encrypted'. */
  encryption?: { format: 'jwe' | 'cryptr'; key: SecretRef };
  /** Deliveries in flight at once for this subscription. @default 16 */
  concurrency: number;
  /** Deliveries started per second for this subscription; unlimited when absent. */
  ratePerSecond?: number;
}

export interface Subscription {
  id: string;
  /** NATS-style patterns over `type`; absent means all. */
  types?: string[];
  /** NATS-style patterns over `subject`; absent means all. */
  subjects?: string[];
  /** EventBridge event pattern over the CloudEvent JSON. */
  filter?: Record<string, unknown>;
  target: SubscriptionTarget;
  delivery: DeliveryOptions;
}

export interface SubscriptionsConfig {
  subscriptions: Subscription[];
  /** Local bus only: `arn:aws:lambda:local:000000000000:function:NAME` → module path. */
  local?: { functions: Record<string, string> };
}
