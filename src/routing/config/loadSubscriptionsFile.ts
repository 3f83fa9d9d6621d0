import { parseSubscriptionsConfig } from './parseSubscriptionsConfig';
import { parseJsonText } from './parseSubscriptionsFile';
import { resolveSubscriptionSecrets, type ResolveSecretRef } from './resolveSubscriptionSecrets';
import type { ParseSubscriptionsOptions, ParseSubscriptionsResult } from './types';

/** Options of {@link loadSubscriptionsFile}. */
export interface LoadSubscriptionsOptions extends Omit<ParseSubscriptionsOptions, 'secretValues'> {
  /** Resolves the file's secret references so their values are checked too. Absent: plain strings only. */
  resolveSecret?: ResolveSecretRef;
}

/**
 * The result, and whether some secret could not be resolved for a passing reason (throttling, a network
 * error): its value went unchecked, and a later load of the same text may find more.
 */
export type LoadSubscriptionsResult = ParseSubscriptionsResult & { unresolvedSecrets?: boolean };

/**
 * How the engine, the local file watcher and the CLI judge a subscriptions.json: the JSON, then
 * `parseSubscriptionsConfig` (schema, rules, `deliverabilityProblems`) with the values of the file's secret
 * references resolved first, so a reference to a malformed or missing secret is refused at load time, with
 * its path, like any other error. Never throws on any input.
 */
export async function loadSubscriptionsFile(text: string, options: LoadSubscriptionsOptions = {}): Promise<LoadSubscriptionsResult> {
  const { resolveSecret, ...parseOptions } = options;
  const parsed = parseJsonText(text);
  if ('error' in parsed) return { ok: false, errors: [parsed.error] };
  if (resolveSecret === undefined) return parseSubscriptionsConfig(parsed.json, parseOptions);
  const secretValues = await resolveSubscriptionSecrets(parsed.json, resolveSecret);
  const result = parseSubscriptionsConfig(parsed.json, { ...parseOptions, secretValues });
  const unresolvedSecrets = [...secretValues.values()].some((value) => 'error' in value && !value.definite);
  return unresolvedSecrets ? { ...result, unresolvedSecrets } : result;
}
