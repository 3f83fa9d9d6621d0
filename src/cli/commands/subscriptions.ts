import { Command } from 'commander';
import { formatTable, isoTime } from '../formatTable';
import type { CliContext } from '../types';
import { CliError } from '../errors';
import { ledgerOf } from './ledgerOf';
import { addBusTargetOptions } from './options';
import { validateSubscriptionsCommand } from './validateSubscriptions';
import { pushSubscriptionsCommand } from './pushSubscriptions';
import { testSubscriptionsCommand } from './testSubscriptions';
import { backtestSubscriptionsCommand } from './backtestSubscriptions';

interface SubscriptionOptions {
  redrive?: boolean;
  reason?: string;
  json?: boolean;
  stage?: string;
  region?: string;
  dataDir?: string;
}

/**
 * `switchyard subscriptions disabled|disable|enable`: subscriptions turned off (by a 410 from the target, or by
 * hand) and turning them back on. While disabled, a subscription's events become dead letters
 * (`subscription_disabled`); `enable --redrive` sends those again.
 */
export function subscriptionsCommand(context: CliContext): Command {
  const subscriptions = new Command('subscriptions').description('a subscriptions.json: validate, test one event, backtest against stored events, push; disabled subscriptions: list, disable, enable');
  subscriptions.addCommand(validateSubscriptionsCommand(context));
  subscriptions.addCommand(pushSubscriptionsCommand(context));
  subscriptions.addCommand(testSubscriptionsCommand(context));
  subscriptions.addCommand(backtestSubscriptionsCommand(context));
  subscriptions.addCommand(
    addBusTargetOptions(new Command('disabled').description('the disabled subscriptions, when and why'))
      .option('--json', 'one JSON object per line')
      .action(async (options: SubscriptionOptions) => {
        const disabled = await (await ledgerOf(options, context)).disabledSubscriptions();
        if (options.json) {
          for (const entry of disabled) context.out(JSON.stringify(entry));
        } else if (disabled.length === 0) {
          context.out('no disabled subscriptions');
        } else {
          const rows = disabled.map((d) => [d.subscriptionId, isoTime(d.disabledAt), d.reason]);
          for (const line of formatTable(['SUBSCRIPTION', 'DISABLED AT', 'REASON'], rows)) context.out(line);
        }
      }),
  );
  subscriptions.addCommand(
    addBusTargetOptions(new Command('disable').description('turn a subscription off: its events go to dead letters until it is enabled'))
      .argument('<id>', 'subscription id')
      .requiredOption('--reason <text>', 'why, for whoever enables it again')
      .option('--json', 'print {"subscriptionId","disabled":true}')
      .action(async (id: string, options: SubscriptionOptions) => {
        checkId(id);
        await (await ledgerOf(options, context)).disableSubscription(id, options.reason!);
        context.out(options.json ? JSON.stringify({ subscriptionId: id, disabled: true }) : `subscription ${id} disabled`);
      }),
  );
  subscriptions.addCommand(
    addBusTargetOptions(new Command('enable').description('turn a disabled subscription back on'))
      .argument('<id>', 'subscription id')
      .option('--redrive', 'also redrive its dead letters of reason subscription_disabled')
      .option('--json', 'print {"subscriptionId","enabled":true,"redriven":N}')
      .action(async (id: string, options: SubscriptionOptions) => {
        checkId(id);
        const ledger = await ledgerOf(options, context);
        if (!(await ledger.disabledSubscriptions()).some((d) => d.subscriptionId === id)) {
          throw CliError.failure(`subscription ${id} is not disabled; \`switchyard subscriptions disabled\` lists those that are`);
        }
        const { redriven } = await ledger.enableSubscription(id, { redrive: Boolean(options.redrive) });
        if (options.json) context.out(JSON.stringify({ subscriptionId: id, enabled: true, redriven }));
        else context.out(`subscription ${id} enabled${options.redrive ? `; ${redriven} dead letter(s) redriven` : ''}`);
      }),
  );
  return subscriptions;
}

/** Subscription ids never hold `#` (the ledger's keys rely on it): a usage mistake, caught before reaching the bus. */
function checkId(id: string): void {
  if (!id || id.includes('#')) throw new CliError(`subscription id must be non-empty and without '#', got ${JSON.stringify(id)}`);
}
