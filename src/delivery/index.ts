export * from './constants';
export * from './errors';
export * from './types';
export { shapePayload, type PayloadOptions } from './shapePayload';
export { signWebhook, type SignWebhookInput } from './signWebhook';
export { buildWebhookRequest, type WebhookRequestInput } from './buildWebhookRequest';
export { parseRetryAfter } from './parseRetryAfter';
export {
  classifyStatus,
  failureOutcome,
  lastAttemptOf,
  finalFailureOf,
  nextAttempt,
  retryDelayMs,
  RETRY_DELAYS_MS,
  RETRY_WINDOW_MS,
  type FailedOutcome,
  type FinalFailure,
  type NextAttempt,
  type NextAttemptInput,
} from './failurePolicy';
export { WebhookClient, type WebhookClientOptions, type HttpRequest, type HttpResponse } from './WebhookClient';
export { OAuthTokenCache, CLIENT_AUTH, type ClientAuth, type OAuthTokenCacheOptions, type TokenRequest } from './OAuthTokenCache';
export { LambdaInvoker, type LambdaInvokerOptions } from './LambdaInvoker';
export { loadLocalHandler, type LocalHandler, type LocalInvokeContext } from './loadLocalHandler';
export { deliver, type DeliveryDeps } from './deliver';
export { createDeliveryDeps, type DeliveryDepsOptions } from './createDeliveryDeps';
export * from './ledger';
