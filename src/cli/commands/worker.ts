import { Command, InvalidArgumentError, Option } from 'commander';
import { shardWorkerFromEnvironment } from '../../wiring/workerFromEnvironment';
import { parseStartPosition } from '../../worker/startPosition';
import type { StartPosition, WorkerLog } from '../../worker/types';
import { loadEventHandler } from '../loadEventHandler';
import { resolveBusTarget } from '../target/resolveBusTarget';
import type { CliContext } from '../types';
import { ENV } from '../../wiring/environment';
import { addBusTargetOptions, addJsonOption, busTargetOf, positiveInteger } from './options';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

interface WorkerCommandOptions {
  consumer: string;
  handler: string;
  from?: StartPosition;
  maxAttempts?: number;
  concurrency?: number;
  completionRecords?: 'event' | 'shard';
  flushEvents?: number;
  logLevel: LogLevel;
  json?: boolean;
  stage?: string;
  region?: string;
  dataDir?: string;
}

/**
 * `switchyard worker`: runs a `ShardWorker` for one consumer in this process, with the handler exported by a
 * module, until Ctrl-C (or SIGTERM) — then stops gracefully: the event in flight finishes, each shard is
 * checkpointed and its lease released, so another worker of the consumer takes over at once.
 */
export function workerCommand(context: CliContext): Command {
  const command = new Command('worker')
    .description('run a worker: every event of the stream, in order per shard, through your handler, each completed once per consumer')
    .requiredOption('--consumer <name>', 'consumer name: its leases, checkpoints, idempotency records and parked keys are its own')
    .requiredOption('--handler <module>', 'module exporting `handler(event, context)` (and optionally `init()`), relative to the current directory')
    .option(
      '--from <position>',
      'where a consumer that never ran starts: trim-horizon, latest, an ISO 8601 time, or a sequence number (default: trim-horizon)',
      (value: string) => {
        try {
          return parseStartPosition(value);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      },
    )
    .option('--max-attempts <n>', 'runs of a failing event before its partition key is parked (default: 5)', positiveInteger('--max-attempts'))
    .option('--concurrency <n>', 'events in flight per shard, never two of one partition key (default: 1, whole-shard order)', positiveInteger('--concurrency'))
    .addOption(
      new Option('--completion-records <kind>', 'how completions are kept: event (an idempotency item per source + id; copies re-published later are skipped) or shard (on the lease; ~3× faster, exactly once per stream record); default: event')
        .choices(['event', 'shard']),
    )
    .option('--flush-events <n>', 'events of a shard run before their completions are written, at most: what a crash may run twice (default: 25; shard records: the batch size)', positiveInteger('--flush-events'))
    .addOption(new Option('--log-level <level>', 'what the worker logs to stderr').choices(LOG_LEVELS).default('info'));
  addBusTargetOptions(command);
  addJsonOption(command, 'the running and stopped lines as JSON objects (log lines are JSON on stderr either way)');
  return command.action(async (options: WorkerCommandOptions) => runWorker(options, context));
}

async function runWorker(options: WorkerCommandOptions, context: CliContext): Promise<void> {
  // Listen from the start: a Ctrl-C while the worker starts stops it as soon as it has started.
  const stopRequested = context.waitForStop();
  const target = await resolveBusTarget(busTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
  for (const name of [ENV.eventStreamName, ENV.workerTableName, ENV.idempotencyTableName]) target.need(name);
  // The handler module's own AWS clients (built from process.env) reach the same bus as the worker.
  context.applyEnv(target.env);
  const module = await loadEventHandler(options.handler, context.cwd);
  await module.init?.();

  const log = jsonLog(context, options.logLevel);
  const worker = shardWorkerFromEnvironment(
    {
      consumer: options.consumer,
      handler: module.handler,
      ...(options.from ? { startPosition: options.from } : {}),
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.concurrency ? { concurrencyPerShard: options.concurrency } : {}),
      ...(options.completionRecords ? { completionRecords: options.completionRecords } : {}),
      ...(options.flushEvents ? { completionFlush: { maxEvents: options.flushEvents } } : {}),
      log,
      onParked: (parked) =>
        context.err(
          `parked: key ${JSON.stringify(parked.partitionKey)} held after ${parked.attempts} attempt(s) of event ${parked.id ?? '(not a CloudEvent)'} ` +
            `at ${parked.shardId}/${parked.sequenceNumber}: ${parked.lastError}. ` +
            `Release or skip it: switchyard parked release|skip --consumer ${options.consumer} --key ${JSON.stringify(parked.partitionKey)}`,
        ),
    },
    target.env,
  );
  await worker.start();
  const shards = worker.ownedShards();
  context.out(
    options.json
      ? JSON.stringify({ state: 'running', consumer: options.consumer, workerId: worker.workerId, bus: target.description, shards })
      : `worker ${options.consumer} (${worker.workerId}) running on the ${target.description}; shards: ${shards.join(', ') || 'none yet'}. Ctrl-C stops it.`,
  );
  const signal = await stopRequested;
  context.err(`${signal}: stopping worker ${options.consumer} (finishing the event in flight, checkpointing, releasing leases)`);
  await worker.stop();
  context.out(options.json ? JSON.stringify({ state: 'stopped', consumer: options.consumer, workerId: worker.workerId, signal }) : `worker ${options.consumer} stopped`);
}

/** Worker log lines as JSON on stderr, from `level` up. */
function jsonLog(context: CliContext, level: LogLevel): WorkerLog {
  const threshold = LOG_LEVELS.indexOf(level);
  return (lineLevel, message, detail) => {
    if (LOG_LEVELS.indexOf(lineLevel) < threshold) return;
    context.err(JSON.stringify({ time: new Date().toISOString(), level: lineLevel.toUpperCase(), message, ...detail }));
  };
}
