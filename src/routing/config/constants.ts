/** Limits and defaults of subscriptions.json, in one place (the schema documents the same values). */

/** Subscriptions accepted in one file unless the engine is configured otherwise. */
export const DEFAULT_MAX_SUBSCRIPTIONS = 1000;

/** Defaults of `delivery`, as documented on `DeliveryOptions` in subscriptionTypes.ts. */
export const DELIVERY_DEFAULTS = {
  ordered: false,
  payload: 'full',
  mode: 'structured',
  maxAttempts: 12,
  timeoutSeconds: 15,
  concurrency: 16,
} as const;

/** Default of `delivery.encryption.format`. */
export const DEFAULT_ENCRYPTION_FORMAT = 'jwe';

/** Default of `target.lambda.invocationType`. */
export const DEFAULT_INVOCATION_TYPE = 'Event';

/**
 * Signing secret of PageUp-format webhooks: that format has no field for one, so it comes from this
 * environment variable (kept as an `{ env }` reference, so the value never enters the config object).
 */
export const DEFAULT_WEBHOOK_SECRET_ENV = 'SWITCHYARD_DEFAULT_WEBHOOK_SECRET';

/** `Type` values of the PageUp EventSystem format. */
export const PAGEUP_TYPE = {
  webhook: 'Webhook',
  authenticatedWebhook: 'AuthenticatedWebhook',
  lambda: 'Lambda',
} as const;
export type PageUpType = (typeof PAGEUP_TYPE)[keyof typeof PAGEUP_TYPE];

/** `BusinessEvent` value that matches every event type. */
export const PAGEUP_ANY_EVENT = '*';

/** The scope PageUp's AuthenticationModule always requested; converted AuthenticatedWebhooks keep it. */
export const PAGEUP_OAUTH_SCOPE = 'Subscription.Notify';

/** Account and region of Lambda ARNs that the local bus runs from `local.functions`. */
export const LOCAL_LAMBDA_ARN = /^arn:aws:lambda:local:000000000000:function:([A-Za-z0-9_-]{1,64})$/;

/** Standard Webhooks secrets: optional `whsec_` prefix, then base64 of 24 to 64 random bytes. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const WEBHOOK_SECRET_BYTES = { min: 24, max: 64 } as const;

/** A `jwe` key (`dir` + `A256GCM`) is the base64 of exactly this many bytes. */
export const JWE_KEY_BYTES = 32;

/**
 * Headers the bus sets itself on a webhook delivery; a subscription's `headers` may not replace them
 * (lower case). `authorization` is reserved on OAuth webhooks only.
 */
export const RESERVED_WEBHOOK_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'host',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

/** How often `SubscriptionsSource` asks S3 whether the file changed. */
export const DEFAULT_REFRESH_INTERVAL_SECONDS = 10;

/** How long `SecretResolver` keeps a resolved secret before fetching it again (picks up rotation). */
export const DEFAULT_SECRET_TTL_SECONDS = 300;

/** After a failed refresh, how long the previous value keeps serving before the next attempt. */
export const SECRET_RETRY_AFTER_FAILURE_SECONDS = 30;
