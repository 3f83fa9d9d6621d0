import { DEFAULT_WEBHOOK_SECRET_ENV, LOCAL_LAMBDA_ARN, PAGEUP_TYPE } from './constants';
import { httpUrlProblem } from './httpUrlProblem';
import { pointerOf } from './jsonPointer';
import { webhookSecretProblem } from './secretShape';
import type { ConfigError } from './types';

/**
 * The custom step of the PageUp format (a top-level array): http(s) endpoints, a signing secret for
 * webhooks (from `SWITCHYARD_DEFAULT_WEBHOOK_SECRET`, since the format has no field for one) and no local
 * Lambda ARNs (the format has no `local.functions`). Reads defensively, like the Switchyard rules.
 */
export function checkPageUpRules(items: readonly unknown[], env: NodeJS.ProcessEnv): ConfigError[] {
  const errors: ConfigError[] = [];
  const unsignedWebhooks: string[] = [];
  let signsWithDefault = false;
  items.forEach((item, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return;
    const subscription = item as Record<string, unknown>;
    const path = pointerOf('', index);
    const urls: [unknown, string][] = [
      [subscription.Endpoint, pointerOf(path, 'Endpoint')],
      [(subscription.Auth as Record<string, unknown> | undefined)?.Endpoint, pointerOf(path, 'Auth', 'Endpoint')],
    ];
    for (const [url, at] of urls) {
      const problem = httpUrlProblem(url);
      if (problem) errors.push({ path: at, message: problem });
    }
    if (subscription.Type === PAGEUP_TYPE.webhook) unsignedWebhooks.push(path);
    if (subscription.Type === PAGEUP_TYPE.webhook || subscription.Type === PAGEUP_TYPE.authenticatedWebhook) signsWithDefault = true;
    const arn = subscription.LambdaArn;
    if (typeof arn === 'string' && LOCAL_LAMBDA_ARN.test(arn)) {
      errors.push({
        path: pointerOf(path, 'LambdaArn'),
        message: 'is a local function, which needs local.functions: use the Switchyard format ({ "subscriptions": [...] }) for it',
      });
    }
  });
  const secret = env[DEFAULT_WEBHOOK_SECRET_ENV];
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

function describeList(paths: string[]): string {
  const shown = paths.slice(0, 5).join(', ');
  const more = paths.length > 5 ? ` and ${paths.length - 5} more` : '';
  return `the Webhook subscription${paths.length === 1 ? '' : 's'} ${shown}${more}`;
}
