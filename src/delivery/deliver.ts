import { performance } from 'node:perf_hooks';
import type { CloudEventJson } from '../events/types';
import { TARGET_KIND, type DeliveryOptions, type OAuthWebhookTarget, type SecretRef, type Subscription, type WebhookTarget } from '../routing/subscriptionTypes';
import { buildWebhookRequest } from './buildWebhookRequest';
import { DEFAULT_TIMEOUT_MS } from './constants';
import { errorMessage } from './errorMessage';
import { DeliveryError, WebhookSecretError } from './errors';
import { failureOutcome } from './failurePolicy';
import type { LambdaInvoker } from './LambdaInvoker';
import type { OAuthTokenCache, TokenRequest } from './OAuthTokenCache';
import { redact } from './redact';
import { shapePayload } from './shapePayload';
import { FAILURE_REASON, OUTCOME, type DeliveryOutcome, type ResolveSecret } from './types';
import type { WebhookClient } from './WebhookClient';

/** What `deliver` works with; build once per process (createDeliveryDeps) and share. */
export interface DeliveryDeps {
  /** Resolves the subscription's secrets (signing secrets, client secret, encryption key). */
  resolveSecret: ResolveSecret;
  webhooks: WebhookClient;
  tokens: OAuthTokenCache;
  lambdas: LambdaInvoker;
  /** Clock of `webhook-timestamp`. @default Date.now */
  now?: () => number;
}

/**
 * Delivers one event to one subscription, once: shapes the payload, then POSTs the webhook (signed; with a
 * bearer token for an OAuth webhook, renewed once on a 401) or invokes the Lambda. The engine reads the
 * outcome: `delivered`, `retry` (after `retryAfterMs` when set), `disable` (410) or `deadLetter` (cannot succeed
 * as configured). Never throws for a target's or a configuration's fault; messages hold no secret or token.
 */
export async function deliver(event: CloudEventJson, subscription: Subscription, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  const started = performance.now();
  // Every secret value seen, so that whatever a receiver or endpoint echoes back is scrubbed.
  const secrets: string[] = [];
  const resolve = async (ref: SecretRef, what: string): Promise<string> => {
    let value: string;
    try {
      value = await deps.resolveSecret(ref);
    } catch (error) {
      throw new DeliveryError(`could not resolve ${what}: ${errorMessage(error)}`, FAILURE_REASON.secret, true, { cause: error });
    }
    secrets.push(value);
    return value;
  };
  let outcome: DeliveryOutcome;
  try {
    const shaped = await shapePayload(event, subscription.delivery, (ref) => resolve(ref, 'delivery.encryption.key'));
    const timeoutMs = timeoutOf(subscription.delivery);
    const target = subscription.target;
    switch (target.kind) {
      case TARGET_KIND.webhook:
        outcome = await postWebhook(shaped, target.webhook, subscription.delivery, timeoutMs, deps, resolve);
        break;
      case TARGET_KIND.oauthWebhook:
        outcome = await postOAuthWebhook(shaped, target.oauthWebhook, subscription.delivery, timeoutMs, deps, resolve, secrets);
        break;
      case TARGET_KIND.lambda:
        outcome = await deps.lambdas.invoke(target.lambda, shaped, timeoutMs);
        break;
      default:
        throw new DeliveryError(`unknown target kind "${String((target as { kind?: unknown }).kind)}"`, FAILURE_REASON.invalidTarget, false);
    }
  } catch (error) {
    outcome = failureOutcome(error, 0);
  }
  const durationMs = Math.round(performance.now() - started);
  return 'error' in outcome ? { ...outcome, error: redact(outcome.error, secrets), durationMs } : { ...outcome, durationMs };
}

type Resolve = (ref: SecretRef, what: string) => Promise<string>;

function timeoutOf(delivery: DeliveryOptions): number {
  const seconds = delivery.timeoutSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_TIMEOUT_MS;
}

/** The request to send: signed with every secret of the target (none: an OAuth webhook's unsigned request). */
async function signedRequest(event: CloudEventJson, target: WebhookTarget, delivery: DeliveryOptions, deps: DeliveryDeps, resolve: Resolve) {
  const secrets = await Promise.all(target.secrets.map((ref, index) => resolve(ref, `webhook secret #${index + 1}`)));
  return buildWebhookRequest({
    event,
    mode: delivery.mode,
    secrets,
    headers: target.headers,
    timestamp: new Date((deps.now ?? Date.now)()),
  });
}

async function postWebhook(
  event: CloudEventJson,
  target: WebhookTarget,
  delivery: DeliveryOptions,
  timeoutMs: number,
  deps: DeliveryDeps,
  resolve: Resolve,
): Promise<DeliveryOutcome> {
  // The file's checks refuse a plain webhook without a secret; this guards a config built by hand.
  if (target.secrets.length === 0) throw new WebhookSecretError('a webhook needs at least one signing secret (target.webhook.secret or defaults.webhookSecret)');
  const request = await signedRequest(event, target, delivery, deps, resolve);
  return deps.webhooks.post({ url: target.url, headers: request.headers, body: request.body, timeoutMs });
}

async function postOAuthWebhook(
  event: CloudEventJson,
  target: OAuthWebhookTarget,
  delivery: DeliveryOptions,
  timeoutMs: number,
  deps: DeliveryDeps,
  resolve: Resolve,
  secrets: string[],
): Promise<DeliveryOutcome> {
  const tokenRequest: TokenRequest = {
    tokenUrl: target.tokenUrl,
    clientId: target.clientId,
    clientSecret: await resolve(target.clientSecret, 'the OAuth client secret'),
    ...(target.scope !== undefined ? { scope: target.scope } : {}),
  };
  // Built once: the retry after a 401 sends the same bytes with the same webhook-id. Signed when the target
  // has secrets; otherwise the bearer token alone authenticates it (no webhook-signature header).
  const request = await signedRequest(event, target, delivery, deps, resolve);
  const send = async (): Promise<{ token: string; outcome: DeliveryOutcome }> => {
    const token = await deps.tokens.getToken(tokenRequest);
    secrets.push(token);
    const outcome = await deps.webhooks.post({
      url: target.url,
      headers: { ...request.headers, authorization: `Bearer ${token}` },
      body: request.body,
      timeoutMs,
    });
    return { token, outcome };
  };
  const first = await send();
  if (!isUnauthorized(first.outcome)) return first.outcome;
  // The receiver refused the token (revoked, rotated keys): renew it once and try again.
  deps.tokens.invalidate(tokenRequest, first.token);
  const second = await send();
  if (!isUnauthorized(second.outcome)) return second.outcome;
  return {
    kind: OUTCOME.retry,
    status: 401,
    reason: FAILURE_REASON.unauthorized,
    error: 'receiver answered 401 Unauthorized again after the OAuth token was renewed',
    durationMs: second.outcome.durationMs,
  };
}

function isUnauthorized(outcome: DeliveryOutcome): boolean {
  return outcome.kind === OUTCOME.retry && outcome.status === 401;
}
