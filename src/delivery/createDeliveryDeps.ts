import type { DeliveryDeps } from './deliver';
import { LambdaInvoker, type LambdaInvokerOptions } from './LambdaInvoker';
import { OAuthTokenCache, type OAuthTokenCacheOptions } from './OAuthTokenCache';
import type { ResolveSecret } from './types';
import { WebhookClient, type WebhookClientOptions } from './WebhookClient';

/** Options of createDeliveryDeps. */
export interface DeliveryDepsOptions {
  resolveSecret: ResolveSecret;
  /** The HTTP side; `{ allowPrivateNetworks: true }` on the local bus. @default {} (AWS mode) */
  webhooks?: WebhookClientOptions;
  /** The OAuth token cache (it sends through the same WebhookClient). @default {} */
  tokens?: Omit<OAuthTokenCacheOptions, 'client'>;
  /** Lambda client and local functions. @default {} */
  lambdas?: LambdaInvokerOptions;
}

/** The clients `deliver` needs, built once: one keep-alive pool and one token cache per process. */
export function createDeliveryDeps(options: DeliveryDepsOptions): DeliveryDeps {
  const webhooks = new WebhookClient(options.webhooks);
  return {
    resolveSecret: options.resolveSecret,
    webhooks,
    tokens: new OAuthTokenCache({ ...options.tokens, client: webhooks }),
    lambdas: new LambdaInvoker(options.lambdas),
  };
}
