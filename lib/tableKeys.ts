import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { TableSchema } from '../src/store/tableSchemas';

/**
 * Turns a shared {@link TableSchema} (src/store/tableSchemas.ts, also used by the local bus) into
 * the key props of a CDK table, so deployed and emulated tables cannot drift. Every key is a string.
 */
export function tableKeys(schema: TableSchema): Pick<dynamodb.TableProps, 'partitionKey' | 'sortKey'> {
  return {
    partitionKey: { name: schema.partitionKey, type: dynamodb.AttributeType.STRING },
    ...(schema.sortKey ? { sortKey: { name: schema.sortKey, type: dynamodb.AttributeType.STRING } } : {}),
  };
}

/**
 * Adds the schema's global secondary indexes, projecting what the schema says (as the local bus does); on a
 * provisioned table each index gets `capacity` (the table's own).
 */
export function addSchemaIndexes(
  table: dynamodb.Table,
  schema: TableSchema,
  capacity?: { readonly readCapacity: number; readonly writeCapacity: number },
): string[] {
  return Object.entries(schema.indexes).map(([indexName, index]) => {
    table.addGlobalSecondaryIndex({
      indexName,
      partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
      ...(index.sortKey ? { sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING } } : {}),
      projectionType: index.projection === 'KEYS_ONLY' ? dynamodb.ProjectionType.KEYS_ONLY : dynamodb.ProjectionType.ALL,
      ...capacity,
    });
    return indexName;
  });
}
