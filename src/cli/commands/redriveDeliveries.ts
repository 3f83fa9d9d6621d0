import { Command } from 'commander';
import type { DeadLetterFilter } from '../../delivery/ledger/LedgerOperations';
import type { DeadReason, DeliveryRef } from '../../delivery/ledger/types';
import { CliError } from '../errors';
import { isoTime } from '../formatTable';
import { startProgress } from '../progress';
import type { CliContext } from '../types';
import { ledgerOf, type TargetOptions } from './ledgerOf';
import { addBusTargetOptions } from './options';
import { timeBound } from './timeBound';

interface RedriveOptions extends TargetOptions {
  subscription: string;
  lane?: string;
  sequence?: string;
  all?: boolean;
  since?: string;
  until?: string;
  reason?: string;
  json?: boolean;
}

/**
 * `switchyard deliveries redrive --subscription ID (--lane L --sequence N | --all | --since T [--until T])`:
 * dead letters back into delivery, each in a lane of its own, due now, attempts reset. Many at once draw a
 * progress bar on standard error (a terminal only); the count goes to standard output either way.
 */
export function redriveDeliveriesCommand(context: CliContext): Command {
  return addBusTargetOptions(
    new Command('redrive').description('redrive dead letters of a subscription: one (--lane and --sequence, as listed), all (--all), or those that died in a window (--since [--until])'),
  )
    .requiredOption('--subscription <id>', 'the subscription')
    .option('--lane <lane>', "one dead letter: its lane, as `deliveries dead` lists it")
    .option('--sequence <sequence>', "one dead letter: its sequence number")
    .option('--all', 'every dead letter of the subscription')
    .option('--since <time>', 'dead letters that died since: a duration back from now (24h, 90m) or an ISO 8601 time')
    .option('--until <time>', 'with --since: that died before this ISO 8601 time (default: now)')
    .option('--reason <reason>', 'with --all or --since: only those dead for this reason (e.g. subscription_disabled, exhausted)')
    .option('--json', 'print {"redriven":N} (one dead letter: the new lane and sequence too)')
    .action(async (options: RedriveOptions) => {
      const one = options.lane !== undefined || options.sequence !== undefined;
      const modes = [one, Boolean(options.all), options.since !== undefined].filter(Boolean).length;
      if (modes !== 1 || (one && (options.lane === undefined || options.sequence === undefined))) {
        throw new CliError('redrive needs exactly one of: --lane and --sequence (one dead letter), --all, or --since [--until] (those that died in a window)');
      }
      if (options.until !== undefined && options.since === undefined) throw new CliError('--until goes with --since');
      if (options.reason !== undefined && one) throw new CliError('--reason goes with --all or --since');
      const now = Date.now();
      const filter: DeadLetterFilter = {
        ...(options.reason !== undefined ? { reason: options.reason as DeadReason } : {}),
        ...(options.since !== undefined ? { since: timeBound('--since', options.since, now) } : {}),
        ...(options.until !== undefined ? { until: timeBound('--until', options.until, now, false) } : {}),
      };
      if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until) {
        throw new CliError(`--since (${isoTime(filter.since)}) must be before --until (${isoTime(filter.until)})`);
      }
      const ledger = await ledgerOf(options, context);
      if (one) {
        const ref = await ledger.redrive({ subscriptionId: options.subscription, lane: options.lane!, sequence: options.sequence! });
        if (!ref) {
          throw CliError.failure(
            `no dead letter of subscription ${options.subscription} at lane ${options.lane} sequence ${options.sequence}; list them with \`switchyard deliveries list --subscription ${options.subscription} --status dead\``,
          );
        }
        context.out(options.json ? JSON.stringify({ redriven: 1, lane: ref.lane, sequence: ref.sequence }) : `redriven: subscription ${ref.subscriptionId}, now lane ${ref.lane} sequence ${ref.sequence}, due now`);
        return;
      }
      // Listed first, so the bar knows its total; each is then redriven by its reference (a retried run skips those done).
      const refs: DeliveryRef[] = [];
      for await (const page of ledger.deadLetters(options.subscription, filter)) {
        refs.push(...page.map((entry) => ({ subscriptionId: entry.subscriptionId, lane: entry.lane, sequence: entry.sequence })));
      }
      if (refs.length === 0) {
        if (options.json) context.out(JSON.stringify({ redriven: 0 }));
        const window = options.since !== undefined ? ` that died between ${isoTime(filter.since)} and ${isoTime(filter.until ?? now)}` : '';
        throw CliError.failure(
          `no dead letters of subscription ${options.subscription}${options.reason ? ` dead for ${options.reason}` : ''}${window}; list them with \`switchyard deliveries list --subscription ${options.subscription} --status dead\``,
        );
      }
      const progress = startProgress(context, { total: refs.length, unit: 'dead letters', label: 'redriving' });
      let redriven = 0;
      try {
        for (const ref of refs) {
          if (await ledger.redrive(ref)) redriven++;
          progress.increment();
        }
      } finally {
        progress.stop();
      }
      context.out(options.json ? JSON.stringify({ redriven }) : `redrove ${redriven} dead letter(s) of subscription ${options.subscription}`);
    });
}
