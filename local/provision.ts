import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, KinesisClient, ResourceInUseException as StreamInUse, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, S3Client, BucketAlreadyOwnedByYou } from '@aws-sdk/client-s3';
import { ENV } from '../src/wiring/environment';
import { DELIVERY_TABLE_SCHEMA, EVENT_TABLE_SCHEMA, IDEMPOTENCY_TABLE_SCHEMA, WORKER_TABLE_SCHEMA, type TableSchema } from '../src/store/tableSchemas';

/** Names of the resources the bus needs; the local bus and the integration tests pick their own. */
export interface LocalResourceNames {
  eventTable: string;
  idempotencyTable: string;
  /** The delivery ledger (failed deliveries, dead letters, disabled subscriptions). */
  deliveryTable: string;
  /** Worker leases, checkpoints and parked keys (`ShardWorker`). */
  workerTable: string;
  stream: string;
  /** Shards of the stream when it is created. */
  shards: number;
  bucket: string;
}

export const DEFAULT_LOCAL_NAMES: LocalResourceNames = {
  eventTable: 'switchyard-events',
  idempotencyTable: 'switchyard-idempotency',
  deliveryTable: 'switchyard-deliveries',
  workerTable: 'switchyard-workers',
  stream: 'switchyard-events',
  shards: 2,
  bucket: 'switchyard-config',
};

/**
 * The environment variables that point the handlers at these resources (the names CDK sets in AWS), with the
 * KMS key that seals event data. The local bus, the tests and the benchmarks all build it here.
 */
export function resourceEnv(names: LocalResourceNames, kmsKeyId: string): Record<string, string> {
  return {
    [ENV.eventStreamName]: names.stream,
    [ENV.eventTableName]: names.eventTable,
    [ENV.idempotencyTableName]: names.idempotencyTable,
    [ENV.deliveryTableName]: names.deliveryTable,
    [ENV.workerTableName]: names.workerTable,
    [ENV.configBucketName]: names.bucket,
    [ENV.kmsKeyId]: kmsKeyId,
  };
}

/** The CreateTable input for a schema: on-demand, string keys, GSIs projecting what the schema says. */
export function createTableInput(name: string, schema: TableSchema): CreateTableCommandInput {
  const attributes = new Set<string>([schema.partitionKey]);
  if (schema.sortKey) attributes.add(schema.sortKey);
  const keys = (pk: string, sk?: string) => [
    { AttributeName: pk, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk, KeyType: 'RANGE' as const }] : []),
  ];
  const indexes = Object.entries(schema.indexes).map(([IndexName, index]) => {
    attributes.add(index.partitionKey);
    if (index.sortKey) attributes.add(index.sortKey);
    return { IndexName, KeySchema: keys(index.partitionKey, index.sortKey), Projection: { ProjectionType: index.projection ?? ('ALL' as const) } };
  });
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: keys(schema.partitionKey, schema.sortKey),
    AttributeDefinitions: [...attributes].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
    ...(indexes.length ? { GlobalSecondaryIndexes: indexes } : {}),
  };
}

/** Creates a table unless it exists already (a restart on the same data dir). */
export async function ensureTable(dynamodb: DynamoDBClient, name: string, schema: TableSchema): Promise<void> {
  try {
    await dynamodb.send(new CreateTableCommand(createTableInput(name, schema)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilActive(dynamodb, name);
}

/**
 * dynalite answers CreateTable with a CREATING table and flips it to ACTIVE on a timer (even with createTableMs 0),
 * answering "resource not found" to item requests until then: on a busy machine that timer can run late.
 */
async function waitUntilActive(dynamodb: DynamoDBClient, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`table ${name} is still ${Table?.TableStatus} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Creates the tables, the stream and the config bucket the bus needs, keeping whatever exists. */
export async function provisionLocalResources(
  clients: { dynamodb: DynamoDBClient; kinesis: KinesisClient; s3: S3Client },
  names: LocalResourceNames = DEFAULT_LOCAL_NAMES,
): Promise<void> {
  await Promise.all([
    ensureTable(clients.dynamodb, names.eventTable, EVENT_TABLE_SCHEMA),
    ensureTable(clients.dynamodb, names.idempotencyTable, IDEMPOTENCY_TABLE_SCHEMA),
    ensureTable(clients.dynamodb, names.deliveryTable, DELIVERY_TABLE_SCHEMA),
    ensureTable(clients.dynamodb, names.workerTable, WORKER_TABLE_SCHEMA),
    clients.kinesis
      .send(new CreateStreamCommand({ StreamName: names.stream, ShardCount: names.shards }))
      .catch((error) => {
        if (!(error instanceof StreamInUse)) throw error;
      }),
    clients.s3.send(new CreateBucketCommand({ Bucket: names.bucket })).catch((error) => {
      if (!(error instanceof BucketAlreadyOwnedByYou) && (error as { name?: string }).name !== 'BucketAlreadyExists') {
        throw error;
      }
    }),
  ]);
  await waitUntilStreamExists({ client: clients.kinesis, maxWaitTime: 30, minDelay: 1 }, { StreamName: names.stream });
}
