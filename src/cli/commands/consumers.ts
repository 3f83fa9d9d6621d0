import { Command } from 'commander';
import { createAwsClients } from '../../wiring/awsClients';
import { ENV } from '../../wiring/environment';
import { ConsumerRegistry } from '../../worker/ConsumerRegistry';
import { CliError } from '../errors';
import { formatTable } from '../formatTable';
import { resolveBusTarget } from '../target/resolveBusTarget';
import type { CliContext } from '../types';
import { addBusTargetOptions, busTargetOf } from './options';

interface ConsumersOptions {
  json?: boolean;
  stage?: string;
  region?: string;
  dataDir?: string;
}

/**
 * `switchyard consumers list|remove`: the worker consumers the stage has registered (its `maxWorkerConsumers`
 * limit counts them), and freeing the slot of one that is gone. Removing leaves its checkpoints and idempotency
 * records: a worker of that name started again registers again and resumes where it stopped.
 */
export function consumersCommand(context: CliContext): Command {
  const consumers = new Command('consumers').description("the stage's registered worker consumers (maxWorkerConsumers counts them): list them, or remove one that is gone");
  consumers.addCommand(
    addBusTargetOptions(new Command('list').description('registered consumers, with when and by which worker'))
      .option('--json', 'one JSON object per line')
      .action(async (options: ConsumersOptions) => {
        const list = await (await registryOf(options, context)).list();
        if (options.json) {
          for (const entry of list) context.out(JSON.stringify(entry));
          return;
        }
        if (list.length === 0) {
          context.out('no worker consumers registered');
          return;
        }
        const rows = list.map((entry) => [entry.consumer, new Date(entry.registeredAt).toISOString(), entry.registeredBy]);
        for (const line of formatTable(['CONSUMER', 'REGISTERED AT', 'BY'], rows)) context.out(line);
      }),
  );
  consumers.addCommand(
    addBusTargetOptions(new Command('remove').description("free a consumer's slot (its checkpoints stay): stop its workers first").argument('<consumer>', 'the consumer name'))
      .option('--json', 'machine output: { consumer, removed }')
      .action(async (consumer: string, options: ConsumersOptions) => {
        const removed = await (await registryOf(options, context)).unregister(consumer);
        if (!removed) throw new CliError(`consumer ${JSON.stringify(consumer)} is not registered: see switchyard consumers list`, 1);
        context.out(options.json ? JSON.stringify({ consumer, removed: true }) : `consumer ${JSON.stringify(consumer)} removed; its slot is free`);
      }),
  );
  return consumers;
}

async function registryOf(options: ConsumersOptions, context: CliContext): Promise<ConsumerRegistry> {
  const target = await resolveBusTarget(busTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
  return new ConsumerRegistry({ documents: createAwsClients(target.env).documents, tableName: target.need(ENV.workerTableName) });
}
