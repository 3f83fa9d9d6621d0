import type { StackOutputsReader } from './target/stackOutputs';

/** What the commands need from their process; `bin/cli.ts` passes the real ones, tests their own. */
export interface CliContext {
  /** A line to standard output (results). */
  out(line: string): void;
  /** A line to standard error (progress, logs, warnings). */
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Makes the bus target's environment the process's, so a worker module's own AWS clients reach the same bus. */
  applyEnv(env: NodeJS.ProcessEnv): void;
  /** Resolves with the signal's name when the user asks a long-running command to stop (Ctrl-C, SIGTERM). */
  waitForStop(): Promise<string>;
  /** @default DescribeStacks through the AWS SDK */
  readStackOutputs?: StackOutputsReader;
  /** Standard input, for `--data -` and `--file -`. @default none: those options are refused */
  stdin?: NodeJS.ReadableStream;
  /**
   * Standard error when it is a terminal: progress bars draw there, and nowhere when it is absent (a pipe, a
   * file, a test), so redirected output holds only lines. @default none
   */
  terminal?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}
