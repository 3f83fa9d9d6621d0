import { setTimeout as delay } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { countReplayMatches } from '../../replay/countReplayMatches';
import { arrivalTimeOfSequence } from '../../replay/arrivalTimeOfSequence';
import { InvalidReplayError } from '../../replay/errors';
import { parseReplayFrom, parseReplayTime } from '../../replay/parseReplayFrom';
import { ReplayJobs } from '../../replay/ReplayJobs';
import { DEFAULT_REPLAY_RATE, MAX_REPLAY_RATE, REPLAY_STATE, type ReplayJob, type ReplayRequest } from '../../replay/types';
import { SubscriptionsSource } from '../../routing/config/SubscriptionsSource';
import type { Subscription } from '../../routing/subscriptionTypes';
import { createAwsClients, type AwsClients } from '../../wiring/awsClients';
import { ENV, WIRING_DEFAULTS } from '../../wiring/environment';
import { eventStoreFromEnvironment } from '../../wiring/ingestFromEnvironment';
import { CliError } from '../errors';
import { startProgress } from '../progress';
import { resolveBusTarget, type BusTarget } from '../target/resolveBusTarget';
import type { CliContext } from '../types';
import { addBusTargetOptions, addJsonOption, busTargetOf } from './options';
import { replayCancelCommand, replayListCommand } from './replayJobs';

interface ReplayOptions {
  subscription: string;
  from: string;
  to?: string;
  rate: number;
  dryRun?: boolean;
  json?: boolean;
  stage?: string;
  region?: string;
  dataDir?: string;
}

/** How often the command reads its job while following it. */
const FOLLOW_INTERVAL_MS = 250;
/**
 * A job nobody has touched for this long is reported once: no runner may be running. Longer than the minute between
 * two starts of a stage's redeliver function, which takes a new job at its next start.
 */
const STALL_WARNING_MS = 90_000;

/**
 * `switchyard replay`: re-delivers the stored events of a window that one subscription matches, to it alone, in
 * stream order per partition key. It counts them (reading the store and matching here, as the runner will), creates
 * a replay job in the delivery table, and follows it to its end with a progress bar; the bus's redeliver function
 * (the local bus's redeliver loop) does the delivering, in a lane of its own. `--dry-run` only counts. Ctrl-C
 * cancels the job (the page in flight is finished). `replay list` and `replay cancel <job-id>` (`./replayJobs`) list
 * the jobs and cancel one started anywhere.
 */
export function replayCommand(context: CliContext): Command {
  const command = addBusTargetOptions(
    new Command('replay').description('re-deliver the stored events of a window to one subscription (to it alone, in stream order per key), following the job to its end'),
  )
    .requiredOption('--subscription <id>', 'the subscription to replay to')
    .requiredOption('--from <iso|sequence>', 'start of the window: an arrival time (ISO 8601, e.g. 2026-12-06T13:00:00Z) or a stream sequence number still in the stream')
    .option('--to <iso>', 'end of the window, exclusive (default: now)')
    .option('--rate <n>', `deliveries started per second, 1 to ${MAX_REPLAY_RATE}`, rateOption, DEFAULT_REPLAY_RATE)
    .option('--dry-run', 'only count the events the replay would deliver; create nothing');
  addJsonOption(command, 'one JSON object (the count, or the finished job)').action((options: ReplayOptions) => replay(options, context));
  // `replay list` and `replay cancel` beside the bare form: the parent's options stop at a sub-command's name (so
  // `--subscription`, `--json` and the target reach the sub-command), and its own required options do not apply there.
  command.enablePositionalOptions();
  command.addCommand(replayListCommand(context));
  command.addCommand(replayCancelCommand(context));
  command.hook('preSubcommand', () => {
    for (const option of command.options) option.mandatory = false;
  });
  return command;
}

/** Counts the window, then (unless a dry run) creates the job and follows it to its summary. */
async function replay(options: ReplayOptions, context: CliContext): Promise<void> {
  const start = usage(() => parseReplayFrom(options.from));
  const to = options.to === undefined ? new Date().toISOString() : usage(() => parseReplayTime('to', options.to!));
  const target = await resolveBusTarget(busTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
  const clients = createAwsClients(target.env);
  const from =
    start.kind === 'time'
      ? start.iso
      : await arrivalTimeOfSequence(clients.kinesis, target.need(ENV.eventStreamName), start.sequence).catch((error: unknown) => {
          throw asUsageError(error);
        });
  if (from >= to) throw new CliError(`--from (${from}) must be before --to (${to})`);
  const subscription = await subscriptionOf(target, clients, options.subscription);
  const request: ReplayRequest = { subscriptionId: subscription.id, from, to, rate: options.rate, ...(subscription.types ? { types: subscription.types } : {}) };
  const store = eventStoreFromEnvironment(target.env, clients);
  const count = await countReplayMatches(store, request, subscription);
  if (options.dryRun) {
    if (options.json) context.out(JSON.stringify({ dryRun: true, subscription: subscription.id, from, to, ...count }));
    else context.out(`dry run: ${count.matched} of ${count.scanned} stored events from ${from} to ${to} match subscription ${subscription.id}; nothing was delivered`);
    return;
  }
  const jobs = new ReplayJobs({ documents: clients.documents, tableName: target.need(ENV.deliveryTableName) });
  const created = await jobs.create({ ...request, expected: count.matched });
  if (!options.json) context.err(`replay ${created.jobId}: ${count.matched} events to subscription ${subscription.id} at up to ${options.rate}/s`);
  const job = await follow(jobs, created, context);
  printSummary(job, options, context);
  if (job.state === REPLAY_STATE.cancelled) throw CliError.failure(`replay ${job.jobId} cancelled: what it delivered stays delivered`);
  if (job.state !== REPLAY_STATE.done) {
    throw CliError.failure(`replay ${job.jobId} ${job.state}${job.error ? `: ${job.error}` : ''}; start a new one with the same window when the cause is fixed`);
  }
}

/**
 * Reads the job until it is no longer running, drawing its progress (delivered and failed, of the events counted).
 * The first Ctrl-C cancels it.
 */
async function follow(jobs: ReplayJobs, created: ReplayJob, context: CliContext): Promise<ReplayJob> {
  const progress = startProgress(context, { total: created.expected ?? 0, unit: 'events', label: 'replaying' });
  let cancelled = false;
  void context.waitForStop().then(async () => {
    cancelled = true;
    await jobs.cancel(created.jobId).catch(() => undefined);
  });
  let job = created;
  let shown = 0;
  let warned = false;
  try {
    while (job.state === REPLAY_STATE.running) {
      await delay(FOLLOW_INTERVAL_MS);
      job = (await jobs.get(created.jobId)) ?? job;
      const done = job.counts.delivered + job.counts.failed;
      if (done > shown) progress.increment(done - shown);
      shown = done;
      if (!warned && !cancelled && job.state === REPLAY_STATE.running && Date.now() - job.updatedAt > STALL_WARNING_MS) {
        warned = true;
        context.err(`replay ${job.jobId} has not moved for ${STALL_WARNING_MS / 1000} s: is the bus running (npm start, or the stage's redeliver function)?`);
      }
    }
  } finally {
    progress.stop();
  }
  return job;
}

function printSummary(job: ReplayJob, options: ReplayOptions, context: CliContext): void {
  const seconds = Math.max(0, (job.updatedAt - job.startedAt) / 1000);
  const { scanned, matched, delivered, failed } = job.counts;
  if (options.json) {
    const { cursor: _cursor, ...shown } = job;
    context.out(JSON.stringify({ ...shown, seconds }));
    return;
  }
  const ledger = failed > 0 ? ` (retried from the ledger: switchyard deliveries pending --subscription ${job.subscriptionId})` : '';
  context.out(
    `replay ${job.jobId} ${job.state}: ${delivered} delivered, ${failed} failed${ledger}, of ${matched} matching events (${scanned} read) from ${job.from} to ${job.to} in ${seconds.toFixed(1)} s`,
  );
}

/** The subscription as the bus serves it (its subscriptions.json in the config bucket), or what to do when it has none of that id. */
async function subscriptionOf(target: BusTarget, clients: AwsClients, id: string): Promise<Subscription> {
  const source = new SubscriptionsSource({
    s3: clients.s3,
    bucket: target.need(ENV.configBucketName),
    key: target.env[ENV.subscriptionsKey] || WIRING_DEFAULTS.subscriptionsKey,
    env: target.env,
    // Only its patterns and filter matter here: the bus judged its targets when it loaded the file.
    allowPrivateNetworks: true,
    fallbackVersions: 0,
  });
  let config;
  try {
    config = await source.current();
  } catch (error) {
    throw CliError.failure(`cannot read the subscriptions of ${target.description}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const subscription = config.subscriptions.find((candidate) => candidate.id === id);
  if (subscription === undefined) {
    const ids = config.subscriptions.map((candidate) => candidate.id);
    throw new CliError(`${target.description} has no subscription ${JSON.stringify(id)}${ids.length ? ` (it has: ${ids.join(', ')})` : ''}: give --subscription one of its ids`);
  }
  return subscription;
}

function rateOption(value: string): number {
  const rate = Number(value);
  if (!/^\d+$/.test(value) || rate < 1 || rate > MAX_REPLAY_RATE) {
    throw new InvalidArgumentError(`--rate must be a whole number of deliveries per second from 1 to ${MAX_REPLAY_RATE}, got ${JSON.stringify(value)}`);
  }
  return rate;
}

/** A replay option the parser or the stream refuses, as a usage error (exit 2) naming the option. */
function asUsageError(error: unknown): unknown {
  return error instanceof InvalidReplayError ? new CliError(error.message, 2, { cause: error }) : error;
}

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw asUsageError(error);
  }
}
