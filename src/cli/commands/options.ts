import { InvalidArgumentError, type Command } from 'commander';
import type { ApiTargetOptions } from '../target/resolveApiTarget';
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

/** `--url`, `--token`, `--stage`, `--region`: which HTTP API a command calls (the local bus by default). */
export function addApiTargetOptions(command: Command): Command {
  return command
    .option('--url <url>', 'base URL of the bus API (default: SWITCHYARD_URL or http://127.0.0.1:4000, the local bus)')
    .option('--token <token>', 'producer token, sent as Authorization: Bearer (default: SWITCHYARD_TOKEN)')
    .option('--stage <name>', "a deployed stage: its stack's ApiUrl output (stack Switchyard-<name>)")
    .option('--region <region>', 'AWS region of the stage (default: AWS_REGION or the profile)');
}

/** The API-target part of a command's parsed options. */
export function apiTargetOf(options: { url?: string; token?: string; stage?: string; region?: string }): ApiTargetOptions {
  return { url: options.url, token: options.token, stage: options.stage, region: options.region };
}

/** `--json`: machine output on stdout, `what` it prints (one document, or one per line). */
export function addJsonOption(command: Command, what: string): Command {
  return command.option('--json', `machine output: ${what}`);
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
