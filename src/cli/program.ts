import { Command, CommanderError } from 'commander';
import { deliveriesCommand } from './commands/deliveries';
import { consumersCommand } from './commands/consumers';
import { consoleCommand } from './commands/console';
import { parkedCommand } from './commands/parked';
import { producersCommand } from './commands/producers';
import { replayCommand } from './commands/replay';
import { statusCommand } from './commands/status';
import { subscriptionsCommand } from './commands/subscriptions';
import { workerCommand } from './commands/worker';
import { publishCommand } from './commands/publish';
import { getCommand } from './commands/get';
import { tailCommand } from './commands/tail';
import { typesCommand } from './commands/types';
import { CliError } from './errors';
import type { CliContext } from './types';

/**
 * The `switchyard` command line: one sub-command per file in `commands/`, each talking to the local bus by
 * default or to a deployed stage with `--stage`. Add a command by writing `commands/<name>.ts` and listing it here.
 */
export function createProgram(context: CliContext): Command {
  const program = new Command('switchyard').description('Switchyard event bus: publish and watch events, run ordered exactly-once workers, inspect, redrive and replay deliveries');
  // One line per command, in the order `--help` lists them.
  const commands: Array<(context: CliContext) => Command> = [
    publishCommand,
    getCommand,
    tailCommand,
    typesCommand,
    workerCommand,
    parkedCommand,
    consumersCommand,
    deliveriesCommand,
    subscriptionsCommand,
    replayCommand,
    producersCommand,
    statusCommand,
    consoleCommand,
  ];
  // A command's options stay with it: `replay --subscription …` has sub-commands (`replay list --subscription …`)
  // whose options share its names, so the program passes everything after a command's name to that command in order.
  program.enablePositionalOptions();
  for (const command of commands) program.addCommand(command(context));
  // Added commands do not inherit their parent's settings: give every level the context's output.
  const configure = (command: Command) => {
    command.configureOutput({
      writeOut: (text) => context.out(text.replace(/\n$/, '')),
      writeErr: (text) => context.err(text.replace(/\n$/, '')),
    });
    // A usage mistake says where the usage is.
    command.showHelpAfterError(`(switchyard ${command === program ? '' : `${commandPath(command)} `}--help shows the usage)`);
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/** `subscriptions push`: the names from below the program down to `command`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at?.parent; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

/**
 * Runs the command line `argv` (without the node and script entries) and answers the exit code: 0 on success,
 * 2 for a usage mistake, a `CliError`'s own code (2 usage, 1 failure; its message without a stack), 1 for
 * anything else (its message; the stack too with `SWITCHYARD_DEBUG=1`).
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
