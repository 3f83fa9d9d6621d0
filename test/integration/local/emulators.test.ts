import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, GetItemCommand, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { createAwsClients, type AwsClients } from '../../../src/wiring/awsClients';
import { startEmulators, type Emulators } from '../../../local/emulators';

/**
 * dynalite and kinesalite run in a worker thread of their own (by default); `startEmulators` keeps its API,
 * its data dir and its clean stop. Restarting on the same data dir in the same process shows that stopping
 * the thread released its LevelDB stores and that what they acknowledged was kept.
 */
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchyard-emulators-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function withEmulators<T>(options: { thread: boolean }, use: (clients: AwsClients, emulators: Emulators) => Promise<T>): Promise<T> {
  const emulators = await startEmulators({ dataDir: join(dataDir, String(options.thread)), thread: options.thread });
  const clients = createAwsClients({ ...emulators.env });
  try {
    return await use(clients, emulators);
  } finally {
    for (const client of Object.values(clients)) (client as { destroy?: () => void }).destroy?.();
    await emulators.close();
  }
}

describe.each([true, false])('startEmulators (thread: %s)', (thread) => {
  it('serves DynamoDB and Kinesis, and keeps their data in the data dir across a stop and a restart', async () => {
    const sequence = await withEmulators({ thread }, async (clients, emulators) => {
      expect(Object.keys(emulators.endpoints).sort()).toEqual(['dynamodb', 'kinesis', 'kms', 's3']);
      expect(emulators.env.AWS_ENDPOINT_URL_DYNAMODB).toBe(emulators.endpoints.dynamodb);
      await clients.dynamodb.send(
        new CreateTableCommand({
          TableName: 'kept',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await waitUntilTableExists({ client: clients.dynamodb, maxWaitTime: 30 }, { TableName: 'kept' });
      await clients.dynamodb.send(new PutItemCommand({ TableName: 'kept', Item: { pk: { S: 'a' }, v: { N: '1' } } }));
      await clients.kinesis.send(new CreateStreamCommand({ StreamName: 'kept', ShardCount: 1 }));
      await waitUntilStreamExists({ client: clients.kinesis, maxWaitTime: 30 }, { StreamName: 'kept' });
      const put = await clients.kinesis.send(new PutRecordCommand({ StreamName: 'kept', PartitionKey: 'k', Data: Buffer.from('kept') }));
      return put.SequenceNumber!;
    });

    await withEmulators({ thread }, async (clients) => {
      const { Item } = await clients.dynamodb.send(new GetItemCommand({ TableName: 'kept', Key: { pk: { S: 'a' } } }));
      expect(Item).toEqual({ pk: { S: 'a' }, v: { N: '1' } });
      const { ShardIterator } = await clients.kinesis.send(
        new GetShardIteratorCommand({ StreamName: 'kept', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const { Records } = await clients.kinesis.send(new GetRecordsCommand({ ShardIterator }));
      expect(Records?.map((record) => [record.SequenceNumber, Buffer.from(record.Data!).toString()])).toEqual([[sequence, 'kept']]);
    });
  });
});
