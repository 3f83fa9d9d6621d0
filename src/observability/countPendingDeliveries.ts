import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_DUE_BUCKETS } from '../delivery/ledger/DeliveryLedger';
import { DUE_INDEX } from '../delivery/ledger/DynamoLedgerStore';

/** Options of {@link countPendingDeliveries}. */
export interface CountPendingDeliveriesOptions {
  documents: DynamoDBDocumentClient;
  /** The delivery ledger table. */
  tableName: string;
  /** Buckets of the `due` index; the ledger's writers use the same. @default 8 */
  buckets?: number;
}

/**
 * The retry backlog: lane heads waiting for an attempt (due now or later), counted on the ledger's sparse
 * `due` index with `Select: COUNT`: a query per bucket, no scan, read units for the (few, small) index items
 * only. Events queued behind the head of an ordered lane are not in the index and not counted.
 */
export async function countPendingDeliveries(options: CountPendingDeliveriesOptions): Promise<number> {
  const buckets = options.buckets ?? DEFAULT_DUE_BUCKETS;
  const counts = await Promise.all(
    Array.from({ length: buckets }, async (_, bucket) => {
      let count = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await options.documents.send(
          new QueryCommand({
            TableName: options.tableName,
            IndexName: DUE_INDEX,
            KeyConditionExpression: 'dueBucket = :bucket',
            ExpressionAttributeValues: { ':bucket': String(bucket) },
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
          }),
        );
        count += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return count;
    }),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}
