import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from '../../store/errors';
import { withoutUndefined } from './withoutUndefined';
import type { ItemKey, LedgerItem, LedgerStore, ListScope, StoredItem, StoredPage, UpdateCondition } from './LedgerStore';

/** The table's sparse GSI over lane heads awaiting an attempt (DELIVERY_TABLE_SCHEMA). */
export const DUE_INDEX = 'due';

/** Options of {@link DynamoLedgerStore}. */
export interface DynamoLedgerStoreOptions {
  /** Document client (emulator-bound locally). */
  documents: DynamoDBDocumentClient;
  /** The delivery table (DELIVERY_TABLE_SCHEMA). */
  tableName: string;
}

/**
 * The ledger's storage hooks on DynamoDB: single-item conditional writes (no transactions: dynalite has none),
 * consistent reads of the table, the `due` index for the sweep. A failed condition is `false`, not an error.
 */
export class DynamoLedgerStore implements LedgerStore {
  private readonly documents: DynamoDBDocumentClient;
  readonly name: string;

  constructor(options: DynamoLedgerStoreOptions) {
    if (!options.tableName) throw new RangeError('DeliveryLedger: tableName is required, got an empty string');
    this.documents = options.documents;
    this.name = options.tableName;
  }

  async get<T extends StoredItem>(key: ItemKey): Promise<T | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.name, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }));
    return Item as T | undefined;
  }

  async putIfAbsent(item: StoredItem): Promise<boolean> {
    return this.conditionally(
      this.documents.send(new PutCommand({ TableName: this.name, Item: withoutUndefined(item), ConditionExpression: 'attribute_not_exists(pk)' })),
    );
  }

  async put(item: StoredItem): Promise<void> {
    await this.documents.send(new PutCommand({ TableName: this.name, Item: withoutUndefined(item) }));
  }

  async updateIf(key: ItemKey, set: Partial<LedgerItem>, remove: readonly (keyof LedgerItem)[], condition: UpdateCondition): Promise<boolean> {
    const names: Record<string, string> = { '#state': 'state' };
    const values: Record<string, unknown> = { ':state': condition.state };
    const sets = Object.entries(set)
      .filter(([, value]) => value !== undefined)
      .map(([field, value]) => {
        names[`#${field}`] = field;
        values[`:set_${field}`] = value;
        return `#${field} = :set_${field}`;
      });
    const removes = remove.map((field) => {
      names[`#${field}`] = field;
      return `#${field}`;
    });
    const conditions = ['attribute_exists(pk)', '#state = :state'];
    if (condition.dueAt !== undefined || condition.dueAtOrBefore !== undefined) names['#dueAtSeen'] = 'dueAt';
    if (condition.dueAt !== undefined) {
      conditions.push('#dueAtSeen = :dueAtSeen');
      values[':dueAtSeen'] = condition.dueAt;
    }
    if (condition.dueAtOrBefore !== undefined) {
      conditions.push('#dueAtSeen <= :dueAtOrBefore');
      values[':dueAtOrBefore'] = condition.dueAtOrBefore;
    }
    if (condition.attempts !== undefined) {
      names['#attemptsSeen'] = 'attempts';
      conditions.push('#attemptsSeen = :attemptsSeen');
      values[':attemptsSeen'] = condition.attempts;
    }
    const expression = [sets.length > 0 ? `SET ${sets.join(', ')}` : '', removes.length > 0 ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
    return this.conditionally(
      this.documents.send(
        new UpdateCommand({
          TableName: this.name,
          Key: { pk: key.pk, sk: key.sk },
          UpdateExpression: expression,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async delete(key: ItemKey): Promise<void> {
    await this.documents.send(new DeleteCommand({ TableName: this.name, Key: { pk: key.pk, sk: key.sk } }));
  }

  async firstOf(pk: string): Promise<Pick<LedgerItem, 'sk' | 'state'> | undefined> {
    const { Items = [] } = await this.documents.send(
      new QueryCommand({
        TableName: this.name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ExpressionAttributeNames: { '#state': 'state' },
        ProjectionExpression: 'sk, #state',
        ConsistentRead: true,
        Limit: 1,
      }),
    );
    return Items[0] as Pick<LedgerItem, 'sk' | 'state'> | undefined;
  }

  async queryDue(bucket: string, dueAtOrBefore: string, limit: number): Promise<LedgerItem[]> {
    const { Items = [] } = await this.documents.send(
      new QueryCommand({
        TableName: this.name,
        IndexName: DUE_INDEX,
        KeyConditionExpression: 'dueBucket = :bucket AND dueAt <= :now',
        ExpressionAttributeValues: { ':bucket': bucket, ':now': dueAtOrBefore },
        Limit: limit,
      }),
    );
    return Items as LedgerItem[];
  }

  async *partitionPages(pk: string): AsyncGenerator<Record<string, unknown>[]> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.name,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      yield page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /**
   * A Query for one partition (from `skFrom` on when given); a Scan filtered on the key prefix otherwise (an
   * operator's listing of every subscription, never a hot path).
   */
  async listPage(scope: ListScope, limit: number, startKey?: ItemKey): Promise<StoredPage> {
    const common = { TableName: this.name, Limit: limit, ExclusiveStartKey: startKey, ConsistentRead: true };
    const page = await this.documents.send(
      'pk' in scope
        ? new QueryCommand({
            ...common,
            KeyConditionExpression: scope.skFrom === undefined ? 'pk = :pk' : 'pk = :pk AND sk >= :skFrom',
            ExpressionAttributeValues: { ':pk': scope.pk, ...(scope.skFrom === undefined ? {} : { ':skFrom': scope.skFrom }) },
          })
        : new ScanCommand({ ...common, FilterExpression: 'begins_with(pk, :prefix)', ExpressionAttributeValues: { ':prefix': scope.pkPrefix } }),
    );
    const lastKey = page.LastEvaluatedKey as ItemKey | undefined;
    return { items: page.Items ?? [], ...(lastKey ? { lastKey: { pk: lastKey.pk, sk: lastKey.sk } } : {}) };
  }

  private async conditionally(write: Promise<unknown>): Promise<boolean> {
    try {
      await write;
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}
