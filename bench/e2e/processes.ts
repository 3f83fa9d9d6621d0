/**
 * Processes the e2e bench starts (the local bus, nats-server, the JetStream router): each keeps the tail of
 * its output for error messages, stops gracefully with a deadline and then by SIGKILL, and is SIGKILLed when
 * the bench process exits for any reason.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const TAIL_LINES = 40;
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export class Managed {
  private readonly lines: string[] = [];
  private readonly exited: Promise<number | null>;
  private readonly listeners: ((line: string) => void)[] = [];

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    installExitHook();
    running.add(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        resolve(code ?? (signal ? -1 : null));
      });
      // E.g. ENOENT: the command is not there; there may be no 'exit' after it.
      child.once('error', (error) => {
        running.delete(child);
        this.lines.push(String(error));
        resolve(-2);
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => {
        const parts = (partial + text).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) {
          this.lines.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
          if (this.lines.length > TAIL_LINES) this.lines.shift();
          for (const listener of this.listeners) listener(line);
        }
      });
    }
  }

  /** The last lines it printed, for an error message. */
  tail(): string {
    return this.lines.length ? `last lines of ${this.name}:\n  ${this.lines.join('\n  ')}` : `${this.name} printed nothing`;
  }

  onLine(listener: (line: string) => void): void {
    this.listeners.push(listener);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Its first IPC message, or an error (with its output) if it exits or takes longer than `ms` first. */
  firstMessage<T>(ms: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not start within ${ms} ms\n${this.tail()}`)), ms);
      this.child.once('message', (message) => {
        clearTimeout(timer);
        resolve(message as T);
      });
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code}) while starting\n${this.tail()}`));
      });
    });
  }

  /** Resolves with the first line matching `pattern`, or fails after `ms` or on exit. */
  waitForLine(pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no line matching ${pattern} within ${ms} ms\n${this.tail()}`)), ms);
      this.onLine((line) => {
        const match = line.match(pattern);
        if (match) {
          clearTimeout(timer);
          resolve(match);
        }
      });
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code})\n${this.tail()}`));
      });
    });
  }

  /** Asks it to stop (`stop` over IPC, else SIGTERM); SIGKILL after `graceMs`. Never throws. */
  async stop(graceMs = 8_000): Promise<void> {
    if (!this.alive) return;
    if (this.child.connected) this.child.send('stop', () => undefined);
    else this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * A TypeScript module of bench/e2e run in a child process with tsx, with IPC. With `cpuProfileDir`, it runs
 * under `--cpu-prof` and writes its profile there when it exits.
 */
export function forkTs(name: string, module: string, args: string[], cpuProfileDir?: string): Managed {
  const execArgv = ['--import', 'tsx', ...(cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`] : [])];
  // From the repository's root, where `--import tsx` resolves.
  const child = fork(join(__dirname, module), args, { cwd: join(__dirname, '..', '..'), execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  return new Managed(name, child);
}

export function spawnProcess(name: string, command: string, args: string[]): Managed {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Managed(name, child);
}
