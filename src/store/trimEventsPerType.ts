import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchDeleteItems } from './batchItems';
import { BY_TYPE_BUCKET_INDEX } from './constants';
import { IndexPartitionMerge } from './IndexPartitionMerge';
import { TypeCatalog } from './TypeCatalog';
import { typeBucketKeysOf } from './typeBucketKey';

/** Options of {@link trimEventsPerType}. */
export interface TrimEventsPerTypeOptions {
  documents: DynamoDBDocumentClient;
  /** The event table (EVENT_TABLE_SCHEMA). */
  tableName: string;
  /** Most events kept per type (CHEFS `max_msgs`); the oldest beyond it are deleted. */
  maxEventsPerType: number;
  /** Most events deleted per type in one run (a backlog is trimmed over several runs). @default 10000 */
  maxDeletesPerType?: number;
}

/** What one run did for one type whose count was over the maximum. */
export interface TrimmedType {
  type: string;
  /** Events stored before the run (indexed ones: a type too long to index is never counted). */
  stored: number;
  deleted: number;
}

/** The oldest keys asked of the merge at a time. */
const DELETE_PAGE = 500;

/**
 * Keeps at most `maxEventsPerType` events of each type, without a scan: the types come from the catalog (a Query
 * of its partition), each type's count from a `Select: COUNT` Query of each of its index partitions, and the
 * oldest events beyond the maximum — by arrival, across the partitions (`IndexPartitionMerge`) — are deleted by
 * key (their index entries go with them). Meant for a schedule: between runs a type may hold more than the maximum
 * for a while, and a run deletes at most `maxDeletesPerType` events per type. Data key items are never touched.
 */
export async function trimEventsPerType(options: TrimEventsPerTypeOptions): Promise<TrimmedType[]> {
  const { documents, tableName, maxEventsPerType } = options;
  if (!(Number.isInteger(maxEventsPerType) && maxEventsPerType >= 1)) {
    throw new RangeError(`trimEventsPerType: maxEventsPerType must be a positive integer, got ${String(maxEventsPerType)}`);
  }
  const maxDeletes = options.maxDeletesPerType ?? 10_000;
  const types = await new TypeCatalog({ documents, tableName, cacheMs: 0 }).types();
  const trimmed: TrimmedType[] = [];
  for (const type of types) {
    const partitions = typeBucketKeysOf(type);
    const counts = await Promise.all(partitions.map((tb) => countPartition(documents, tableName, tb)));
    const stored = counts.reduce((sum, count) => sum + count, 0);
    let excess = Math.min(stored - maxEventsPerType, maxDeletes);
    if (excess <= 0) continue;
    const oldest = new IndexPartitionMerge({ documents, tableName, partitions, lower: '0', upper: '~', descending: false, firstReadSize: Math.min(excess, 1000) });
    let deleted = 0;
    while (excess > 0) {
      const page = await oldest.take(Math.min(excess, DELETE_PAGE));
      if (page.length === 0) break;
      await batchDeleteItems(documents, tableName, page.map(({ pk }) => ({ pk })));
      deleted += page.length;
      excess -= page.length;
    }
    trimmed.push({ type, stored, deleted });
  }
  return trimmed;
}

/** Index entries in one `byTypeBucket` partition: COUNT queries, paged (each page reads up to 1 MB of keys). */
async function countPartition(documents: DynamoDBDocumentClient, tableName: string, tb: string): Promise<number> {
  let count = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: BY_TYPE_BUCKET_INDEX,
        KeyConditionExpression: 'tb = :tb',
        ExpressionAttributeValues: { ':tb': tb },
        Select: 'COUNT',
        ExclusiveStartKey,
      }),
    );
    count += page.Count ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return count;
}
