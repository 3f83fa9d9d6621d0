import { Command } from 'commander';
import { DEFAULT_MAX_SUBSCRIPTIONS } from '../../routing/config/constants';
import { CliError } from '../errors';
import type { CliContext } from '../types';
import { readSubscriptionsFile } from './readSubscriptionsFile';

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
      const max = Number(options.maxSubscriptions);
      if (!Number.isInteger(max) || max < 0) throw new CliError(`--max-subscriptions must be a non-negative integer, got ${options.maxSubscriptions}`);
      const { config } = await readSubscriptionsFile(file, context, {
        secrets: 'check',
        awsSecrets: options.awsSecrets,
        aws: options.aws,
        maxSubscriptions: max,
        json: options.json,
        refusal: 'is not valid; fix the errors above',
      });
      const count = config.subscriptions.length;
      context.out(options.json ? JSON.stringify({ valid: true, subscriptions: count, errors: [] }) : `${file}: valid (${count} subscription${count === 1 ? '' : 's'})`);
    });
}
