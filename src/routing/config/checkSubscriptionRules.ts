import { validatePattern } from '../validatePattern';
import { validateSubjectPattern } from '../validateSubjectPattern';
import { LOCAL_LAMBDA_ARN, RESERVED_WEBHOOK_HEADERS } from './constants';
import { httpUrlProblem } from './httpUrlProblem';
import { matcherPathToPointer, pointerOf } from './jsonPointer';
import { jweKeyProblem, webhookSecretProblem } from './secretShape';
import type { ConfigError } from './types';

type Json = Record<string, unknown>;

/** What a rule sees: one subscription (possibly malformed; the schema reports shape errors) and the file. */
interface RuleContext {
  subscription: Json;
  /** JSON Pointer of the subscription, `/subscriptions/3`. */
  path: string;
  file: Json;
}

/** A cross-field rule: the problems it finds, each with its path. */
type SubscriptionRule = (context: RuleContext) => ConfigError[];

/**
 * The rules of the Switchyard format that the schema cannot express. Each reads defensively, since it also
 * runs on files with schema errors (every error is reported in one pass).
 */
const SUBSCRIPTION_RULES: readonly SubscriptionRule[] = [
  // An encrypted payload needs a key shared with the subscriber.
  ({ subscription, path }) => {
    const delivery = record(subscription.delivery);
    return delivery?.payload === 'encrypted' && delivery.encryption === undefined
      ? [{ path: pointerOf(path, 'delivery', 'encryption'), message: 'is required when payload is "encrypted"' }]
      : [];
  },
  // A plain `jwe` key must be 32 bytes, or every delivery would fail to encrypt.
  ({ subscription, path }) => {
    const encryption = record(record(subscription.delivery)?.encryption);
    const problem =
      typeof encryption?.key === 'string' && (encryption.format ?? 'jwe') === 'jwe' && encryption.key !== ''
        ? jweKeyProblem(encryption.key)
        : undefined;
    return problem ? [{ path: pointerOf(path, 'delivery', 'encryption', 'key'), message: problem }] : [];
  },
  // Every webhook delivery is signed, so a webhook needs a secret: its own or the file's default.
  ({ subscription, path, file }) => {
    const webhook = record(record(subscription.target)?.webhook);
    const hasDefault = record(file.defaults)?.webhookSecret !== undefined;
    return webhook !== undefined && webhook.secret === undefined && !hasDefault
      ? [
          {
            path: pointerOf(path, 'target', 'webhook', 'secret'),
            message: 'is required: give the webhook a Standard Webhooks signing secret, or set defaults.webhookSecret',
          },
        ]
      : [];
  },
  // Plain-string signing secrets must be usable by Standard Webhooks.
  ({ subscription, path }) => {
    const target = record(subscription.target);
    return (['webhook', 'oauthWebhook'] as const).flatMap((kind) =>
      secretProblems(record(target?.[kind])?.secret, pointerOf(path, 'target', kind, 'secret')),
    );
  },
  // Webhook URLs must be http(s); the schema's `uri` format admits any scheme.
  ({ subscription, path }) => {
    const target = record(subscription.target);
    const urls: [unknown, string][] = [
      [record(target?.webhook)?.url, pointerOf(path, 'target', 'webhook', 'url')],
      [record(target?.oauthWebhook)?.url, pointerOf(path, 'target', 'oauthWebhook', 'url')],
      [record(target?.oauthWebhook)?.tokenUrl, pointerOf(path, 'target', 'oauthWebhook', 'tokenUrl')],
    ];
    return urls.flatMap(([url, at]) => {
      const problem = httpUrlProblem(url);
      return problem ? [{ path: at, message: problem }] : [];
    });
  },
  // Headers the bus sets itself cannot be replaced (the signature would no longer match, or the token be lost).
  ({ subscription, path }) => {
    const target = record(subscription.target);
    return (['webhook', 'oauthWebhook'] as const).flatMap((kind) => {
      const headers = record(record(target?.[kind])?.headers) ?? {};
      return Object.keys(headers)
        .filter((name) => RESERVED_WEBHOOK_HEADERS.has(name.toLowerCase()) || (kind === 'oauthWebhook' && name.toLowerCase() === 'authorization'))
        .map((name) => ({
          path: pointerOf(path, 'target', kind, 'headers', name),
          message: 'is set by the bus on every delivery and cannot be given here',
        }));
    });
  },
  // A local Lambda ARN runs a module of `local.functions`, which must exist.
  ({ subscription, path, file }) => {
    const arn = record(record(subscription.target)?.lambda)?.arn;
    const name = typeof arn === 'string' ? LOCAL_LAMBDA_ARN.exec(arn)?.[1] : undefined;
    const functions = record(record(file.local)?.functions);
    return name !== undefined && !(functions && Object.hasOwn(functions, name))
      ? [
          {
            path: pointerOf(path, 'target', 'lambda', 'arn'),
            message: `is a local function, but local.functions has no "${name}" module to run`,
          },
        ]
      : [];
  },
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
 * The custom step of the Switchyard format: cross-field rules, unique ids and the matcher's pattern checks,
 * over a file that may also have schema errors. Returns every problem found.
 */
export function checkSubscriptionRules(json: unknown): ConfigError[] {
  const file = record(json);
  if (file === undefined) return [];
  const errors: ConfigError[] = secretProblems(record(file.defaults)?.webhookSecret, '/defaults/webhookSecret');
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
    for (const rule of SUBSCRIPTION_RULES) errors.push(...rule({ subscription, path, file }));
  });
  return errors;
}

/** Problems of the plain-string webhook secrets in a `secret` value (one secret or a list). */
function secretProblems(secret: unknown, path: string): ConfigError[] {
  const entries: [unknown, string][] = Array.isArray(secret) ? secret.map((item, index) => [item, pointerOf(path, index)]) : [[secret, path]];
  return entries.flatMap(([value, at]) => {
    // Empty strings are the schema's to report ("must not be empty").
    const problem = typeof value === 'string' && value !== '' ? webhookSecretProblem(value) : undefined;
    return problem ? [{ path: at, message: problem }] : [];
  });
}

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}
