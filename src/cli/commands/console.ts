import { Command } from 'commander';
import { createConsoleHandler } from '../../console/consoleHandler';
import { consoleFromEnvironment } from '../../console/consoleFromEnvironment';
import { startConsoleServer } from '../../console/startConsoleServer';
import { localOperator, stageOperator } from '../../console/whoIsOperator';
import { resolveBusTarget } from '../target/resolveBusTarget';
import type { CliContext } from '../types';
import { addBusTargetOptions, busTargetOf, positiveInteger } from './options';

interface ConsoleOptions {
  stage?: string;
  region?: string;
  dataDir?: string;
  port: number;
}

/** The port `switchyard console` listens on unless told: beside the local bus's 4000. */
const DEFAULT_CONSOLE_PORT = 4100;

/**
 * `switchyard console --stage NAME`: the operator console on 127.0.0.1 against a deployed stage, with the
 * operator's own AWS credentials (reads and actions are theirs; nothing is created in AWS). Every redrive, replay,
 * disable and enable goes to standard error with the caller identity. Runs until Ctrl-C.
 */
export function consoleCommand(context: CliContext): Command {
  return addBusTargetOptions(new Command('console').description('serve the operator console on 127.0.0.1 for a deployed stage (or the local bus), with your own AWS credentials'))
    .option('--port <n>', `port on 127.0.0.1 (0 picks a free one)`, portOption, DEFAULT_CONSOLE_PORT)
    .action(async (options: ConsoleOptions) => {
      const target = await resolveBusTarget(busTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
      const deps = consoleFromEnvironment(target.env, {
        description: target.description,
        actor: options.stage === undefined ? localOperator() : stageOperator(target.env),
        audit: (record) => context.err(JSON.stringify({ level: 'INFO', message: 'console action', ...record })),
      });
      const server = await startConsoleServer(createConsoleHandler(deps), options.port);
      context.out(`Switchyard console for ${target.description}: ${server.url} (Ctrl-C stops it)`);
      await context.waitForStop();
      await server.close();
    });
}

function portOption(value: string): number {
  return value === '0' ? 0 : positiveInteger('--port')(value);
}
