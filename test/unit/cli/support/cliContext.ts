import type { CliContext } from '../../../../src/cli/types';

/** A CLI context that records what a command prints, for asserting on its lines. */
export function cliContext(env: NodeJS.ProcessEnv = {}, cwd: string = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
    cwd,
    applyEnv: () => undefined,
    waitForStop: () => new Promise(() => undefined),
    readStackOutputs: async () => {
      throw new Error('not used');
    },
  };
  return { ctx, out, err };
}
