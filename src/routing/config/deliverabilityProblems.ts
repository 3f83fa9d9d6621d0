import { DEFAULT_WEBHOOK_SECRET_ENV, LOCAL_LAMBDA_ARN, PAGEUP_TYPE, RESERVED_WEBHOOK_HEADERS } from './constants';
import { pointerOf } from './jsonPointer';
import { isSecretReference, secretKeyOf, type ResolvedSecrets } from './resolvedSecrets';
import { jweKeyProblem, webhookSecretProblem } from './secretShape';
import { targetUrlProblem, type TargetUrlRules } from './targetUrlProblem';
import type { ConfigError } from './types';

/** What decides whether a subscription can ever deliver, beyond the file itself. */
export interface DeliverabilityOptions extends TargetUrlRules {
  /** Where the PageUp format's `SWITCHYARD_DEFAULT_WEBHOOK_SECRET` is read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * Values of the file's secret references (see `resolveSubscriptionSecrets`), so that a reference to a
   * malformed secret is refused like a malformed plain string. Absent: only plain strings are checked.
   */
  secretValues?: ResolvedSecrets;
}

type Json = Record<string, unknown>;

/** What one value must be to be usable. */
type SecretUse = 'webhookSecret' | 'jweKey' | 'passphrase';

/**
 * Can each subscription of this file ever deliver? Returns every reason it cannot, each with the JSON Pointer
 * of the value to fix and how to fix it; empty when every delivery can succeed as configured. These are the
 * failures the engine would otherwise only meet at delivery time and dead-letter at once:
 * - a webhook with no signing secret (neither its own nor `defaults.webhookSecret`; for the PageUp format,
 *   `SWITCHYARD_DEFAULT_WEBHOOK_SECRET` unset);
 * - a signing secret that is not a Standard Webhooks secret, an OAuth client secret or cryptr passphrase that
 *   is empty, a `jwe` key that is not 32 bytes: as plain strings, and once resolved when `secretValues` holds
 *   the values of `{ env }`, `{ secretsManager }` and `{ ssm }` references (a reference that definitely cannot
 *   be resolved, such as an unset variable, is refused too);
 * - `payload: "encrypted"` without `delivery.encryption`;
 * - a URL that is not http(s), plain http where https is required, a literal private address where the SSRF
 *   guard refuses it, or a host the stage's `allowedHosts` does not list;
 * - a header the bus sets itself, or a header value Node cannot send;
 * - a local Lambda ARN with no module in `local.functions`.
 * Reads the raw JSON of either format defensively: it runs beside the schema, on files with schema errors too.
 */
export function deliverabilityProblems(json: unknown, options: DeliverabilityOptions = {}): ConfigError[] {
  if (Array.isArray(json)) return pageUpProblems(json, options);
  const file = record(json);
  if (file === undefined) return [];
  const errors: ConfigError[] = [];
  const defaults = record(file.defaults);
  errors.push(...secretProblems(defaults?.webhookSecret, '/defaults/webhookSecret', 'webhookSecret', options));
  if (!Array.isArray(file.subscriptions)) return errors;
  file.subscriptions.forEach((item, index) => {
    const subscription = record(item);
    if (subscription !== undefined) errors.push(...subscriptionProblems(subscription, pointerOf('/subscriptions', index), file, options));
  });
  return errors;
}

function subscriptionProblems(subscription: Json, path: string, file: Json, options: DeliverabilityOptions): ConfigError[] {
  const errors: ConfigError[] = [];
  const target = record(subscription.target);
  const hasDefaultSecret = record(file.defaults)?.webhookSecret !== undefined;

  const webhook = record(target?.webhook);
  if (webhook !== undefined) {
    const at = pointerOf(path, 'target', 'webhook');
    if (webhook.secret === undefined && !hasDefaultSecret) {
      errors.push({
        path: pointerOf(at, 'secret'),
        message: 'is required: give the webhook a Standard Webhooks signing secret, or set defaults.webhookSecret',
      });
    }
    errors.push(...secretProblems(webhook.secret, pointerOf(at, 'secret'), 'webhookSecret', options));
    errors.push(...urlProblems([[webhook.url, pointerOf(at, 'url')]], options));
    errors.push(...headerProblems(webhook.headers, pointerOf(at, 'headers'), false));
  }

  const oauth = record(target?.oauthWebhook);
  if (oauth !== undefined) {
    const at = pointerOf(path, 'target', 'oauthWebhook');
    // No secret is fine: the bearer token authenticates the delivery, which then carries no signature.
    errors.push(...secretProblems(oauth.secret, pointerOf(at, 'secret'), 'webhookSecret', options));
    errors.push(...secretProblems(oauth.clientSecret, pointerOf(at, 'clientSecret'), 'passphrase', options));
    errors.push(...urlProblems([[oauth.url, pointerOf(at, 'url')], [oauth.tokenUrl, pointerOf(at, 'tokenUrl')]], options));
    errors.push(...headerProblems(oauth.headers, pointerOf(at, 'headers'), true));
  }

  const arn = record(target?.lambda)?.arn;
  const localName = typeof arn === 'string' ? LOCAL_LAMBDA_ARN.exec(arn)?.[1] : undefined;
  const functions = record(record(file.local)?.functions);
  if (localName !== undefined && !(functions && Object.hasOwn(functions, localName))) {
    errors.push({
      path: pointerOf(path, 'target', 'lambda', 'arn'),
      message: `is a local function, but local.functions has no "${localName}" module to run: add "${localName}": "./path/to/module.js" there`,
    });
  }

  const delivery = record(subscription.delivery);
  if (delivery?.payload === 'encrypted' && delivery.encryption === undefined) {
    errors.push({ path: pointerOf(path, 'delivery', 'encryption'), message: 'is required when payload is "encrypted": give { "format": "jwe" | "cryptr", "key": <secret> }' });
  }
  const encryption = record(delivery?.encryption);
  if (encryption !== undefined) {
    const use: SecretUse | undefined = (encryption.format ?? 'jwe') === 'jwe' ? 'jweKey' : encryption.format === 'cryptr' ? 'passphrase' : undefined;
    if (use !== undefined) errors.push(...secretProblems(encryption.key, pointerOf(path, 'delivery', 'encryption', 'key'), use, options));
  }
  return errors;
}

/** The PageUp format (a top-level array): http(s) endpoints, a default signing secret for webhooks, no local ARNs. */
function pageUpProblems(items: readonly unknown[], options: DeliverabilityOptions): ConfigError[] {
  const errors: ConfigError[] = [];
  const unsignedWebhooks: string[] = [];
  let signsWithDefault = false;
  items.forEach((item, index) => {
    const subscription = record(item);
    if (subscription === undefined) return;
    const path = pointerOf('', index);
    errors.push(
      ...urlProblems(
        [
          [subscription.Endpoint, pointerOf(path, 'Endpoint')],
          [record(subscription.Auth)?.Endpoint, pointerOf(path, 'Auth', 'Endpoint')],
        ],
        options,
      ),
    );
    if (subscription.Type === PAGEUP_TYPE.webhook) unsignedWebhooks.push(path);
    if (subscription.Type === PAGEUP_TYPE.webhook || subscription.Type === PAGEUP_TYPE.authenticatedWebhook) signsWithDefault = true;
    if (subscription.Type === PAGEUP_TYPE.authenticatedWebhook) {
      errors.push(...secretProblems(record(subscription.Auth)?.ClientSecret, pointerOf(path, 'Auth', 'ClientSecret'), 'passphrase', options));
    }
    const arn = subscription.LambdaArn;
    if (typeof arn === 'string' && LOCAL_LAMBDA_ARN.test(arn)) {
      errors.push({
        path: pointerOf(path, 'LambdaArn'),
        message: 'is a local function, which needs local.functions: use the Switchyard format ({ "subscriptions": [...] }) for it',
      });
    }
  });
  const secret = (options.env ?? process.env)[DEFAULT_WEBHOOK_SECRET_ENV];
  if (secret === undefined || secret === '') {
    // One error for the file, not one per webhook: the fix is one environment variable.
    if (unsignedWebhooks.length > 0) {
      errors.push({
        path: '',
        message: `${describeList(unsignedWebhooks)} need${unsignedWebhooks.length === 1 ? 's' : ''} a signing secret: set the environment variable ${DEFAULT_WEBHOOK_SECRET_ENV} (the PageUp format has no field for one)`,
      });
    }
  } else if (signsWithDefault) {
    const problem = webhookSecretProblem(secret);
    if (problem) errors.push({ path: '', message: `the environment variable ${DEFAULT_WEBHOOK_SECRET_ENV} ${problem}` });
  }
  return errors;
}

/**
 * Problems of a secret value (one, or a rotation list) for its use: plain strings always, references when
 * their resolved value is known. Empty strings and wrong shapes are the schema's to report.
 */
function secretProblems(secret: unknown, path: string, use: SecretUse, options: DeliverabilityOptions): ConfigError[] {
  const entries: [unknown, string][] = Array.isArray(secret) ? secret.map((item, index) => [item, pointerOf(path, index)]) : [[secret, path]];
  return entries.flatMap(([ref, at]): ConfigError[] => {
    let value: string;
    let origin = '';
    if (typeof ref === 'string') {
      if (ref === '') return [];
      value = ref;
    } else if (isSecretReference(ref)) {
      const resolved = options.secretValues?.get(secretKeyOf(ref));
      if (resolved === undefined) return [];
      if ('error' in resolved) {
        return resolved.definite ? [{ path: at, message: `${resolved.error}: create it or fix the reference, then save or upload the file again` }] : [];
      }
      value = resolved.value;
      origin = `resolves to a value that `;
    } else {
      return [];
    }
    const problem = valueProblem(value, use);
    return problem ? [{ path: at, message: `${origin}${problem}` }] : [];
  });
}

function valueProblem(value: string, use: SecretUse): string | undefined {
  switch (use) {
    case 'webhookSecret':
      return webhookSecretProblem(value);
    case 'jweKey':
      return jweKeyProblem(value);
    case 'passphrase':
      return value === '' ? 'must not be empty' : undefined;
  }
}

function urlProblems(urls: [unknown, string][], rules: TargetUrlRules): ConfigError[] {
  return urls.flatMap(([url, at]) => {
    const problem = targetUrlProblem(url, rules);
    return problem ? [{ path: at, message: problem }] : [];
  });
}

// Node refuses to send a header value with characters outside tab, visible ASCII and Latin-1.
const UNSENDABLE_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/** Headers the bus sets itself cannot be replaced (the signature would no longer match, or the token be lost). */
function headerProblems(headers: unknown, path: string, oauth: boolean): ConfigError[] {
  return Object.entries(record(headers) ?? {}).flatMap(([name, value]): ConfigError[] => {
    const lower = name.toLowerCase();
    if (RESERVED_WEBHOOK_HEADERS.has(lower) || (oauth && lower === 'authorization')) {
      return [{ path: pointerOf(path, name), message: 'is set by the bus on every delivery and cannot be given here: remove it' }];
    }
    if (typeof value === 'string' && UNSENDABLE_HEADER_VALUE.test(value)) {
      return [{ path: pointerOf(path, name), message: 'has a character no HTTP header can carry (a line break, control or non-Latin-1 character): remove it' }];
    }
    return [];
  });
}

function describeList(paths: string[]): string {
  const shown = paths.slice(0, 5).join(', ');
  const more = paths.length > 5 ? ` and ${paths.length - 5} more` : '';
  return `the Webhook subscription${paths.length === 1 ? '' : 's'} ${shown}${more}`;
}

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}
