import type { SecretRef } from '../subscriptionTypes';
import type { PageUpType } from './constants';

/**
 * subscriptions.json as written, once it passed the schema: optional fields still absent, secrets
 * possibly single. `normaliseSubscriptions` turns this into `SubscriptionsConfig`.
 */
export interface SubscriptionsFileJson {
  $schema?: string;
  defaults?: { webhookSecret?: SecretRef | SecretRef[] };
  subscriptions: SubscriptionJson[];
  local?: { functions: Record<string, string> };
}

export interface SubscriptionJson {
  id: string;
  description?: string;
  types?: string[];
  subjects?: string[];
  filter?: Record<string, unknown>;
  target: TargetJson;
  delivery?: DeliveryJson;
}

/** Exactly one key is present (the schema checks it). */
export interface TargetJson {
  webhook?: WebhookJson;
  oauthWebhook?: OAuthWebhookJson;
  lambda?: { arn: string; invocationType?: 'Event' | 'RequestResponse' };
}

export interface WebhookJson {
  url: string;
  secret?: SecretRef | SecretRef[];
  headers?: Record<string, string>;
}

export interface OAuthWebhookJson extends WebhookJson {
  tokenUrl: string;
  clientId: string;
  clientSecret: SecretRef;
  scope?: string;
}

export interface DeliveryJson {
  ordered?: boolean;
  payload?: 'full' | 'metadata' | 'encrypted';
  mode?: 'structured' | 'binary';
  maxAttempts?: number;
  timeoutSeconds?: number;
  encryption?: { format?: 'jwe' | 'cryptr'; key: SecretRef };
  concurrency?: number;
  ratePerSecond?: number;
}

/** One entry of the PageUp EventSystem format (a top-level array of these). */
export interface PageUpSubscriptionJson {
  Type: PageUpType;
  Endpoint?: string;
  BusinessEvent: string;
  Auth?: { Endpoint: string; ClientId: string; ClientSecret: SecretRef };
  LambdaArn?: string;
}
