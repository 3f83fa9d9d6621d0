import { Command } from 'commander';
import { createAwsClients } from '../../wiring/awsClients';
import { ENV } from '../../wiring/environment';
import { createEventKeys } from '../../crypto';
import { DeliveryLedger } from '../../delivery/ledger/DeliveryLedger';
import type { DeadReason, LedgerEntry, LedgerPage } from '../../delivery/ledger/types';
import { CliError } from '../errors';
import { formatTable, isoTime } from '../formatTable';
import { resolveBusTarget } from '../target/resolveBusTarget';
import type { CliContext } from '../types';
import { addBusTargetOptions, busTargetOf, positiveInteger } from './options';

interface TargetOptions {
  stage?: string;
  region?: string;
  dataDir?: string;
}

interface ListOptions extends TargetOptions {
  subscription?: string;
  limit?: number;
  cursor?: string;
  json?: boolean;
}

interface RedriveOptions extends TargetOptions {
  subscription: string;
  lane?: string;
  sequence?: string;
  all?: boolean;
  reason?: string;
}

/**
 * `switchyard deliveries dead|pending|redrive`: the delivery ledger for operators — dead letters (deliveries
 * that ran out of retries, or whose subscription answered 410 or was removed), deliveries awaiting a retry,
 * and redriving dead letters (each becomes a delivery of its own, due now, attempts reset).
 * Listings show what an operator needs to decide — never the event's data.
 */
export function deliveriesCommand(context: CliContext): Command {
  const deliveries = new Command('deliveries').description('dead letters and pending retries of webhook and Lambda deliveries; redrive');
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
  deliveries.addCommand(
    addBusTargetOptions(new Command('redrive').description('redrive dead letters: one (--lane and --sequence, as listed) or all of a subscription (--all)'))
      .requiredOption('--subscription <id>', 'the subscription')
      .option('--lane <lane>', 'the dead letter\'s lane, as `deliveries dead` lists it')
      .option('--sequence <sequence>', 'the dead letter\'s sequence number')
      .option('--all', "every dead letter of the subscription")
      .option('--reason <reason>', 'with --all: only those dead for this reason (e.g. subscription_disabled, exhausted)')
      .action(async (options: RedriveOptions) => {
        const one = options.lane !== undefined || options.sequence !== undefined;
        if (one === Boolean(options.all) || (one && (options.lane === undefined || options.sequence === undefined))) {
          throw new CliError('redrive needs either --lane and --sequence (one dead letter) or --all');
        }
        if (options.reason !== undefined && !options.all) throw new CliError('--reason goes with --all');
        const ledger = await ledgerOf(options, context);
        if (options.all) {
          const count = await ledger.redriveAll(options.subscription, options.reason ? { reason: options.reason as DeadReason } : {});
          context.out(`redrove ${count} dead letter(s) of subscription ${options.subscription}`);
          return;
        }
        const ref = await ledger.redrive({ subscriptionId: options.subscription, lane: options.lane!, sequence: options.sequence! });
        if (!ref) throw new CliError(`no dead letter of subscription ${options.subscription} at lane ${options.lane} sequence ${options.sequence}`, 1);
        context.out(`redriven: subscription ${ref.subscriptionId}, now lane ${ref.lane} sequence ${ref.sequence}, due now`);
      }),
  );
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

/** An entry for `--json`: its position, history and the event's identity, without the event's data. */
function describeEntry(entry: LedgerEntry): Record<string, unknown> {
  const { event, ...rest } = entry;
  return { ...rest, event: { source: event.source, id: event.id, type: event.type, ...(event.subject !== undefined ? { subject: event.subject } : {}) } };
}

export async function ledgerOf(options: TargetOptions, context: CliContext): Promise<DeliveryLedger> {
  const target = await resolveBusTarget(busTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
  const clients = createAwsClients(target.env);
  return new DeliveryLedger({
    documents: clients.documents,
    tableName: target.need(ENV.deliveryTableName),
    keys: createEventKeys({ kms: clients.kms, keyId: target.need(ENV.kmsKeyId) }),
    onUnreadable: (ref, error) =>
      context.err(`cannot open the ledger item of subscription ${ref.subscriptionId} lane ${ref.lane} sequence ${ref.sequence}: ${error instanceof Error ? error.message : String(error)}`),
  });
}
