import { dirname, join, resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createAwsClients } from '../src/wiring/awsClients';
import { removeLocalBusEndpoints, writeLocalBusEndpoints } from '../src/cli/target/localBusEndpoints';
import { ENV, intEnv } from '../src/wiring/environment';
import { DEFAULT_MAX_SUBSCRIPTIONS } from '../src/routing/config/constants';
import { DEFAULT_SUBSCRIPTIONS_KEY } from '../src/wiring/deliveryFromEnvironment';
import { startEmulators, type Emulators } from './emulators';
import { provisionLocalResources, resourceEnv, DEFAULT_LOCAL_NAMES, type LocalResourceNames } from './provision';
import type { IntakeLimits } from './front/IntakeLimiter';
import { startFront, type ApiHandler, type Front } from './front/startFront';
import { ShardPoller, type KinesisHandler } from './poller/ShardPoller';
import { PublishSignal } from './poller/PublishSignal';
import { FileCheckpointStore, MemoryCheckpointStore, type CheckpointStore } from './poller/CheckpointStore';
import { watchSubscriptionsFile, type SubscriptionsFileWatcher } from './watchSubscriptionsFile';
import { createConsoleHandler } from '../src/console/consoleHandler';
import { consoleFromEnvironment } from '../src/console/consoleFromEnvironment';
import { localOperator } from '../src/console/whoIsOperator';

/** The redeliver handler, as lambdas/redeliver exports it. */
type RedeliverHandler = (event: Partial<ScheduledEvent>, context?: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<unknown>;

/** Locally the redeliver handler sweeps for about a second per call, called again at once: stop() never waits long. */
const LOCAL_REDELIVER_SWEEP_SECONDS = '1';
/** subscriptions.json is re-read from S3 every second, so an edited file applies at once. */
const LOCAL_SUBSCRIPTIONS_REFRESH_SECONDS = '1';
/** What the bus serves when it is given no subscriptions file. */
const NO_SUBSCRIPTIONS = JSON.stringify({ subscriptions: [] });

export interface LocalBusOptions {
  /** HTTP port on 127.0.0.1; 0 picks a free one. @default 4000 */
  port?: number;
  /** Persist emulator data, the KMS key and poller positions here; in memory when absent. @default none */
  dataDir?: string;
  /** A bearer token with every right (publish and read anything); callers must send it or a producers-file credential. @default none */
  token?: string;
  /**
   * Producers and readers with their rights (the stage secret's JSON; `switchyard producers add --data-dir` writes
   * it), re-read when it changes. While the file does not exist it grants nothing and refuses nothing: with no
   * `token` either, the bus is open. @default none
   */
  producersFile?: string;
  /** Shards of the local stream when it is first created. @default 2 */
  shards?: number;
  /** Records per router invocation. @default 100 */
  batchSize?: number;
  /**
   * subscriptions.json to serve: uploaded to the bus's S3 at start and after every change (an invalid version
   * is refused with its errors and the last valid one keeps serving). Relative `local.functions` paths start
   * from its directory. @default none: no subscriptions
   */
  subscriptionsFile?: string;
  /** Request rate and publishes in flight; beyond them 429 with `Retry-After` (see `IntakeLimiter`). @default none */
  intake?: IntakeLimits;
  /** Serve the operator console at `/console` (with `token`, its API asks for it). @default true */
  console?: boolean;
  log?: (message: string, detail?: Record<string, unknown>) => void;
}

export interface LocalBus {
  url: string;
  emulators: Emulators;
  names: LocalResourceNames;
  stop(): Promise<void>;
}

/**
 * The whole bus on one machine: the emulators, the resources, the ingest handler behind a local HTTP front,
 * a poller per shard driving the router handler (store the batch, then deliver what was new), and the redeliver
 * handler called in a loop in place of its schedule — the same handler modules Lambda runs, configured through
 * the same environment variables. subscriptions.json goes to the bus's S3, where the router reads it as in AWS.
 */
export async function startLocalBus(options: LocalBusOptions = {}): Promise<LocalBus> {
  const names: LocalResourceNames = { ...DEFAULT_LOCAL_NAMES, shards: options.shards ?? DEFAULT_LOCAL_NAMES.shards };
  const emulators = await startEmulators({ dataDir: options.dataDir });
  try {
    const env: Record<string, string> = {
      ...emulators.env,
      ...resourceEnv(names, emulators.kmsKeyId),
      [ENV.subscriptionsKey]: DEFAULT_SUBSCRIPTIONS_KEY,
      [ENV.subscriptionsRefreshSeconds]: LOCAL_SUBSCRIPTIONS_REFRESH_SECONDS,
      // Receivers on this machine are the point of a local bus; in AWS they are refused (SSRF).
      [ENV.allowPrivateNetworks]: 'true',
      [ENV.localFunctionsDir]: options.subscriptionsFile ? dirname(resolve(options.subscriptionsFile)) : process.cwd(),
      [ENV.redeliverSweepSeconds]: LOCAL_REDELIVER_SWEEP_SECONDS,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_DEV: process.env.POWERTOOLS_DEV ?? 'false',
    };
    if (options.token) env[ENV.producerToken] = options.token;
    else delete process.env[ENV.producerToken];
    if (options.producersFile) env[ENV.producersFile] = resolve(options.producersFile);
    else delete process.env[ENV.producersFile];
    // The handlers read their configuration at module load, exactly as in Lambda: set it, then import them.
    Object.assign(process.env, env);
    const clients = createAwsClients(process.env);
    await provisionLocalResources(clients, names);

    const subscriptions = await serveSubscriptions(clients.s3, names.bucket, options);

    const { handler: ingest } = (await import('../lambdas/ingest/index')) as { handler: ApiHandler };
    const { handler: router } = (await import('../lambdas/router/index')) as { handler: KinesisHandler };
    const { handler: redeliver } = (await import('../lambdas/redeliver/index')) as { handler: RedeliverHandler };

    // The front raises it after each accepted POST /events; the pollers then read at once instead of idling.
    const published = new PublishSignal();
    const poller = (name: string, handler: KinesisHandler) =>
      new ShardPoller({
        kinesis: clients.kinesis,
        streamName: names.stream,
        name,
        handler,
        batchSize: options.batchSize ?? 100,
        checkpoints: options.dataDir ? routerCheckpoints(options.dataDir, name) : new MemoryCheckpointStore(),
        log: options.log,
        wakeOn: published,
      });
    const routerPoller = poller('router', router);
    const redeliverTimer = startRedeliverTimer(redeliver, options.log);
    const stopWorkers = async () => {
      await Promise.all([routerPoller.stop(), redeliverTimer.stop()]);
      await subscriptions.close();
    };
    let front: Front;
    try {
      await routerPoller.start();
      const operatorConsole =
        options.console === false
          ? undefined
          : createConsoleHandler(
              consoleFromEnvironment(process.env, { description: `local bus${options.dataDir ? ` (data in ${options.dataDir})` : ''}`, actor: localOperator(), clients }),
              { token: options.token },
            );
      front = await startFront(ingest, options.port ?? 4000, { published, intake: options.intake, console: operatorConsole });
    } catch (error) {
      await stopWorkers();
      throw error;
    }
    // The emulators listen on free ports: `switchyard worker` and the other commands find them through this file.
    if (options.dataDir) {
      const shared = { ...env };
      delete shared[ENV.producerToken]; // a secret: other processes get only what reaches the emulators

      await writeLocalBusEndpoints(options.dataDir, { url: front.url, pid: process.pid, env: shared });
    }
    return {
      url: front.url,
      emulators,
      names,
      stop: async () => {
        if (options.dataDir) await removeLocalBusEndpoints(options.dataDir);
        await front.close();
        await stopWorkers();
        await emulators.close();
      },
    };
  } catch (error) {
    await emulators.close();
    throw error;
  }
}

/**
 * The router poller's positions, in `checkpoints/router` of the data dir. A data dir from before the router
 * (separate `archive` and `engine` pollers) has none: a shard then starts from the older of its two old
 * positions, so nothing either of them had not finished is skipped (what the other had finished is read again:
 * stored events are found in the store and delivered once more at worst, the at-least-once of a retried batch).
 * A shard only one of them had reached starts from the beginning, as the other would have.
 */
export function routerCheckpoints(dataDir: string, name: string): CheckpointStore {
  const own = new FileCheckpointStore(join(dataDir, 'checkpoints', name));
  const legacy = ['archive', 'engine'].map((old) => new FileCheckpointStore(join(dataDir, 'checkpoints', old)));
  return {
    get: async (shardId) => {
      const position = await own.get(shardId);
      if (position !== undefined) return position;
      const [archive, engine] = await Promise.all(legacy.map((store) => store.get(shardId)));
      if (archive === undefined || engine === undefined) return undefined;
      return BigInt(archive) < BigInt(engine) ? archive : engine;
    },
    set: (shardId, sequence) => own.set(shardId, sequence),
  };
}

/**
 * Puts subscriptions.json in the bus's S3, where the router reads it as in AWS: the given file, kept in sync
 * (see `watchSubscriptionsFile`), or an empty list when there is none.
 */
async function serveSubscriptions(
  s3: ReturnType<typeof createAwsClients>['s3'],
  bucket: string,
  options: LocalBusOptions,
): Promise<SubscriptionsFileWatcher> {
  const upload = async (text: string) => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: DEFAULT_SUBSCRIPTIONS_KEY, Body: text, ContentType: 'application/json' }));
  };
  if (!options.subscriptionsFile) {
    await upload(NO_SUBSCRIPTIONS);
    return { close: async () => {} };
  }
  // Its lines (uploaded, refused with every error) go to stderr as they are: they are for the person editing the file.
  return watchSubscriptionsFile(options.subscriptionsFile, upload, {
    parseOptions: { maxSubscriptions: intEnv(ENV.maxSubscriptions, DEFAULT_MAX_SUBSCRIPTIONS), env: process.env },
  });
}

/**
 * The local stand-in for the redeliver function's schedule: calls the handler again as soon as a sweep ends
 * (each lasts about a second), or a second after a call that found nothing to do (`idle`: it returns at once),
 * until stopped. `stop()` waits for the sweep in progress.
 */
function startRedeliverTimer(handler: RedeliverHandler, log: LocalBusOptions['log']): { stop(): Promise<void> } {
  let running = true;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (running) {
      try {
        const result = await handler({ source: 'switchyard.local', 'detail-type': 'Scheduled Event' });
        if ((result as { idle?: boolean } | undefined)?.idle) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 1000).unref();
          });
        }
      } catch (error) {
        // The handler logs its own problems; this is a failure to even start, e.g. the ledger table missing.
        log?.('redeliver sweep failed; trying again shortly', { error: String(error) });
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1000).unref();
        });
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      wake?.();
      await loop;
    },
  };
}
