import { Command, Option } from 'commander';
import type { LedgerEntry } from '../../delivery/ledger/types';
import { formatTable, isoTime } from '../formatTable';
import type { CliContext } from '../types';
import { describeEntry } from './describeEntry';
import { ledgerOf, type TargetOptions } from './ledgerOf';
import { addBusTargetOptions, positiveInteger } from './options';
import { timeBound } from './timeBound';

interface ListDeliveriesOptions extends TargetOptions {
  subscription: string;
  status?: 'pending' | 'dead';
  since?: string;
  limit?: number;
  json?: boolean;
}

/**
 * `switchyard deliveries list --subscription ID [--status pending|dead] [--since 24h|<iso>] [--limit N] [--json]`:
 * one subscription's deliveries in the ledger — pending (awaiting a retry, or waiting behind one of their key)
 * and dead — with the attempts made and the last error. `show` gives one delivery's every attempt.
 */
export function listDeliveriesCommand(context: CliContext): Command {
  return addBusTargetOptions(new Command('list').description("one subscription's failed deliveries: pending (awaiting a retry or held behind one) and dead"))
    .requiredOption('--subscription <id>', 'the subscription')
    .addOption(new Option('--status <status>', 'only pending or only dead deliveries').choices(['pending', 'dead']))
    .option('--since <time>', 'only deliveries that first failed (dead letters: died) since: a duration back from now (24h, 90m, 7d) or an ISO 8601 time')
    .option('--limit <n>', 'at most this many (default: 100, at most 1000)', positiveInteger('--limit'))
    .option('--json', 'one JSON object per line (never the event data)')
    .action(async (options: ListDeliveriesOptions) => {
      const since = options.since === undefined ? undefined : timeBound('--since', options.since, Date.now());
      const ledger = await ledgerOf(options, context);
      const { entries, more } = await ledger.listDeliveries(options.subscription, { status: options.status, since, limit: options.limit });
      if (options.json) {
        for (const entry of entries) context.out(JSON.stringify(describeEntry(entry)));
        return;
      }
      if (entries.length === 0) {
        const what = options.status === undefined ? 'pending or dead deliveries' : options.status === 'dead' ? 'dead letters' : 'pending deliveries';
        context.out(`no ${what} for subscription ${options.subscription}${since !== undefined ? ` since ${isoTime(since)}` : ''}`);
        return;
      }
      for (const line of formatTable(['STATE', 'EVENT ID', 'SOURCE', 'TYPE', 'ATTEMPTS', 'SINCE', 'NEXT / REASON', 'LAST ERROR'], entries.map(row), 80)) {
        context.out(line);
      }
      if (more) context.out(`more deliveries than --limit ${options.limit ?? 100}: narrow with --status or --since, or raise --limit`);
    });
}

function row(entry: LedgerEntry): string[] {
  const dead = entry.state === 'dead';
  return [
    entry.state,
    entry.event.id,
    entry.event.source,
    entry.event.type,
    String(entry.attempts),
    isoTime(dead ? entry.deadAt : entry.firstFailedAt),
    dead ? String(entry.deadReason ?? '-') : entry.nextAttemptAt !== undefined ? isoTime(entry.nextAttemptAt) : 'behind an earlier event of its key',
    entry.last ? `${entry.last.status ?? ''} ${entry.last.error}`.trim() : '-',
  ];
}
