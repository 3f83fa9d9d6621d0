import { InvalidArgumentError, type Command } from 'commander';
import type { BusTargetOptions } from '../target/resolveBusTarget';

/** `--stage`, `--region`, `--data-dir`: which bus a command talks to. */
export function addBusTargetOptions(command: Command): Command {
  return command
    .option('--stage <name>', 'a deployed stage (stack Switchyard-<name>, read with CloudFormation DescribeStacks); the local bus when absent')
    .option('--region <region>', 'AWS region of the stage (default: AWS_REGION or the profile)')
    .option('--data-dir <dir>', 'data dir of the local bus (default: SWITCHYARD_DATA_DIR or .switchyard)');
}

/** The bus-target part of a command's parsed options. */
export function busTargetOf(options: { stage?: string; region?: string; dataDir?: string }): BusTargetOptions {
  return { stage: options.stage, region: options.region, dataDir: options.dataDir };
}

/** Commander parser of a positive integer option. */
export function positiveInteger(name: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1) {
      throw new InvalidArgumentError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
    }
    return parsed;
  };
}
