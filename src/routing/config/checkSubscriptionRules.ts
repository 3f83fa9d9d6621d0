import { validatePattern } from '../validatePattern';
import { validateSubjectPattern } from '../validateSubjectPattern';
import { matcherPathToPointer, pointerOf } from './jsonPointer';
import type { ConfigError } from './types';

type Json = Record<string, unknown>;

/** What a rule sees: one subscription (possibly malformed; the schema reports shape errors). */
interface RuleContext {
  subscription: Json;
  /** JSON Pointer of the subscription, `/subscriptions/3`. */
  path: string;
}

/** A cross-field rule: the problems it finds, each with its path. */
type SubscriptionRule = (context: RuleContext) => ConfigError[];

/**
 * The rules of the Switchyard format that the schema cannot express, apart from whether a subscription can
 * deliver (`deliverabilityProblems`). Each reads defensively, since it also runs on files with schema errors
 * (every error is reported in one pass).
 */
const SUBSCRIPTION_RULES: readonly SubscriptionRule[] = [
  // `types` and `subjects` are NATS-style patterns, `filter` an EventBridge pattern: the matcher's own checks.
  ({ subscription, path }) =>
    (['types', 'subjects'] as const).flatMap((field) => {
      const patterns = subscription[field];
      if (!Array.isArray(patterns)) return [];
      return patterns.flatMap((pattern, index) => {
        // Non-strings and empty strings are the schema's to report.
        const problem = typeof pattern === 'string' && pattern !== '' ? validateSubjectPattern(pattern) : undefined;
        return problem ? [{ path: pointerOf(path, field, index), message: problem }] : [];
      });
    }),
  ({ subscription, path }) => {
    const filter = record(subscription.filter);
    if (filter === undefined) return [];
    const base = pointerOf(path, 'filter');
    return validatePattern(filter, '').map((error) => ({ path: matcherPathToPointer(base, error.path), message: error.message }));
  },
];

/**
 * The custom step of the Switchyard format: unique ids and the matcher's checks of `types`, `subjects` and
 * `filter`, over a file that may also have schema errors. Returns every problem found.
 */
export function checkSubscriptionRules(json: unknown): ConfigError[] {
  const file = record(json);
  if (file === undefined) return [];
  const errors: ConfigError[] = [];
  if (!Array.isArray(file.subscriptions)) return errors;
  const firstIndexOfId = new Map<string, number>();
  file.subscriptions.forEach((item, index) => {
    const subscription = record(item);
    if (subscription === undefined) return;
    const path = pointerOf('/subscriptions', index);
    const { id } = subscription;
    if (typeof id === 'string') {
      const first = firstIndexOfId.get(id);
      if (first === undefined) firstIndexOfId.set(id, index);
      else errors.push({ path: pointerOf(path, 'id'), message: `${JSON.stringify(id)} is already the id of /subscriptions/${first}; ids must be unique` });
    }
    for (const rule of SUBSCRIPTION_RULES) errors.push(...rule({ subscription, path }));
  });
  return errors;
}

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}
