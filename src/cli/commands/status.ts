import { resolve } from 'node:path';
import { Command } from 'commander';
import { createEventKeys } from '../../crypto';
import { DeliveryLedger } from '../../delivery/ledger/DeliveryLedger';
import { STATUS_OUTPUT } from '../../observability/statusOutput';
import { createAwsClients } from '../../wiring/awsClients';
import { ENV } from '../../wiring/environment';
import { eventStoreFromEnvironment } from '../../wiring/ingestFromEnvironment';
import { CliError } from '../errors';
import { formatStatus } from '../status/formatStatus';
import { readLocalStatus } from '../status/localStatus';
import type { BusStatus } from '../status/types';
import { resolveBusTarget } from '../target/resolveBusTarget';
import { describeStackOutputs } from '../target/stackOutputs';
import type { CliContext } from '../types';
import { addBusTargetOptions, addJsonOption, busTargetOf } from './options';

interface StatusOptions {
  json?: boolean;
  stage?: string;
  region?: string;
  dataDir?: string;
}

/**
 * `switchyard status`: the stage dashboard's figures for the last hour. For a stage (`--stage`) they come from
 * CloudWatch (GetMetricData on the stage's namespace, its functions and its API, as the `StatusMetrics` output
 * names them); for the local bus, which publishes no metrics, from what the bus can measure itself — the
 * ledger's pending and dead counts, the router's lag per shard, the events stored by type.
 */
export function statusCommand(context: CliContext): Command {
  const command = new Command('status').description('the last hour of the bus: publishes, consumer lag, deliveries, backlog, dead letters (the stage dashboard\'s figures)');
  return addJsonOption(addBusTargetOptions(command), 'one JSON document').action(async (options: StatusOptions) => {
    const status = options.stage === undefined ? await localStatus(options, context) : await stageStatus(options.stage, options.region, context);
    if (options.json) context.out(JSON.stringify(status));
    else for (const line of formatStatus(status)) context.out(line);
  });
}

async function localStatus(options: StatusOptions, context: CliContext): Promise<BusStatus> {
  const target = await resolveBusTarget(busTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
  const clients = createAwsClients(target.env);
  try {
    const ledger = new DeliveryLedger({
      documents: clients.documents,
      tableName: target.need(ENV.deliveryTableName),
      keys: createEventKeys({ kms: clients.kms, keyId: target.need(ENV.kmsKeyId) }),
      // Counting needs no event opened: an unreadable item still counts, and is said once.
      onUnreadable: (ref) => context.err(`an item of subscription ${ref.subscriptionId} in the ledger cannot be opened (counted all the same)`),
    });
    return await readLocalStatus({
      target: target.description,
      ledger,
      store: eventStoreFromEnvironment(target.env, clients),
      kinesis: clients.kinesis,
      streamName: target.need(ENV.eventStreamName),
      dataDir: resolve(context.cwd, options.dataDir ?? (context.env.SWITCHYARD_DATA_DIR || '.switchyard')),
    });
  } finally {
    for (const client of [clients.dynamodb, clients.kms, clients.kinesis]) client.destroy();
  }
}

async function stageStatus(stage: string, region: string | undefined, context: CliContext): Promise<BusStatus> {
  if (!/^[A-Za-z][A-Za-z0-9-]{0,100}$/.test(stage)) throw new CliError(`--stage must be a stage name (letters, digits, hyphens), got ${JSON.stringify(stage)}`);
  const stackName = `Switchyard-${stage}`;
  const outputs = await (context.readStackOutputs ?? describeStackOutputs)(stackName, region);
  // Loaded here only: the local path needs neither the CloudWatch client nor its queries.
  let cloudwatchModule: typeof import('@aws-sdk/client-cloudwatch');
  try {
    cloudwatchModule = await import('@aws-sdk/client-cloudwatch');
  } catch (error) {
    throw CliError.failure('status --stage needs the package @aws-sdk/client-cloudwatch: run npm install', { cause: error });
  }
  const { parseStatusOutput, readStageStatus } = await import('../status/stageStatus');
  const output = parseStatusOutput(outputs[STATUS_OUTPUT], stackName);
  const cloudwatch = new cloudwatchModule.CloudWatchClient(region ? { region } : {});
  try {
    return await readStageStatus(cloudwatch, output, `stage ${stage} (${stackName})`);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw CliError.failure(`CloudWatch GetMetricData for ${stackName} failed (${message}): check your AWS credentials and cloudwatch:GetMetricData permission`, { cause: error });
  } finally {
    cloudwatch.destroy();
  }
}
