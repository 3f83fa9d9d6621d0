import { readFile, rm, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from '../errors';

/** Name of the file, in the local bus's data dir, that tells other processes where its emulators listen. */
export const LOCAL_BUS_ENDPOINTS_FILE = 'endpoints.json';

/**
 * What a running local bus publishes about itself: its URL, its process id (to tell a stale file from a live
 * bus) and the environment its own handlers run with — emulator endpoints, region and credentials, and the
 * resource names (`EVENT_STREAM_NAME`, `IDEMPOTENCY_TABLE_NAME`, `WORKER_TABLE_NAME`, ...). The emulators listen
 * on free ports, so this file is the only way for `switchyard worker` and the other commands to reach them.
 */
export interface LocalBusEndpoints {
  url: string;
  pid: number;
  env: Record<string, string>;
}

/** Writes the file atomically (write, then rename), so a reader never sees half of it. */
export async function writeLocalBusEndpoints(dataDir: string, endpoints: LocalBusEndpoints): Promise<void> {
  const path = join(dataDir, LOCAL_BUS_ENDPOINTS_FILE);
  await writeFile(`${path}.tmp`, `${JSON.stringify(endpoints, null, 2)}\n`, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
}

/** Removes the file (the bus is stopping); a missing file is fine. */
export async function removeLocalBusEndpoints(dataDir: string): Promise<void> {
  await rm(join(dataDir, LOCAL_BUS_ENDPOINTS_FILE), { force: true });
}

/** Reads the file of the bus running on `dataDir`, refusing a missing, malformed or stale one with what to do (exit code 1). */
export async function readLocalBusEndpoints(dataDir: string, isAlive: (pid: number) => boolean = processIsAlive): Promise<LocalBusEndpoints> {
  const path = join(dataDir, LOCAL_BUS_ENDPOINTS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw CliError.failure(`no local bus is running on ${dataDir} (${path} is missing): start one with \`npm start\`, or pass --data-dir / --stage`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw CliError.failure(`${path} is not JSON; restart the local bus to rewrite it`, { cause: error });
  }
  if (!isEndpoints(parsed)) throw CliError.failure(`${path} lacks url, pid or env; restart the local bus to rewrite it`);
  if (!isAlive(parsed.pid)) {
    throw CliError.failure(`the local bus that wrote ${path} (pid ${parsed.pid}) is not running: start it with \`npm start\``);
  }
  return parsed;
}

function isEndpoints(value: unknown): value is LocalBusEndpoints {
  const candidate = value as Partial<LocalBusEndpoints> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.url === 'string' &&
    Number.isInteger(candidate.pid) &&
    typeof candidate.env === 'object' &&
    candidate.env !== null &&
    Object.values(candidate.env).every((v) => typeof v === 'string')
  );
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
