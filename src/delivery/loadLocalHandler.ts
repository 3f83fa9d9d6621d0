import { isAbsolute, resolve } from 'node:path';
import { DeliveryError } from './errors';
import { errorMessage } from './errorMessage';

/** A Lambda-style handler of the local bus: `handler(event, context)`, async or not. */
export type LocalHandler = (event: unknown, context: LocalInvokeContext) => unknown;

/** The part of the Lambda context a local function gets. */
export interface LocalInvokeContext {
  functionName: string;
  invokedFunctionArn: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/**
 * Loads the module of a local function (a path of `local.functions`, relative to `baseDir`) and returns its
 * `handler` export, else its default export (a function, or an object with `handler`), else the module itself
 * when it is a function. Modules are cached by the module system: an edited module needs a restart.
 * @throws DeliveryError (retryable, `function_error`) when the module does not load or has no handler.
 */
export async function loadLocalHandler(modulePath: string, baseDir: string): Promise<LocalHandler> {
  const absolute = isAbsolute(modulePath) ? modulePath : resolve(baseDir, modulePath);
  let loaded: unknown;
  try {
    loaded = await import(absolute);
  } catch (error) {
    throw new DeliveryError(`local function module ${modulePath} did not load: ${errorMessage(error)}`, 'function_error', true, { cause: error });
  }
  const handler = pickHandler(loaded);
  if (!handler) {
    throw new DeliveryError(`local function module ${modulePath} exports no handler (export a function named "handler" or a default)`, 'function_error', true);
  }
  return handler;
}

function pickHandler(loaded: unknown): LocalHandler | undefined {
  const candidates: unknown[] = [];
  if (typeof loaded === 'function') candidates.push(loaded);
  if (typeof loaded === 'object' && loaded !== null) {
    const mod = loaded as { handler?: unknown; default?: unknown };
    candidates.push(mod.handler, mod.default);
    // CommonJS seen through ESM interop: `module.exports = { handler }` arrives as `default.handler`.
    if (typeof mod.default === 'object' && mod.default !== null) candidates.push((mod.default as { handler?: unknown }).handler);
  }
  return candidates.find((candidate): candidate is LocalHandler => typeof candidate === 'function');
}
