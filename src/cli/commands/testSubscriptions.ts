import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { validateCloudEvent } from '../../events/validateCloudEvent';
import type { CloudEventJson } from '../../events/types';
import { explainMatch, type FailedClause } from '../../routing/explainMatch';
import { CliError } from '../errors';
import { isoTime } from '../formatTable';
import type { CliContext } from '../types';
import { ledgerOf, type TargetOptions } from './ledgerOf';
import { readSubscriptionsFile, type LoadedSubscriptions } from './readSubscriptionsFile';

interface TestOptions extends TargetOptions {
  event: string;
  json?: boolean;
}

/** Turned off on the bus (a 410 from its target, or `subscriptions disable`): its events become dead letters. */
interface Disabled {
  at: string;
  reason: string;
}

/** One subscription's answer for the event. */
type SubscriptionResult = { id: string; path: string; disabled?: Disabled } & ({ matched: true } | { matched: false; clause: FailedClause });

/**
 * `switchyard subscriptions test --event file.json [file]`: which subscriptions of a file match one CloudEvent,
 * and for each that does not, the first clause that failed (its JSON Pointer, the field, the rule, the event's
 * value). The file is loaded as `subscriptions validate` loads it. Offline unless `--stage` or `--data-dir` is
 * given: then the subscriptions that bus has disabled are marked as such (they match, but receive nothing).
 * Exit 0 whatever matches; 1 when the file or the event is invalid; 2 for a usage mistake (a file that cannot be read).
 */
export function testSubscriptionsCommand(context: CliContext): Command {
  return new Command('test')
    .description('which subscriptions of a file match an event, and for each that does not, the first clause that failed')
    .argument('[file]', 'the subscriptions file', 'subscriptions.json')
    .requiredOption('--event <file>', 'the CloudEvent (structured JSON) to try; - reads it from standard input')
    .option('--stage <name>', 'also mark the subscriptions this deployed stage has disabled (stack Switchyard-<name>)')
    .option('--region <region>', 'AWS region of the stage (default: AWS_REGION or the profile)')
    .option('--data-dir <dir>', 'also mark the subscriptions the local bus on this data dir has disabled')
    .option('--json', 'print one JSON object: { file, event, matched, subscriptions: [{ id, path, matched, clause?, disabled? }] }')
    .action(async (file: string, options: TestOptions) => {
      const loaded = await readSubscriptionsFile(file, context, { secrets: 'check', json: options.json });
      const event = await readEvent(options.event, context);
      const disabled = await disabledOnBus(options, context);
      const results = loaded.config.subscriptions.map((subscription, index): SubscriptionResult => {
        const path = loaded.pointers[index];
        const explanation = explainMatch(subscription, event, { basePath: path });
        const off = disabled.get(subscription.id);
        const common = { id: subscription.id, path, ...(off ? { disabled: off } : {}) };
        return explanation.matched ? { ...common, matched: true } : { ...common, matched: false, clause: pageUpClause(loaded, index, explanation.clause) };
      });
      const matched = results.filter((result) => result.matched).map((result) => result.id);
      if (options.json) {
        context.out(JSON.stringify({ file, event: { id: event.id, source: event.source, type: event.type }, matched, subscriptions: results }));
        return;
      }
      const count = results.length;
      context.out(`${file}: ${matched.length} of ${count} subscription${count === 1 ? '' : 's'} match event ${event.id} (type ${event.type}, source ${event.source})`);
      const width = Math.max(0, ...results.map((result) => result.id.length));
      for (const result of results) {
        const off = result.disabled ? ` (disabled on the bus since ${result.disabled.at}: ${result.disabled.reason}; its events become dead letters)` : '';
        context.out(result.matched ? `  match     ${result.id}${off}` : `  no match  ${result.id.padEnd(width)}  ${result.clause.path}: ${result.clause.message}${off}`);
      }
    });
}

/** The subscriptions the named bus has disabled, by id; none asked when neither --stage nor --data-dir is given. */
async function disabledOnBus(options: TestOptions, context: CliContext): Promise<Map<string, Disabled>> {
  if (options.stage === undefined && options.dataDir === undefined) return new Map();
  const ledger = await ledgerOf(options, context);
  const disabled = await ledger.disabledSubscriptions();
  return new Map(disabled.map((entry) => [entry.subscriptionId, { at: isoTime(entry.disabledAt), reason: entry.reason }]));
}

/** In the PageUp format the one matching clause is the entry's `BusinessEvent`, whatever it was converted to. */
function pageUpClause(loaded: LoadedSubscriptions, index: number, clause: FailedClause): FailedClause {
  return loaded.pageUp ? { ...clause, path: `${loaded.pointers[index]}/BusinessEvent` } : clause;
}

/** The event of `--event`: a file, or standard input for `-`; refused (exit 1) unless it is a valid CloudEvent. */
async function readEvent(source: string, context: CliContext): Promise<CloudEventJson> {
  const name = source === '-' ? 'the event on standard input' : source;
  let text: string;
  if (source === '-') {
    if (context.stdin === undefined) throw new CliError('--event - needs standard input; give the event as a file instead');
    text = await readAll(context.stdin);
  } else {
    try {
      text = await readFile(resolve(context.cwd, source), 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${source} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give --event the path of a CloudEvent JSON file, or - for standard input`);
    }
  }
  let candidate: unknown;
  try {
    candidate = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CliError(`${name} is not JSON (${(error as Error).message}): give one CloudEvent in structured JSON`, 1);
  }
  const problems = validateCloudEvent(candidate, 0);
  if (problems.length > 0) {
    const listed = problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ');
    throw new CliError(`${name} is not a valid CloudEvent (${listed}); fix ${problems.length === 1 ? 'that field' : 'those fields'}`, 1);
  }
  return candidate as CloudEventJson;
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolveText, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer | string) => chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    stream.once('end', () => resolveText(Buffer.concat(chunks).toString('utf8')));
    stream.once('error', reject);
  });
}
