import type { DeliveryOptions, Subscription, SubscriptionTarget } from '../../../../src/routing/subscriptionTypes';

/** Delivery options as the loader normalises them. */
export function deliveryOptions(overrides: Partial<DeliveryOptions> = {}): DeliveryOptions {
  return { ordered: false, payload: 'full', mode: 'structured', maxAttempts: 12, timeoutSeconds: 15, concurrency: 16, ...overrides };
}

export function subscription(target: SubscriptionTarget, delivery: Partial<DeliveryOptions> = {}): Subscription {
  return { id: `sub-${target.kind}`, target, delivery: deliveryOptions(delivery) };
}

/** Secrets by name, resolved as `{ env: NAME }` or a plain string. */
export function secretResolver(secrets: Record<string, string>) {
  return async (ref: string | { env: string } | { secretsManager: string } | { ssm: string }): Promise<string> => {
    if (typeof ref === 'string') return ref;
    const name = 'env' in ref ? ref.env : 'secretsManager' in ref ? ref.secretsManager : ref.ssm;
    const value = secrets[name];
    if (value === undefined) throw new Error(`secret ${name} is not set`);
    return value;
  };
}
