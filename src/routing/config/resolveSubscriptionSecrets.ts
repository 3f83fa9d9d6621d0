import type { SecretRef } from '../subscriptionTypes';
import { describeSecretRef } from './describeSecretRef';
import { SecretResolutionError } from './errors';
import { SecretResolver } from './SecretResolver';
import { isSecretReference, secretKeyOf, type ResolvedSecret } from './resolvedSecrets';

/** Resolves one reference (the engine's `SecretResolver.resolve`). */
export type ResolveSecretRef = (ref: SecretRef) => Promise<string>;

// AWS errors that say "try later", whatever their status.
const TRANSIENT_ERROR_NAMES = /Throttl|TooManyRequests|RequestLimitExceeded|InternalServ|ServiceUnavailable|Timeout/i;

/**
 * Resolves every secret reference of a subscriptions.json (either format, possibly malformed), once each, so
 * that `deliverabilityProblems` can check the values for their use. A failure is recorded as definite when
 * retrying cannot help (an unset variable, a missing secret or parameter, access denied, a missing JSON key)
 * and as transient otherwise (throttling, a network or service error), in which case the file is not refused
 * for it: delivery resolves the secret again and retries.
 */
export async function resolveSubscriptionSecrets(json: unknown, resolve: ResolveSecretRef): Promise<Map<string, ResolvedSecret>> {
  const refs = new Map<string, Exclude<SecretRef, string>>();
  for (const ref of referencesOf(json)) refs.set(secretKeyOf(ref), ref);
  const resolved = new Map<string, ResolvedSecret>();
  await Promise.all(
    [...refs].map(async ([key, ref]) => {
      try {
        resolved.set(key, { value: await resolve(ref) });
      } catch (error) {
        const message = error instanceof SecretResolutionError ? error.message : `secret ${describeSecretRef(ref)} could not be resolved`;
        resolved.set(key, { error: message, definite: isDefinite(error) });
      }
    }),
  );
  return resolved;
}

function isDefinite(error: unknown): boolean {
  if (!(error instanceof SecretResolutionError)) return false;
  const cause = error.cause as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  // No AWS cause: an unset variable, a secret without the JSON key, an empty value, a malformed reference.
  if (cause === undefined) return true;
  const status = cause.$metadata?.httpStatusCode;
  if (status === undefined || status >= 500 || status === 429) return false;
  return !TRANSIENT_ERROR_NAMES.test(cause.name ?? '');
}

/** Every `{ env }`, `{ secretsManager }` and `{ ssm }` reference in the places a secret may be given. */
function referencesOf(json: unknown): Exclude<SecretRef, string>[] {
  const values: unknown[] = [];
  if (Array.isArray(json)) {
    for (const item of json) values.push(record(record(item)?.Auth)?.ClientSecret);
  } else {
    const file = record(json);
    values.push(record(file?.defaults)?.webhookSecret);
    for (const item of Array.isArray(file?.subscriptions) ? file.subscriptions : []) {
      const subscription = record(item);
      const target = record(subscription?.target);
      values.push(record(target?.webhook)?.secret, record(target?.oauthWebhook)?.secret, record(target?.oauthWebhook)?.clientSecret);
      values.push(record(record(subscription?.delivery)?.encryption)?.key);
    }
  }
  return values.flatMap((value) => (Array.isArray(value) ? value : [value])).filter(isSecretReference);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * A resolver for checking a file away from the router (the local watcher, the CLI): `{ env }` references from
 * `env`, and `{ secretsManager }` / `{ ssm }` ones only when `awsSecrets` allows reaching AWS; the others fail
 * with an error that is not a resolution error, so their values are left unchecked rather than refused.
 */
export function checkingSecretResolver(env: NodeJS.ProcessEnv, options: { awsSecrets?: boolean } = {}): ResolveSecretRef {
  const resolver = new SecretResolver({ env });
  return async (ref) => {
    if (typeof ref === 'object' && !('env' in ref) && !options.awsSecrets) throw new Error('not resolved here');
    return resolver.resolve(ref);
  };
}
