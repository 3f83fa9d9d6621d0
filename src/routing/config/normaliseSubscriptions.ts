import type { DeliveryOptions, SecretRef, Subscription, SubscriptionTarget, SubscriptionsConfig } from '../subscriptionTypes';
import { DEFAULT_ENCRYPTION_FORMAT, DEFAULT_INVOCATION_TYPE, DELIVERY_DEFAULTS } from './constants';
import type { DeliveryJson, SubscriptionJson, SubscriptionsFileJson, TargetJson, WebhookJson } from './fileTypes';

/**
 * Turns a valid file into the `SubscriptionsConfig` the matcher, engine and delivery share: defaults applied
 * (those documented in subscriptionTypes.ts), secrets as lists, `defaults.webhookSecret` filled in, notes
 * dropped. Everything is copied, so later changes to the input cannot reach the config.
 */
export function normaliseSubscriptions(file: SubscriptionsFileJson): SubscriptionsConfig {
  const defaultSecrets = file.defaults?.webhookSecret === undefined ? [] : secretList(file.defaults.webhookSecret);
  const config: SubscriptionsConfig = {
    subscriptions: file.subscriptions.map((subscription) => normaliseSubscription(subscription, defaultSecrets)),
  };
  if (file.local !== undefined) config.local = { functions: Object.fromEntries(Object.entries(file.local.functions)) };
  return config;
}

function normaliseSubscription(subscription: SubscriptionJson, defaultSecrets: SecretRef[]): Subscription {
  return {
    id: subscription.id,
    ...(subscription.types ? { types: [...subscription.types] } : {}),
    ...(subscription.subjects ? { subjects: [...subscription.subjects] } : {}),
    ...(subscription.filter ? { filter: structuredClone(subscription.filter) } : {}),
    target: normaliseTarget(subscription.target, defaultSecrets),
    delivery: normaliseDelivery(subscription.delivery ?? {}),
  };
}

function normaliseTarget(target: TargetJson, defaultSecrets: SecretRef[]): SubscriptionTarget {
  if (target.webhook) return { kind: 'webhook', webhook: webhookOf(target.webhook, defaultSecrets) };
  if (target.oauthWebhook) {
    const { tokenUrl, clientId, clientSecret, scope } = target.oauthWebhook;
    return {
      kind: 'oauthWebhook',
      oauthWebhook: {
        ...webhookOf(target.oauthWebhook, defaultSecrets),
        tokenUrl,
        clientId,
        clientSecret: copySecret(clientSecret),
        ...(scope !== undefined ? { scope } : {}),
      },
    };
  }
  const lambda = target.lambda as NonNullable<TargetJson['lambda']>;
  return { kind: 'lambda', lambda: { arn: lambda.arn, invocationType: lambda.invocationType ?? DEFAULT_INVOCATION_TYPE } };
}

/**
 * An OAuth webhook may end up with no secret (the bearer token authenticates it; delivery then sends no
 * `webhook-signature`); a plain webhook never does, the rules refuse that.
 */
function webhookOf(webhook: WebhookJson, defaultSecrets: SecretRef[]) {
  return {
    url: webhook.url,
    secrets: webhook.secret === undefined ? defaultSecrets.map(copySecret) : secretList(webhook.secret),
    ...(webhook.headers ? { headers: Object.fromEntries(Object.entries(webhook.headers)) } : {}),
  };
}

function normaliseDelivery(delivery: DeliveryJson): DeliveryOptions {
  const options: DeliveryOptions = {
    ordered: delivery.ordered ?? DELIVERY_DEFAULTS.ordered,
    payload: delivery.payload ?? DELIVERY_DEFAULTS.payload,
    mode: delivery.mode ?? DELIVERY_DEFAULTS.mode,
    maxAttempts: delivery.maxAttempts ?? DELIVERY_DEFAULTS.maxAttempts,
    timeoutSeconds: delivery.timeoutSeconds ?? DELIVERY_DEFAULTS.timeoutSeconds,
    concurrency: delivery.concurrency ?? DELIVERY_DEFAULTS.concurrency,
  };
  if (delivery.encryption) {
    options.encryption = { format: delivery.encryption.format ?? DEFAULT_ENCRYPTION_FORMAT, key: copySecret(delivery.encryption.key) };
  }
  if (delivery.ratePerSecond !== undefined) options.ratePerSecond = delivery.ratePerSecond;
  return options;
}

function secretList(secret: SecretRef | SecretRef[]): SecretRef[] {
  return (Array.isArray(secret) ? secret : [secret]).map(copySecret);
}

function copySecret(secret: SecretRef): SecretRef {
  return typeof secret === 'string' ? secret : { ...secret };
}
