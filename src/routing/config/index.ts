export { DEFAULT_MAX_SUBSCRIPTIONS, DEFAULT_WEBHOOK_SECRET_ENV } from './constants';
export { describeSecretRef } from './describeSecretRef';
export { InvalidSubscriptionsError, SecretResolutionError, SubscriptionsConfigError, SubscriptionsUnavailableError } from './errors';
export { parseSubscriptionsConfig } from './parseSubscriptionsConfig';
export { parseSubscriptionsFile } from './parseSubscriptionsFile';
export { SecretResolver, type SecretResolverOptions } from './SecretResolver';
export { SubscriptionsSource, type SubscriptionsSourceOptions } from './SubscriptionsSource';
export type { ConfigError, ParseSubscriptionsOptions, ParseSubscriptionsResult } from './types';
