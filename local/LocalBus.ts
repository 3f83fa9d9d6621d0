import { join } from 'node:path';
import { createAwsClients } from '../src/config/awsClients';
import { ENV } from '../src/config/environment';
import { startEmulators, type Emulators } from './emulators';
import { provisionLocalResources, DEFAULT_LOCAL_NAMES, type LocalResourceNames } from './provision';
import { startFront, type ApiHandler, type Front } from './front/startFront';
import { ShardPoller, type KinesisHandler } from './poller/ShardPoller';
import { FileCheckpointStore, MemoryCheckpointStore } from './poller/CheckpointStore';

export interface LocalBusOptions {
  /** HTTP port on 127.0.0.1; 0 picks a free one. @default 4000 */
  port?: number;
  /** Persist emulator data, the KMS key and poller positions here; in memory when absent. @default none */
  dataDir?: string;
  /** Producers must send `Authorization: Bearer <token>` when set. @default open */
  token?: string;
  /** Shards of the local stream when it is first created. @default 2 */
  shards?: number;
  /** Records per archive invocation. @default 100 */
  batchSize?: number;
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
 * and a poller per shard driving the archive handler — the same handler modules Lambda runs, configured
 * through the same environment variables.
 */
export async function startLocalBus(options: LocalBusOptions = {}): Promise<LocalBus> {
  const names: LocalResourceNames = { ...DEFAULT_LOCAL_NAMES, shards: options.shards ?? DEFAULT_LOCAL_NAMES.shards };
  const emulators = await startEmulators({ dataDir: options.dataDir });
  try {
    const env: Record<string, string> = {
      ...emulators.env,
      [ENV.eventStreamName]: names.stream,
      [ENV.eventTableName]: names.eventTable,
      [ENV.idempotencyTableName]: names.idempotencyTable,
      [ENV.kmsKeyId]: emulators.kmsKeyId,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_DEV: process.env.POWERTOOLS_DEV ?? 'false',
    };
    if (options.token) env[ENV.producerToken] = options.token;
    else delete process.env[ENV.producerToken];
    // The handlers read their configuration at module load, exactly as in Lambda: set it, then import them.
    Object.assign(process.env, env);
    const clients = createAwsClients(process.env);
    await provisionLocalResources(clients, names);

    const { handler: ingest } = (await import('../lambdas/ingest/index')) as { handler: ApiHandler };
    const { handler: archive } = (await import('../lambdas/archive/index')) as { handler: KinesisHandler };

    const archivePoller = new ShardPoller({
      kinesis: clients.kinesis,
      streamName: names.stream,
      name: 'archive',
      handler: archive,
      batchSize: options.batchSize ?? 100,
      checkpoints: options.dataDir ? new FileCheckpointStore(join(options.dataDir, 'checkpoints', 'archive')) : new MemoryCheckpointStore(),
      log: options.log,
    });
    await archivePoller.start();
    let front: Front;
    try {
      front = await startFront(ingest, options.port ?? 4000);
    } catch (error) {
      await archivePoller.stop();
      throw error;
    }
    return {
      url: front.url,
      emulators,
      names,
      stop: async () => {
        await front.close();
        await archivePoller.stop();
        await emulators.close();
      },
    };
  } catch (error) {
    await emulators.close();
    throw error;
  }
}
