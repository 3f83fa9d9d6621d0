import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** `bin/cli.ts`, run through its shebang (`#!/usr/bin/env -S node --import tsx`), as `npx switchyard` runs it. */
export const CLI_PATH = join(ROOT, 'bin', 'cli.ts');

export interface CliRunOptions {
  /** Added to (and overriding) this process's environment. */
  env?: Record<string, string | undefined>;
  /** Written to the command's standard input, which is then closed. @default nothing (closed at once) */
  stdin?: string;
  /** @default the repository root */
  cwd?: string;
  /** Killed (SIGKILL) after this long; the result then says so. @default 60_000 */
  timeoutMs?: number;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<CliResult>;
  /** Sends SIGINT (Ctrl-C) and waits for the exit. */
  interrupt(): Promise<CliResult>;
}

/** Starts `switchyard <args>` as its own process (for long-running commands such as `tail`). */
export function startCli(args: readonly string[], options: CliRunOptions = {}): RunningCli {
  const env: NodeJS.ProcessEnv = { ...process.env, SWITCHYARD_DEBUG: '', ...options.env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const child = spawn(CLI_PATH, [...args], { cwd: options.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.end(options.stdin ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const exited = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    interrupt: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

/** Runs `switchyard <args>` to its end and answers its exit code and output. */
export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return startCli(args, options).exited;
}
