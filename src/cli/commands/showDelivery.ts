import { Command } from 'commander';
import { DEFAULT_ATTEMPT_RETENTION_DAYS } from '../../delivery/ledger/DeliveryLog';
import type { DeliveryAttempt, DeliveryHistory } from '../../delivery/ledger/types';
import { CliError } from '../errors';
import { formatTable, isoTime } from '../formatTable';
import type { CliContext } from '../types';
import { describeEntry } from './describeEntry';
import { ledgerOf, type TargetOptions } from './ledgerOf';
import { addBusTargetOptions } from './options';

interface ShowDeliveryOptions extends TargetOptions {
  source: string;
  subscription: string;
  json?: boolean;
}

/**
 * `switchyard deliveries show <event-id> --source S --subscription ID [--json]`: where one delivery stands
 * (pending, waiting, dead, or delivered after a retry) and every attempt the delivery log holds — time, status,
 * latency, outcome, error. Exit 1 when the ledger knows nothing of it: first-attempt successes are not recorded.
 */
export function showDeliveryCommand(context: CliContext): Command {
  return addBusTargetOptions(new Command('show').description('one delivery of an event to a subscription: its state and every attempt (time, status, latency, error)'))
    .argument('<event-id>', "the event's id")
    .requiredOption('--source <source>', "the event's source")
    .requiredOption('--subscription <id>', 'the subscription')
    .option('--json', 'one JSON document (never the event data)')
    .action(async (eventId: string, options: ShowDeliveryOptions) => {
      const ledger = await ledgerOf(options, context);
      const history = await ledger.show(options.subscription, options.source, eventId);
      if (!history) {
        throw CliError.failure(
          `no record of event ${JSON.stringify(eventId)} (source ${JSON.stringify(options.source)}) for subscription ${options.subscription}: ` +
            `only deliveries that failed at least once are recorded (a first-attempt success is not), for ${DEFAULT_ATTEMPT_RETENTION_DAYS} days; ` +
            `check the id, --source and --subscription, or list them with \`switchyard deliveries list --subscription ${options.subscription}\``,
        );
      }
      if (options.json) {
        context.out(JSON.stringify(describeHistory(history)));
        return;
      }
      for (const line of summary(history)) context.out(line);
      if (history.attempts.length === 0) {
        context.out('no attempt made yet');
        return;
      }
      // Numbered through the whole history: a redrive restarts the ledger's own count, so its first attempt says so.
      const rows = history.attempts.map((a, index) => [
        String(index + 1),
        isoTime(a.at),
        a.status === undefined ? '-' : String(a.status),
        latency(a),
        `${index > 0 && a.attempt === 1 ? 'redriven: ' : ''}${outcome(a)}`,
        a.error ?? '-',
      ]);
      for (const line of formatTable(['ATTEMPT', 'TIME', 'STATUS', 'LATENCY', 'OUTCOME', 'ERROR'], rows, 100)) context.out(line);
    });
}

/** The state line(s) above the attempts. */
function summary(history: DeliveryHistory): string[] {
  const lines = [`event ${history.id} (source ${history.source}) to subscription ${history.subscriptionId}: ${stateText(history)}`];
  const entry = history.entry;
  if (entry) lines.push(`lane ${entry.lane}, sequence ${entry.sequence}${entry.redrivenFrom ? `, redriven from lane ${entry.redrivenFrom}` : ''}`);
  return lines;
}

function stateText(history: DeliveryHistory): string {
  const entry = history.entry;
  switch (history.status) {
    case 'delivered_after_retry':
      return `delivered after retry (${history.attempts.length} attempts)`;
    case 'pending':
      return entry?.nextAttemptAt !== undefined ? `pending, next attempt at ${isoTime(entry.nextAttemptAt)}` : 'pending';
    case 'waiting':
      return 'waiting behind an earlier event of its key';
    case 'dead':
      if (!entry) return 'dead';
      return `dead (${entry.deadReason ?? '-'}) since ${isoTime(entry.deadAt)}; redrive it with: switchyard deliveries redrive --subscription ${entry.subscriptionId} --lane ${entry.lane} --sequence ${entry.sequence}`;
  }
}

function latency(attempt: DeliveryAttempt): string {
  return attempt.durationMs === undefined ? '-' : `${attempt.durationMs} ms`;
}

function outcome(attempt: DeliveryAttempt): string {
  if (attempt.outcome === 'dead') return `dead (${attempt.deadReason ?? attempt.reason ?? '-'})`;
  if (attempt.outcome === 'retry') return `retry (${attempt.reason ?? '-'})`;
  return attempt.outcome;
}

/** `--json`: the state, the ledger entry without the event's data, and the attempts. */
function describeHistory(history: DeliveryHistory): Record<string, unknown> {
  const { entry, ...rest } = history;
  return { ...rest, ...(entry ? { entry: describeEntry(entry) } : {}) };
}
