import type { SecretRef } from '../subscriptionTypes';

/**
 * A secret reference as it may appear in logs and errors: `{"env":"BILLING_WHSEC"}`, or `a plain-string
 * secret` for an inline value, which is never shown.
 */
export function describeSecretRef(ref: SecretRef): string {
  return typeof ref === 'string' ? 'a plain-string secret' : JSON.stringify(ref);
}
