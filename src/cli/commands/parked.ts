import { Command } from 'commander';
import { createAwsClients } from '../../wiring/awsClients';
import { ENV } from '../../wiring/environment';
import { ParkedLanes } from '../../worker/ParkedLanes';
import { CliError } from '../errors';
import { formatTable } from '../formatTable';
import { resolveBusTarget } from '../target/resolveBusTarget';
import type { CliContext } from '../types';
import { addBusTargetOptions, busTargetOf } from './options';

interface ParkedOptions {
  consumer: string;
  key?: string;
  json?: boolean;
  stage?: string;
  region?: string;
  dataDir?: string;
}

/**
 * `switchyard parked list|release|skip`: a consumer's parked partition keys (an event that failed
 * `maxAttempts` times holds its key's later events back), and the two ways out — `release` retries the parked
 * event and then the held ones in order, `skip` acknowledges it unhandled and runs the rest. A running worker
 * of the consumer picks the request up within a few seconds.
 */
export function parkedCommand(context: CliContext): Command {
  const parked = new Command('parked').description("a worker consumer's parked keys: list them, release (retry) or skip their parked event");
  parked.addCommand(
    withTarget(new Command('list').description('parked keys, with the parked event and how many events wait behind it'))
      .requiredOption('--consumer <name>', 'the worker consumer')
      .option('--json', 'one JSON object per line')
      .action(async (options: ParkedOptions) => {
        const lanes = await lanesOf(options, context);
        const list = await lanes.list();
        if (options.json) {
          for (const entry of list) context.out(JSON.stringify(entry));
          return;
        }
        if (list.length === 0) {
          context.out(`no parked keys for consumer ${options.consumer}`);
          return;
        }
        const rows = list.map((p) => [p.partitionKey, p.id ?? '-', p.type ?? '-', p.reason, String(p.attempts), String(p.laneLength ?? 1), p.action ?? '-', p.parkedAt, p.lastError]);
        for (const line of formatTable(['KEY', 'EVENT ID', 'TYPE', 'REASON', 'ATTEMPTS', 'HELD', 'REQUEST', 'PARKED AT', 'LAST ERROR'], rows)) context.out(line);
      }),
  );
  for (const action of ['release', 'skip'] as const) {
    parked.addCommand(
      withTarget(
        new Command(action).description(
          action === 'release' ? "retry a parked key's event, then its held events in order" : "acknowledge a parked key's event without handling it, then run its held events",
        ),
      )
        .requiredOption('--consumer <name>', 'the worker consumer')
        .requiredOption('--key <partitionKey>', 'the parked partition key')
        .option('--json', 'machine output: { consumer, key, action, requested }')
        .action(async (options: ParkedOptions) => {
          const lanes = await lanesOf(options, context);
          const key = options.key!;
          if (!(await lanes.request(key, action))) {
            throw new CliError(`key ${JSON.stringify(key)} is not parked for consumer ${options.consumer}: see switchyard parked list --consumer ${options.consumer}`, 1);
          }
          context.out(
            options.json
              ? JSON.stringify({ consumer: options.consumer, key, action, requested: true })
              : `${action} of key ${JSON.stringify(key)} requested; a running worker of ${options.consumer} carries it out`,
          );
        }),
    );
  }
  return parked;
}

function withTarget(command: Command): Command {
  return addBusTargetOptions(command);
}

async function lanesOf(options: ParkedOptions, context: CliContext): Promise<ParkedLanes> {
  const target = await resolveBusTarget(busTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
  return new ParkedLanes({ documents: createAwsClients(target.env).documents, tableName: target.need(ENV.workerTableName), consumer: options.consumer });
}
