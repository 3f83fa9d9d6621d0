import { isAbsolute, resolve } from 'node:path';
import type { EventHandler } from '../worker/types';
import { CliError } from './errors';

/** A worker module: its event handler, and an optional `init()` awaited once before the worker starts. */
export interface WorkerModule {
  handler: EventHandler;
  init?: () => Promise<void> | void;
}

/**
 * Loads the worker module at `modulePath` (relative to `cwd`): CommonJS or ESM, JavaScript or (under the CLI's
 * tsx) TypeScript. The handler is the `handler` export, else a default-exported function, else `default.handler`
 * (CommonJS seen through ESM interop). An `init` export, when present, prepares what the handler needs
 * (connections, a table) once.
 */
export async function loadEventHandler(modulePath: string, cwd: string): Promise<WorkerModule> {
  const absolute = isAbsolute(modulePath) ? modulePath : resolve(cwd, modulePath);
  let loaded: unknown;
  try {
    loaded = await import(absolute);
  } catch (error) {
    const reason = (error as { message?: unknown } | null)?.message ?? error;
    throw new CliError(`handler module ${modulePath} did not load: ${String(reason)}`, 2, { cause: error });
  }
  const exportsOf = [loaded, (loaded as { default?: unknown } | null)?.default].filter(
    (candidate): candidate is Record<string, unknown> => (typeof candidate === 'object' || typeof candidate === 'function') && candidate !== null,
  );
  const handler = [
    ...exportsOf.map((mod) => mod.handler),
    (loaded as { default?: unknown } | null)?.default,
  ].find((candidate): candidate is EventHandler => typeof candidate === 'function');
  if (!handler) {
    throw new CliError(`handler module ${modulePath} exports no handler: export \`handler(event, context)\` (async), or a default function`);
  }
  const init = exportsOf.map((mod) => mod.init).find((candidate): candidate is () => Promise<void> => typeof candidate === 'function');
  return init ? { handler, init } : { handler };
}
