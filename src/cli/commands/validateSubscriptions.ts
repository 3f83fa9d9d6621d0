import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadSubscriptionsFile } from '../../routing/config/loadSubscriptionsFile';
import { checkingSecretResolver } from '../../routing/config/resolveSubscriptionSecrets';
import { DEFAULT_MAX_SUBSCRIPTIONS } from '../../routing/config/constants';
import { CliError } from '../errors';
import type { CliContext } from '../types';

interface ValidateOptions {
  aws?: boolean;
  awsSecrets?: boolean;
  maxSubscriptions?: string;
  json?: boolean;
}

/**
 * `switchyard subscriptions validate [file]`: the checks the engine runs when it loads a version (schema,
 * rules, whether each subscription can ever deliver, secrets resolved), so a file is refused before it is
 * pushed. Exit 0 when valid, 1 with every error and its path otherwise, 2 when the file cannot be read.
 */
export function validateSubscriptionsCommand(context: CliContext): Command {
  return new Command('validate')
    .description('check a subscriptions.json as the engine will: every error with its JSON path (exit 1 when invalid)')
    .argument('[file]', 'the file', 'subscriptions.json')
    .option('--aws', 'judge it as a deployed stage does: https only, literal private addresses refused (SSRF guard)')
    .option('--aws-secrets', 'also resolve { secretsManager } and { ssm } references with your AWS credentials')
    .option('--max-subscriptions <n>', 'the engine\'s limit', String(DEFAULT_MAX_SUBSCRIPTIONS))
    .option('--json', 'print { valid, subscriptions, errors } as JSON')
    .action(async (file: string, options: ValidateOptions) => {
      const path = resolve(context.cwd, file);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give the path of a subscriptions.json`);
      }
      const max = Number(options.maxSubscriptions);
      if (!Number.isInteger(max) || max < 0) throw new CliError(`--max-subscriptions must be a non-negative integer, got ${options.maxSubscriptions}`);
      const result = await loadSubscriptionsFile(text, {
        maxSubscriptions: max,
        env: context.env,
        requireHttps: Boolean(options.aws),
        allowPrivateNetworks: !options.aws,
        resolveSecret: checkingSecretResolver(context.env, { awsSecrets: options.awsSecrets }),
      });
      if (options.json) {
        context.out(JSON.stringify(result.ok ? { valid: true, subscriptions: result.config.subscriptions.length, errors: [] } : { valid: false, errors: result.errors }));
      } else if (result.ok) {
        context.out(`${file}: valid (${result.config.subscriptions.length} subscription${result.config.subscriptions.length === 1 ? '' : 's'})`);
      } else {
        context.out(`${file}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}`);
        for (const error of result.errors) context.out(`  ${error.path || '(root)'}: ${error.message}`);
      }
      if (!result.ok) throw new CliError(`${file} is not valid; fix the errors above`, 1);
    });
}
