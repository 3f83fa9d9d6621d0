import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { createAwsClients } from '../../wiring/awsClients';
import { ENV } from '../../wiring/environment';
import { eventStoreFromEnvironment } from '../../wiring/ingestFromEnvironment';
import { formatTable } from '../formatTable';
import { resolveBusTarget } from '../target/resolveBusTarget';
import type { CliContext } from '../types';
import { parseBacktestWindow } from './backtestWindow';
import { addBusTargetOptions, busTargetOf } from './options';
import { readSubscriptionsFile } from './readSubscriptionsFile';
import { runBacktest, type BacktestResult } from './runBacktest';

interface BacktestOptions {
  since: string;
  until?: string;
  samples: number;
  json?: boolean;
  stage?: string;
  region?: string;
  dataDir?: string;
}

const DEFAULT_SAMPLES = 3;
/** Resolution of the progress bar. */
const PROGRESS_STEPS = 1000;

/**
 * `switchyard subscriptions backtest [file] --since 24h [--until <iso>]`: runs a proposed subscriptions file
 * against the events the bus stored in a window (by arrival time) and reports, per subscription, how many it
 * would have matched and the oldest few — delivering nothing. Only the event types the file can match are read
 * (every type when a subscription has no `types`). The file is checked as the engine checks it, except
 * its secrets: `{ env }`, `{ secretsManager }` and `{ ssm }` references are not resolved (nothing is signed or
 * sent), so a file can be tried before its secrets exist.
 */
export function backtestSubscriptionsCommand(context: CliContext): Command {
  return addBusTargetOptions(
    new Command('backtest').description('run a proposed subscriptions file against the stored events of a window, delivering nothing: matches per subscription, with samples'),
  )
    .argument('[file]', 'the proposed subscriptions file', 'subscriptions.json')
    .requiredOption('--since <when>', 'start of the window (arrival time): a duration back from now such as 24h, 90m, 7d, or an ISO 8601 time')
    .option('--until <iso>', 'end of the window, exclusive (ISO 8601 time with its zone; default: now)')
    .option('--samples <n>', `sample events shown per subscription (default: ${DEFAULT_SAMPLES})`, nonNegativeInteger('--samples'), DEFAULT_SAMPLES)
    .option('--json', 'print one JSON object: { file, bus, from, to, types, scanned, subscriptions: [{ id, matched, samples: [{ source, id, type }] }] }')
    .action(async (file: string, options: BacktestOptions) => {
      const window = parseBacktestWindow(options.since, options.until, new Date());
      const loaded = await readSubscriptionsFile(file, context, { secrets: 'skip', json: options.json });
      const target = await resolveBusTarget(busTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
      target.need(ENV.eventTableName);
      target.need(ENV.kmsKeyId);
      const store = eventStoreFromEnvironment(target.env, createAwsClients(target.env));
      const progress = progressBar(context);
      let result: BacktestResult;
      try {
        result = await runBacktest({
          listTypes: () => store.listTypes(),
          queryEvents: (query) => store.queryEvents(query),
          subscriptions: loaded.config.subscriptions,
          window,
          samples: options.samples,
          onPage: (scanned, done) => progress?.update(scanned, done),
        });
      } finally {
        progress?.stop();
      }
      const from = window.from.toISOString();
      const to = window.to.toISOString();
      if (options.json) {
        context.out(JSON.stringify({ file, bus: target.description, from, to, types: result.types, scanned: result.scanned, subscriptions: result.subscriptions }));
        return;
      }
      const scanned = `${result.scanned.toLocaleString('en-US')} event${result.scanned === 1 ? '' : 's'} of ${result.types.toLocaleString('en-US')} type${result.types === 1 ? '' : 's'}`;
      context.out(`${file} against ${target.description}, ${from} to ${to}: ${scanned} scanned, nothing delivered`);
      const rows = result.subscriptions.map((count) => [count.id, count.matched.toLocaleString('en-US'), share(count.matched, result.scanned)]);
      for (const line of formatTable(['SUBSCRIPTION', 'MATCHES', 'SHARE'], rows, 80)) context.out(line);
      const sampled = result.subscriptions.filter((count) => count.samples.length > 0);
      if (sampled.length > 0) context.out('samples (source id type):');
      const width = Math.max(0, ...sampled.map((count) => count.id.length));
      for (const count of sampled) {
        count.samples.forEach((sample, i) => context.out(`  ${(i === 0 ? count.id : '').padEnd(width)}  ${sample.source} ${sample.id} ${sample.type}`));
      }
    });
}

function share(matched: number, scanned: number): string {
  return scanned === 0 ? '-' : `${((100 * matched) / scanned).toFixed(1)}%`;
}

function nonNegativeInteger(name: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed)) throw new InvalidArgumentError(`${name} must be a whole number (0 or more), got ${JSON.stringify(value)}`);
    return parsed;
  };
}

/** A bar on the terminal (standard error, when it is one) of how far through the reading the backtest is. */
function progressBar(context: CliContext): { update(scanned: number, done: number): void; stop(): void } | undefined {
  const terminal = context.terminal;
  if (terminal === undefined || !terminal.isTTY) return undefined;
  const bar = new SingleBar({
    stream: terminal,
    format: 'backtest |{bar}| {percentage}% | {scanned} events scanned | ETA {eta_formatted}',
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(PROGRESS_STEPS, 0, { scanned: 0 });
  return {
    update: (scanned, done) => bar.update(Math.round(done * PROGRESS_STEPS), { scanned: scanned.toLocaleString('en-US') }),
    stop: () => bar.stop(),
  };
}
