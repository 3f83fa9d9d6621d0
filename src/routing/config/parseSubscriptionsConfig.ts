import { checkSubscriptionRules } from './checkSubscriptionRules';
import { DEFAULT_MAX_SUBSCRIPTIONS } from './constants';
import { convertPageUpSubscriptions } from './convertPageUpSubscriptions';
import { deliverabilityProblems } from './deliverabilityProblems';
import type { PageUpSubscriptionJson, SubscriptionsFileJson } from './fileTypes';
import { normaliseSubscriptions } from './normaliseSubscriptions';
import type { ConfigError, ParseSubscriptionsOptions, ParseSubscriptionsResult } from './types';
import { validateSubscriptionsSchema } from './validateSubscriptionsSchema';

/**
 * Validates subscriptions.json (already parsed from JSON) and returns the normalised config, or every
 * problem with its JSON Pointer. Accepts the Switchyard format (`{ "subscriptions": [...] }`) and the PageUp
 * format (a top-level array), which is converted. Checks, in one pass: the JSON Schema, unique ids, the
 * matcher's checks of `types`, `subjects` and `filter`, and whether every subscription can ever deliver
 * (`deliverabilityProblems`: secrets, keys, URLs, headers, local functions). A file over `maxSubscriptions` gets a single error and is not checked further.
 * Never throws on any input.
 */
export function parseSubscriptionsConfig(json: unknown, options: ParseSubscriptionsOptions = {}): ParseSubscriptionsResult {
  const maxSubscriptions = options.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS;
  if (!Number.isInteger(maxSubscriptions) || maxSubscriptions < 0) {
    throw new RangeError(`maxSubscriptions must be a non-negative integer, got ${String(maxSubscriptions)}`);
  }
  const env = options.env ?? process.env;

  const tooMany = tooManyError(json, maxSubscriptions);
  if (tooMany) return { ok: false, errors: [tooMany] };

  const schemaErrors = validateSubscriptionsSchema(json);
  const ruleErrors = [
    ...(Array.isArray(json) ? [] : checkSubscriptionRules(json)),
    ...deliverabilityProblems(json, {
      env,
      requireHttps: options.requireHttps,
      allowPrivateNetworks: options.allowPrivateNetworks,
      allowedHosts: options.allowedHosts,
      secretValues: options.secretValues,
    }),
  ];
  // The rules assume a well-shaped value; where the schema already objected, its message is the one to read.
  const schemaPaths = new Set(schemaErrors.map((error) => error.path));
  const errors = [...schemaErrors, ...ruleErrors.filter((error) => !schemaPaths.has(error.path))];
  if (errors.length > 0) return { ok: false, errors: sortByPath(errors) };

  const file = Array.isArray(json)
    ? convertPageUpSubscriptions(json as PageUpSubscriptionJson[], env)
    : (json as SubscriptionsFileJson);
  return { ok: true, config: normaliseSubscriptions(file) };
}

/** Counted before anything else, so a huge file is refused without validating every entry. */
function tooManyError(json: unknown, max: number): ConfigError | undefined {
  const [list, path] = Array.isArray(json)
    ? [json, '']
    : [typeof json === 'object' && json !== null ? (json as Record<string, unknown>).subscriptions : undefined, '/subscriptions'];
  if (!Array.isArray(list) || list.length <= max) return undefined;
  return {
    path,
    message: `has ${list.length.toLocaleString('en-US')} subscriptions; at most ${max.toLocaleString('en-US')} are allowed (the engine's maxSubscriptions)`,
  };
}

/** Errors grouped by location (array indexes compared as numbers), so one subscription's problems sit together. */
function sortByPath(errors: ConfigError[]): ConfigError[] {
  const compare = (a: string, b: string): number => {
    const left = a.split('/');
    const right = b.split('/');
    for (let i = 0; i < Math.min(left.length, right.length); i++) {
      if (left[i] === right[i]) continue;
      const both = /^\d+$/.test(left[i]) && /^\d+$/.test(right[i]);
      return both ? Number(left[i]) - Number(right[i]) : left[i] < right[i] ? -1 : 1;
    }
    return left.length - right.length;
  };
  // Array.prototype.sort is stable: errors at one path keep their order.
  return [...errors].sort((a, b) => compare(a.path, b.path));
}
