import { resolve } from 'node:path';
import { ENV } from '../../wiring/environment';
import { CliError } from '../errors';
import { readLocalBusEndpoints } from './localBusEndpoints';
import { describeStackOutputs, type StackOutputsReader } from './stackOutputs';

/** Which bus a command talks to: the local one (default) or a deployed stage. */
export interface BusTargetOptions {
  /** A deployed stage (`Switchyard-<stage>`); the local bus when absent. */
  stage?: string;
  /** AWS region of the stage. @default the SDK's (AWS_REGION, profile) */
  region?: string;
  /** Data dir of the local bus. @default SWITCHYARD_DATA_DIR or `.switchyard` */
  dataDir?: string;
}

/** A resolved bus: the environment the runtime's `fromEnvironment` builders read, and a name for messages. */
export interface BusTarget {
  /** `local bus at http://…` or `stage prod (Switchyard-prod)`. */
  description: string;
  /** process.env overlaid with the bus's endpoints and resource names (ENV). */
  env: NodeJS.ProcessEnv;
  /** The value of an ENV variable this command needs, or a CliError saying which output the bus lacks. */
  need(name: string): string;
}

/** The variable holding the bus's HTTP API base URL (`--url`'s default; a stage's `ApiUrl` output). */
export const BUS_URL_VARIABLE = 'SWITCHYARD_URL';

/** Stack outputs of `SwitchyardStage` and the variable each one fills. */
export const STAGE_OUTPUT_VARIABLES: Readonly<Record<string, string>> = {
  ApiUrl: BUS_URL_VARIABLE,
  EventStreamName: ENV.eventStreamName,
  EventTableName: ENV.eventTableName,
  IdempotencyTableName: ENV.idempotencyTableName,
  WorkerTableName: ENV.workerTableName,
  MaxWorkerConsumers: ENV.maxWorkerConsumers,
  DeliveryTableName: ENV.deliveryTableName,
  ConfigBucketName: ENV.configBucketName,
};

export interface ResolveBusTargetDependencies {
  env?: NodeJS.ProcessEnv;
  readStackOutputs?: StackOutputsReader;
  isAlive?: (pid: number) => boolean;
}

/** Resolves `--stage`/`--region`/`--data-dir` into the bus's environment. */
export async function resolveBusTarget(options: BusTargetOptions, deps: ResolveBusTargetDependencies = {}): Promise<BusTarget> {
  const baseEnv = deps.env ?? process.env;
  if (options.stage === undefined) {
    const dataDir = resolve(options.dataDir ?? (baseEnv.SWITCHYARD_DATA_DIR || '.switchyard'));
    const bus = await readLocalBusEndpoints(dataDir, deps.isAlive);
    const env = { ...baseEnv, ...bus.env };
    return target(`local bus at ${bus.url}`, env, (name) => `the local bus on ${dataDir} did not publish ${name}: restart it with this version`);
  }
  if (!/^[A-Za-z][A-Za-z0-9-]{0,100}$/.test(options.stage)) {
    throw new CliError(`--stage must be a stage name (letters, digits, hyphens), got ${JSON.stringify(options.stage)}`);
  }
  const stackName = `Switchyard-${options.stage}`;
  const outputs = await (deps.readStackOutputs ?? describeStackOutputs)(stackName, options.region);
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  // The stage's endpoints are AWS's own: drop overrides left in the shell for the local bus.
  for (const name of Object.keys(env)) if (name.startsWith('AWS_ENDPOINT_URL')) delete env[name];
  if (options.region) env.AWS_REGION = options.region;
  for (const [output, variable] of Object.entries(STAGE_OUTPUT_VARIABLES)) {
    if (outputs[output] !== undefined) env[variable] = outputs[output];
  }
  // The stage key's alias (see SwitchyardStage): wraps the data keys of what the ledger seals.
  env[ENV.kmsKeyId] = `alias/switchyard-${options.stage}`;
  const outputOf = (variable: string) => Object.entries(STAGE_OUTPUT_VARIABLES).find(([, v]) => v === variable)?.[0] ?? variable;
  return target(`stage ${options.stage} (${stackName})`, env, (name) => `stack ${stackName} has no output ${outputOf(name)}: redeploy the stage with this version`);
}

function target(description: string, env: NodeJS.ProcessEnv, missing: (name: string) => string): BusTarget {
  return {
    description,
    env,
    need(name) {
      const value = env[name];
      if (!value) throw new CliError(missing(name));
      return value;
    },
  };
}
