import { CliError } from '../errors';
import type { StackOutputsReader } from './stackOutputs';
import { BUS_URL_VARIABLE, resolveBusTarget } from './resolveBusTarget';

/** Where the local bus listens when nothing says otherwise (`npm start`). */
export const DEFAULT_BUS_URL = 'http://127.0.0.1:4000';
/** The variable holding the producer token the HTTP commands send (the same one the local bus checks). */
export const BUS_TOKEN_VARIABLE = 'SWITCHYARD_TOKEN';

/** Which HTTP API a command talks to, as its options give it. */
export interface ApiTargetOptions {
  /** Base URL of the API. @default SWITCHYARD_URL, else http://127.0.0.1:4000 */
  url?: string;
  /** Bearer token. @default SWITCHYARD_TOKEN; none when unset */
  token?: string;
  /** A deployed stage: its stack output `ApiUrl`. */
  stage?: string;
  /** AWS region of the stage. */
  region?: string;
}

/** A resolved API: its base URL (always ending in `/`), the token to send, and how messages name it. */
export interface ApiTarget {
  url: string;
  token?: string;
  /** `http://127.0.0.1:4000` or `stage prod (https://…/prod/)`. */
  description: string;
  /** Which option set the URL, for the advice in error messages. */
  origin: 'url' | 'env' | 'stage' | 'default';
}

export interface ResolveApiTargetDependencies {
  env?: NodeJS.ProcessEnv;
  readStackOutputs?: StackOutputsReader;
}

/**
 * Resolves `--url` / `--stage` / `--token` into the API to call: `--url` first, then `--stage`'s `ApiUrl`
 * output, then SWITCHYARD_URL, then the local bus's default address. Giving both `--url` and `--stage` is a
 * usage mistake, as is a URL that is not http(s).
 */
export async function resolveApiTarget(options: ApiTargetOptions, deps: ResolveApiTargetDependencies = {}): Promise<ApiTarget> {
  const env = deps.env ?? process.env;
  if (options.url !== undefined && options.stage !== undefined) throw new CliError('pass --url or --stage, not both');
  const token = options.token ?? (env[BUS_TOKEN_VARIABLE] || undefined);
  if (token !== undefined && !/^\S+$/.test(token)) throw new CliError('--token (or SWITCHYARD_TOKEN) must be one word without spaces');
  if (options.stage !== undefined) {
    const stage = await resolveBusTarget({ stage: options.stage, region: options.region }, { env, readStackOutputs: deps.readStackOutputs });
    const url = normalizeBaseUrl(stage.need(BUS_URL_VARIABLE), 'the stack output ApiUrl');
    return { url, token, description: `${stage.description} at ${url}`, origin: 'stage' };
  }
  if (options.url !== undefined) return { url: normalizeBaseUrl(options.url, '--url'), token, description: options.url, origin: 'url' };
  const fromEnv = env[BUS_URL_VARIABLE];
  if (fromEnv) return { url: normalizeBaseUrl(fromEnv, BUS_URL_VARIABLE), token, description: fromEnv, origin: 'env' };
  return { url: `${DEFAULT_BUS_URL}/`, token, description: DEFAULT_BUS_URL, origin: 'default' };
}

/** An http(s) URL with a trailing `/`, so `events` resolves beneath a stage's path (`…/prod/events`). */
export function normalizeBaseUrl(text: string, name: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`${name} must be an http(s) URL such as ${DEFAULT_BUS_URL}, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`${name} must be an http(s) URL such as ${DEFAULT_BUS_URL}, got ${JSON.stringify(text)}`);
  }
  if (url.search || url.hash) throw new CliError(`${name} must be the API's base URL, without a query or fragment, got ${JSON.stringify(text)}`);
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url.toString();
}
