import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';

/** Refuses an empty table name or consumer, naming the class the options were given to. */
export function requireTableAndConsumer(owner: string, options: { tableName: string; consumer: string }): void {
  if (!options.tableName) throw new RangeError(`${owner}: tableName is required, got an empty string`);
  if (!options.consumer) throw new RangeError(`${owner}: consumer is required, got an empty string`);
}

/** Every page of a consistent query of one partition of the worker table, in order. */
export async function* queryPartition(
  documents: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  select?: 'COUNT',
): AsyncGenerator<QueryCommandOutput> {
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ...(select ? { Select: select } : {}),
        ExclusiveStartKey,
      }),
    );
    yield page;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}
