import { createAwsClients } from './awsClients';
import { ENV, optionalIntEnv, requireEnv } from './environment';
import { ShardWorker, type ShardWorkerOptions } from '../worker/ShardWorker';

/** What the environment cannot say: the consumer, its handler, and any tuning. */
export type ShardWorkerSettings = Omit<ShardWorkerOptions, 'stream' | 'kinesis' | 'documents' | 'workerTable' | 'idempotencyTable'>;

/**
 * A `ShardWorker` wired to the resources named in the environment, as the local bus and a stage set them:
 * `EVENT_STREAM_NAME`, `WORKER_TABLE_NAME`, `IDEMPOTENCY_TABLE_NAME`, `MAX_WORKER_CONSUMERS` (the stage's consumer
 * limit), and the `AWS_ENDPOINT_URL_*` overrides.
 */
export function shardWorkerFromEnvironment(settings: ShardWorkerSettings, env: NodeJS.ProcessEnv = process.env): ShardWorker {
  const clients = createAwsClients(env);
  return new ShardWorker({
    ...settings,
    stream: requireEnv(ENV.eventStreamName, env),
    workerTable: requireEnv(ENV.workerTableName, env),
    idempotencyTable: requireEnv(ENV.idempotencyTableName, env),
    maxConsumers: settings.maxConsumers ?? optionalIntEnv(ENV.maxWorkerConsumers, env),
    kinesis: clients.kinesis,
    documents: clients.documents,
  });
}
