import { Command, CommanderError } from 'commander';
import { deliveriesCommand } from './commands/deliveries';
import { parkedCommand } from './commands/parked';
import { subscriptionsCommand } from './commands/subscriptions';
import { workerCommand } from './commands/worker';
import { CliError } from './errors';
import type { CliContext } from './types';

/**
 * The `switchyard` command line: one sub-command per file in `commands/`, each talking to the local bus by
 * default or to a deployed stage with `--stage`. Add a command by writing `commands/<name>.ts` and listing it here.
 */
export function createProgram(context: CliContext): Command {
  const program = new Command('switchyard').description('Switchyard event bus: run ordered exactly-once workers, inspect and redrive deliveries');
  for (const command of [workerCommand(context), parkedCommand(context), deliveriesCommand(context), subscriptionsCommand(context)]) {
    program.addCommand(command);
  }
  // Added commands do not inherit their parent's settings: give every level the context's output.
  const configure = (command: Command) => {
    command.configureOutput({
      writeOut: (text) => context.out(text.replace(/\n$/, '')),
      writeErr: (text) => context.err(text.replace(/\n$/, '')),
    });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/**
 * Runs the command line `argv` (without the node and script entries) and answers the exit code: 0 on success,
 * 2 for a usage mistake or a `CliError` (one line, no stack), 1 for anything else (its message; the stack too
 * with `SWITCHYARD_DEBUG=1`).
 */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  const program = createProgram(context);
  const exitOverride = (error: CommanderError) => {
    throw error;
  };
  const applyExitOverride = (command: Command) => {
    command.exitOverride(exitOverride);
    command.commands.forEach(applyExitOverride);
  };
  applyExitOverride(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with code 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      context.err(`switchyard: ${error.message}`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    context.err(`switchyard: ${message}`);
    if (context.env.SWITCHYARD_DEBUG && error instanceof Error && error.stack) context.err(error.stack);
    return 1;
  }
}
