import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_WEBHOOK_SECRET_ENV } from '../../routing/config/constants';
import { loadSubscriptionsFile } from '../../routing/config/loadSubscriptionsFile';
import { checkingSecretResolver } from '../../routing/config/resolveSubscriptionSecrets';
import type { SubscriptionsConfig } from '../../routing/subscriptionTypes';
import { CliError } from '../errors';
import type { CliContext } from '../types';

/** A subscriptions file that passed the engine's checks. */
export interface LoadedSubscriptions {
  /** The file as read. */
  text: string;
  config: SubscriptionsConfig;
  /** JSON Pointer of the entry each subscription came from (`/subscriptions/2`, or `/2` in the PageUp format). */
  pointers: string[];
  /** The file is in the PageUp format (a top-level array), whose only matching clause is `BusinessEvent`. */
  pageUp: boolean;
}

export interface ReadSubscriptionsOptions {
  /**
   * `check`: resolve `{ env }` references and check their values, as `subscriptions validate` does (AWS
   * references are left unchecked). `skip`: leave every reference unresolved — for commands that never
   * deliver, so a proposed file can be tried without the secrets it will use. The PageUp format's default
   * webhook secret is then not required either.
   */
  secrets: 'check' | 'skip';
  /** Print `{ valid: false, errors }` as one JSON line instead of the readable list. */
  json?: boolean;
  /** With `check`: also resolve `{ secretsManager }` and `{ ssm }` references with the caller's AWS credentials. */
  awsSecrets?: boolean;
  /** Judge it as a deployed stage does: https only, literal private addresses refused. @default false */
  aws?: boolean;
  /** @default the engine's default */
  maxSubscriptions?: number;
  /** The failure line after the file's name. @default "is not valid; fix the errors above (switchyard subscriptions validate <file>)" */
  refusal?: string;
  /** The file's text when the caller read it already (see {@link readTextFile}). */
  text?: string;
}

/**
 * Reads and loads a subscriptions.json the way `subscriptions validate` does (schema, rules, patterns, what can
 * be delivered). An unreadable file is a usage error (exit 2); an invalid one prints every error with its path
 * and fails (exit 1).
 */
export async function readSubscriptionsFile(file: string, context: CliContext, options: ReadSubscriptionsOptions): Promise<LoadedSubscriptions> {
  const text = options.text ?? (await readTextFile(file, context));
  const skip = options.secrets === 'skip';
  // Nothing is signed when secrets are skipped: a stand-in satisfies the PageUp default-secret check.
  const env = skip ? { ...context.env, [DEFAULT_WEBHOOK_SECRET_ENV]: `whsec_${Buffer.alloc(32).toString('base64')}` } : context.env;
  const result = await loadSubscriptionsFile(text, {
    env,
    resolveSecret: skip ? undefined : checkingSecretResolver(context.env, { awsSecrets: options.awsSecrets }),
    ...(options.maxSubscriptions !== undefined ? { maxSubscriptions: options.maxSubscriptions } : {}),
    requireHttps: Boolean(options.aws),
    allowPrivateNetworks: !options.aws,
  });
  if (!result.ok) {
    if (options.json) {
      context.out(JSON.stringify({ file, valid: false, errors: result.errors }));
    } else {
      context.out(`${file}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`);
      for (const error of result.errors) context.out(`  ${error.path || '(root)'}: ${error.message}`);
    }
    throw new CliError(`${file} ${options.refusal ?? `is not valid; fix the errors above (switchyard subscriptions validate ${file})`}`, 1);
  }
  const pageUp = text.trimStart().replace(/^\uFEFF/, '').startsWith('[');
  const pointers = result.config.subscriptions.map((_, index) => (pageUp ? `/${index}` : `/subscriptions/${index}`));
  return { text, config: result.config, pointers, pageUp };
}

/** Reads a subscriptions file given on the command line; one that cannot be read is a usage error (exit 2). */
export async function readTextFile(file: string, context: CliContext): Promise<string> {
  try {
    return await readFile(resolve(context.cwd, file), 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give the path of a subscriptions.json`);
  }
}
