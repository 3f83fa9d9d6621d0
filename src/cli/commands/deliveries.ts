import { Command } from 'commander';
import type { LedgerPage } from '../../delivery/ledger/types';
import { formatTable, isoTime } from '../formatTable';
import type { CliContext } from '../types';
import { describeEntry } from './describeEntry';
import { ledgerOf, type TargetOptions } from './ledgerOf';
import { listDeliveriesCommand } from './listDeliveries';
import { addBusTargetOptions, positiveInteger } from './options';
import { redriveDeliveriesCommand } from './redriveDeliveries';
import { showDeliveryCommand } from './showDelivery';


interface ListOptions extends TargetOptions {
  subscription?: string;
  limit?: number;
  cursor?: string;
  json?: boolean;
}

/**
 * `switchyard deliveries list|show|redrive|dead|pending`: the delivery ledger for operators — one subscription's
 * deliveries in trouble (`list`), one delivery's every attempt from the delivery log (`show`), redriving dead
 * letters (each becomes a delivery of its own, due now, attempts reset), and the paged listings across
 * subscriptions: dead letters (out of retries, or their subscription answered 410 or was removed) and
 * deliveries awaiting a retry. Output shows what an operator needs to decide — never the event's data.
 */
export function deliveriesCommand(context: CliContext): Command {
  const deliveries = new Command('deliveries').description('failed webhook and Lambda deliveries: list, show every attempt, redrive; dead letters and pending retries');
  deliveries.addCommand(listDeliveriesCommand(context));
  deliveries.addCommand(showDeliveryCommand(context));
  deliveries.addCommand(redriveDeliveriesCommand(context));
  for (const [name, description] of [
    ['dead', 'dead letters: deliveries given up on, with the reason and the last attempt'],
    ['pending', 'deliveries awaiting a retry (lane heads) or waiting behind one (ordered subscriptions)'],
  ] as const) {
    deliveries.addCommand(
      addBusTargetOptions(new Command(name).description(description))
        .option('--subscription <id>', 'only this subscription')
        .option('--limit <n>', 'entries per page (default: 100)', positiveInteger('--limit'))
        .option('--cursor <cursor>', "the previous page's cursor")
        .option('--json', 'one JSON object per line')
        .action(async (options: ListOptions) => {
          const ledger = await ledgerOf(options, context);
          const query = { subscriptionId: options.subscription, limit: options.limit, cursor: options.cursor };
          const page = name === 'dead' ? await ledger.listDead(query) : await ledger.listPending(query);
          printPage(page, name, options, context);
        }),
    );
  }
  return deliveries;
}

function printPage(page: LedgerPage, kind: 'dead' | 'pending', options: ListOptions, context: CliContext): void {
  if (options.json) {
    for (const entry of page.entries) context.out(JSON.stringify(describeEntry(entry)));
    if (page.cursor) context.out(JSON.stringify({ cursor: page.cursor }));
    return;
  }
  if (page.entries.length === 0) {
    context.out(kind === 'dead' ? 'no dead letters' : 'no pending deliveries');
    return;
  }
  const rows = page.entries.map((e) => [
    e.subscriptionId,
    e.lane,
    e.sequence,
    e.event.type,
    e.event.id,
    String(e.attempts),
    kind === 'dead' ? String(e.deadReason ?? '-') : `${e.state}${e.nextAttemptAt ? ` ${isoTime(e.nextAttemptAt)}` : ''}`,
    e.last ? `${e.last.status ?? ''} ${e.last.error}`.trim() : '-',
  ]);
  const headers = ['SUBSCRIPTION', 'LANE', 'SEQUENCE', 'TYPE', 'EVENT ID', 'ATTEMPTS', kind === 'dead' ? 'REASON' : 'STATE', 'LAST ERROR'];
  for (const line of formatTable(headers, rows, 80)) context.out(line);
  if (page.cursor) context.out(`more: --cursor ${page.cursor}`);
}
