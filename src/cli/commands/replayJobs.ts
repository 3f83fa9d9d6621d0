import { Command, InvalidArgumentError } from 'commander';
import { ReplayJobs } from '../../replay/ReplayJobs';
import { REPLAY_STATE, type ReplayJob, type ReplayState } from '../../replay/types';
import { createAwsClients } from '../../wiring/awsClients';
import { ENV } from '../../wiring/environment';
import { CliError } from '../errors';
import { formatTable, isoTime } from '../formatTable';
import { resolveBusTarget, type BusTarget } from '../target/resolveBusTarget';
import type { CliContext } from '../types';
import { addBusTargetOptions, addJsonOption, busTargetOf } from './options';

interface TargetOptions {
  stage?: string;
  region?: string;
  dataDir?: string;
  json?: boolean;
}

interface ListOptions extends TargetOptions {
  subscription?: string;
  state?: ReplayState;
}

const STATES = Object.values(REPLAY_STATE);

/**
 * `switchyard replay list`: the replay jobs of the bus, newest first (one Query of the delivery table's `REPLAY`
 * partition), wherever they were started — this terminal, another, the console.
 */
export function replayListCommand(context: CliContext): Command {
  const command = addBusTargetOptions(new Command('list').description('replay jobs, newest first: window, rate, state, counts'))
    .option('--subscription <id>', 'only the replays to this subscription')
    .option(`--state <${STATES.join('|')}>`, 'only the replays in this state', stateOption);
  return addJsonOption(command, 'one JSON object per job, one a line').action(async (options: ListOptions) => {
    const { jobs } = await replayJobsOf(options, context);
    const list = await jobs.list({ subscriptionId: options.subscription, state: options.state });
    if (options.json) {
      for (const job of list) context.out(JSON.stringify(shown(job)));
      return;
    }
    if (list.length === 0) {
      context.out('no replays');
      return;
    }
    const rows = list.map((job) => [
      job.jobId,
      job.subscriptionId,
      `${job.from} → ${job.to}`,
      `${job.rate}/s`,
      job.state,
      String(job.counts.matched),
      String(job.counts.delivered),
      String(job.counts.failed),
      isoTime(job.startedAt),
      isoTime(job.updatedAt),
    ]);
    const headers = ['ID', 'SUBSCRIPTION', 'WINDOW', 'RATE', 'STATE', 'MATCHED', 'DELIVERED', 'FAILED', 'STARTED', 'UPDATED'];
    for (const line of formatTable(headers, rows, 80)) context.out(line);
  });
}

/**
 * `switchyard replay cancel <job-id>`: cancels a running replay started anywhere (its runner stops at its next
 * checkpoint; the page in flight is finished, and what was delivered stays delivered). Exit 1 for an unknown or
 * finished job.
 */
export function replayCancelCommand(context: CliContext): Command {
  const command = addBusTargetOptions(new Command('cancel').description('cancel a running replay (its runner finishes the page in flight and stops)').argument('<job-id>', 'the job, as replay list shows it'));
  return addJsonOption(command, 'the cancelled job').action(async (jobId: string, options: TargetOptions) => {
    const { jobs, target } = await replayJobsOf(options, context);
    const job = await jobs.get(jobId);
    if (job === undefined) throw CliError.failure(`${target.description} has no replay ${JSON.stringify(jobId)}: switchyard replay list shows its replays`);
    if (job.state !== REPLAY_STATE.running || !(await jobs.cancel(jobId))) {
      const now = (await jobs.get(jobId)) ?? job;
      throw CliError.failure(`replay ${jobId} is already ${now.state}, not running: nothing to cancel`);
    }
    const cancelled = (await jobs.get(jobId)) ?? { ...job, state: REPLAY_STATE.cancelled };
    if (options.json) {
      context.out(JSON.stringify(shown(cancelled)));
      return;
    }
    const { delivered, failed, matched } = cancelled.counts;
    context.out(
      `replay ${jobId} cancelled: ${delivered} delivered, ${failed} failed so far, of ${cancelled.expected ?? matched} matching events; its runner stops after the page in flight, and what it delivered stays delivered`,
    );
  });
}

async function replayJobsOf(options: TargetOptions, context: CliContext): Promise<{ jobs: ReplayJobs; target: BusTarget }> {
  const target = await resolveBusTarget(busTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
  const clients = createAwsClients(target.env);
  return { jobs: new ReplayJobs({ documents: clients.documents, tableName: target.need(ENV.deliveryTableName) }), target };
}

/** A job as the CLI shows it: without the runner's cursor. */
function shown(job: ReplayJob): Omit<ReplayJob, 'cursor'> {
  const { cursor: _cursor, ...rest } = job;
  return rest;
}

function stateOption(value: string): ReplayState {
  if (!(STATES as string[]).includes(value)) throw new InvalidArgumentError(`--state must be one of ${STATES.join(', ')}, got ${JSON.stringify(value)}`);
  return value as ReplayState;
}
