import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { loadSubscriptionsFile, type LoadSubscriptionsOptions } from '../src/routing/config/loadSubscriptionsFile';
import { checkingSecretResolver } from '../src/routing/config/resolveSubscriptionSecrets';

/** Options of {@link watchSubscriptionsFile}. */
export interface WatchSubscriptionsFileOptions {
  /** Quiet time after a change before the file is read (editors save in several writes). @default 200 */
  debounceMs?: number;
  /** The file is also re-read this often, for file systems where `fs.watch` misses changes. @default 1000 */
  pollIntervalMs?: number;
  /** Where progress and validation errors go, one line each. @default a line on stderr */
  log?: (line: string) => void;
  /**
   * Validation options, so the file is judged as the engine will judge it. @default `{ env }` references
   * resolved from `parseOptions.env` and checked; Secrets Manager and SSM ones are left to the engine
   */
  parseOptions?: LoadSubscriptionsOptions;
}

/** A running watch; `close()` stops it and waits for an upload in progress. */
export interface SubscriptionsFileWatcher {
  close(): Promise<void>;
}

/**
 * The local bus's link from `SUBSCRIPTIONS_FILE` to its S3 emulator: uploads the file at start and after
 * every change (`fs.watch` on the directory, so editors that save by renaming are seen, debounced, plus a
 * polling fallback). A file that fails validation is not uploaded: its errors go to the log and the bus keeps
 * serving the last valid version (the engine would refuse it anyway, and this way a restart does too).
 * Nothing here throws once started; a failed upload is retried at the next poll.
 * Resolves after the first attempt, so the bus starts with the file in S3 when it is valid.
 */
export async function watchSubscriptionsFile(
  file: string,
  upload: (text: string) => Promise<void>,
  options: WatchSubscriptionsFileOptions = {},
): Promise<SubscriptionsFileWatcher> {
  const path = resolve(file);
  const parseOptions: LoadSubscriptionsOptions = { resolveSecret: checkingSecretResolver(options.parseOptions?.env ?? process.env), ...options.parseOptions };
  const debounceMs = options.debounceMs ?? 200;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Hash of the content last uploaded or refused (or MISSING): unchanged content is not handled twice.
  let handled: string | undefined;
  let failedUpload: string | undefined;
  let closed = false;
  let queue: Promise<void> = Promise.resolve();
  let debounce: NodeJS.Timeout | undefined;

  const checkOnce = async (): Promise<void> => {
    if (closed) return;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (handled !== MISSING) log(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); the bus keeps its current subscriptions`);
      handled = MISSING;
      return;
    }
    const hash = createHash('sha256').update(text).digest('hex');
    if (hash === handled) return;
    const result = await loadSubscriptionsFile(text, parseOptions);
    if (!result.ok) {
      handled = hash;
      log(`${file}: not uploaded, ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}; the bus keeps the last valid subscriptions`);
      for (const error of result.errors) log(`  ${error.path || '(root)'}: ${error.message}`);
      return;
    }
    try {
      await upload(text);
    } catch (error) {
      // Said once per content, then retried quietly at every poll.
      if (failedUpload !== hash) log(`${file}: upload failed (${(error as Error).message}); retrying`);
      failedUpload = hash;
      return;
    }
    handled = hash;
    failedUpload = undefined;
    log(`${file}: uploaded (${result.config.subscriptions.length} subscription${result.config.subscriptions.length === 1 ? '' : 's'})`);
  };
  // One check at a time, in order: two quick saves never race to S3.
  const check = (): Promise<void> => {
    queue = queue.then(checkOnce).catch((error: unknown) => log(`${file}: ${(error as Error).message}`));
    return queue;
  };
  const schedule = (): void => {
    clearTimeout(debounce);
    debounce = setTimeout(() => void check(), debounceMs);
    debounce.unref();
  };

  const name = basename(path);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), (_event, changed) => {
      // Some platforms give no file name; then any change in the directory counts.
      if (changed === null || changed.toString() === name) schedule();
    });
    watcher.on('error', () => {
      watcher?.close();
      watcher = undefined; // polling carries on alone
    });
  } catch {
    watcher = undefined; // e.g. the directory does not exist yet: polling alone
  }
  const poll = setInterval(() => void check(), options.pollIntervalMs ?? 1000);
  poll.unref();

  await check();
  return {
    close: async () => {
      closed = true;
      clearTimeout(debounce);
      clearInterval(poll);
      watcher?.close();
      await queue;
    },
  };
}

const MISSING = 'missing';
