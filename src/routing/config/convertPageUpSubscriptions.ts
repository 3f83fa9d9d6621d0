import { createHash } from 'node:crypto';
import type { SecretRef } from '../subscriptionTypes';
import { validateSubjectPattern } from '../validateSubjectPattern';
import { DEFAULT_WEBHOOK_SECRET_ENV, PAGEUP_ANY_EVENT, PAGEUP_OAUTH_SCOPE, PAGEUP_TYPE } from './constants';
import type { PageUpSubscriptionJson, SubscriptionJson, SubscriptionsFileJson, TargetJson } from './fileTypes';

/**
 * Converts a valid PageUp EventSystem file (a top-level array of `{ Type, Endpoint, BusinessEvent, Auth,
 * LambdaArn }`) into the Switchyard format, as PageUp's engine read it:
 * - `BusinessEvent` matches the CloudEvent `type` exactly (PageUp compared it with `==` to the MessageType);
 *   `*` matches every type.
 * - `AuthenticatedWebhook` gets a token with the client-credentials grant from `Auth.Endpoint`, with the
 *   scope PageUp always requested (`Subscription.Notify`).
 * - `Lambda` is invoked asynchronously (`Event`).
 * - Webhooks are signed with `{ env: SWITCHYARD_DEFAULT_WEBHOOK_SECRET }` when that variable is set (the
 *   caller has refused the file if a plain `Webhook` would have no secret).
 * Ids are derived from the entry's content, so they stay the same when other entries are added or removed.
 */
export function convertPageUpSubscriptions(items: readonly PageUpSubscriptionJson[], env: NodeJS.ProcessEnv): SubscriptionsFileJson {
  const secretSet = (env[DEFAULT_WEBHOOK_SECRET_ENV] ?? '') !== '';
  const secret: SecretRef | undefined = secretSet ? { env: DEFAULT_WEBHOOK_SECRET_ENV } : undefined;
  const used = new Map<string, number>();
  const subscriptions = items.map((item): SubscriptionJson => {
    const base = pageUpId(item);
    // Identical entries (PageUp delivered each of them) keep distinct ids.
    const count = (used.get(base) ?? 0) + 1;
    used.set(base, count);
    return {
      id: count === 1 ? base : `${base}-${count}`,
      ...matchOf(item.BusinessEvent),
      target: targetOf(item, secret),
    };
  });
  return { subscriptions };
}

/** `types` when the event name is a plain NATS subject (faster to match), else an exact `filter` on `type`. */
function matchOf(businessEvent: string): Pick<SubscriptionJson, 'types' | 'filter'> {
  if (businessEvent === PAGEUP_ANY_EVENT) return {};
  const tokens = businessEvent.split('.');
  const plain = validateSubjectPattern(businessEvent) === undefined && !tokens.some((token) => token === '*' || token === '>');
  return plain ? { types: [businessEvent] } : { filter: { type: [businessEvent] } };
}

function targetOf(item: PageUpSubscriptionJson, secret: SecretRef | undefined): TargetJson {
  switch (item.Type) {
    case PAGEUP_TYPE.webhook:
      return { webhook: { url: item.Endpoint as string, ...(secret ? { secret } : {}) } };
    case PAGEUP_TYPE.authenticatedWebhook: {
      const auth = item.Auth as NonNullable<PageUpSubscriptionJson['Auth']>;
      return {
        oauthWebhook: {
          url: item.Endpoint as string,
          tokenUrl: auth.Endpoint,
          clientId: auth.ClientId,
          clientSecret: auth.ClientSecret,
          scope: PAGEUP_OAUTH_SCOPE,
          ...(secret ? { secret } : {}),
        },
      };
    }
    case PAGEUP_TYPE.lambda:
      return { lambda: { arn: item.LambdaArn as string, invocationType: 'Event' } };
  }
}

/** `pageup-<type>-<12 hex>` from what identifies the subscription (not its client secret). */
function pageUpId(item: PageUpSubscriptionJson): string {
  const identity = JSON.stringify([item.Type, item.BusinessEvent, item.Endpoint ?? null, item.LambdaArn ?? null, item.Auth?.Endpoint ?? null, item.Auth?.ClientId ?? null]);
  return `pageup-${item.Type.toLowerCase()}-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}
