import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BY_TYPE_BUCKET_INDEX, QUERY_CONCURRENCY } from './constants';
import type { IndexPosition } from './eventCursor';

/** What {@link IndexPartitionMerge} reads: these partitions, within these sort-key bounds, one way. */
export interface IndexPartitionMergeOptions {
  documents: DynamoDBDocumentClient;
  tableName: string;
  /** `byTypeBucket` partition keys (`<type>#<bucket>`). */
  partitions: readonly string[];
  /** Inclusive sort-key bounds (`timeKey BETWEEN lower AND upper`). */
  lower: string;
  upper: string;
  descending: boolean;
  /** Only positions strictly after this one in the merge's direction (a cursor's). */
  after?: IndexPosition;
  /** Only keys whose `pk` starts with one of these (a source filter on the keys-only index). */
  pkPrefixes?: readonly string[];
  /** Keys asked of a partition at first; each later read of it asks twice as many, up to 1,000. @default 25 */
  firstReadSize?: number;
}

const MAX_READ_SIZE = 1000;

/** Ascending order of the index as merged: timeKey, then pk (ASCII timeKeys: code-unit order is byte order). */
export function comparePositions(a: IndexPosition, b: IndexPosition): number {
  if (a.timeKey !== b.timeKey) return a.timeKey < b.timeKey ? -1 : 1;
  return a.pk < b.pk ? -1 : a.pk > b.pk ? 1 : 0;
}

/**
 * A k-way merge of `byTypeBucket` partitions in (timeKey, pk) order, either way: each partition is read lazily
 * (small reads first, doubling when a partition turns out to hold the page), so a page touches each partition
 * once or a few times whatever the number of partitions. Never a scan: every read is a key-condition Query.
 */
export class IndexPartitionMerge {
  private readonly readers: PartitionReader[];
  private readonly sign: number;
  private started = false;

  constructor(options: IndexPartitionMergeOptions) {
    this.sign = options.descending ? -1 : 1;
    this.readers = options.partitions.map((partition) => new PartitionReader(partition, options));
  }

  /** The next `count` positions (fewer when the partitions run out). */
  async take(count: number): Promise<IndexPosition[]> {
    await this.start();
    const taken: IndexPosition[] = [];
    while (taken.length < count) {
      const reader = this.earliest();
      if (!reader) break;
      taken.push(reader.shift());
      if (reader.isEmpty()) await reader.fill();
    }
    return taken;
  }

  /** Whether any position follows what was taken. */
  async hasMore(): Promise<boolean> {
    await this.start();
    return this.earliest() !== undefined;
  }

  private async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await inBatches(this.readers, QUERY_CONCURRENCY, (reader) => reader.fill());
  }

  private earliest(): PartitionReader | undefined {
    let best: PartitionReader | undefined;
    for (const reader of this.readers) {
      const head = reader.head();
      if (head && (!best || this.sign * comparePositions(head, best.head()!) < 0)) best = reader;
    }
    return best;
  }
}

/** One partition's keys in the merge's direction, read a page at a time. */
class PartitionReader {
  private buffer: IndexPosition[] = [];
  private next = 0;
  private startKey: Record<string, unknown> | undefined;
  private done = false;
  private readSize: number;

  constructor(
    private readonly partition: string,
    private readonly options: IndexPartitionMergeOptions,
  ) {
    this.readSize = options.firstReadSize ?? 25;
  }

  head(): IndexPosition | undefined {
    return this.buffer[this.next];
  }

  shift(): IndexPosition {
    return this.buffer[this.next++];
  }

  isEmpty(): boolean {
    return this.next >= this.buffer.length;
  }

  /** Reads until it holds a key or the partition is exhausted (a filtered read may return none yet go on). */
  async fill(): Promise<void> {
    const { documents, tableName, lower, upper, descending, after, pkPrefixes } = this.options;
    const sign = descending ? -1 : 1;
    while (this.isEmpty() && !this.done) {
      const filter = pkPrefixes?.length ? pkPrefixes.map((_, i) => `begins_with(pk, :p${i})`).join(' OR ') : undefined;
      const page = await documents.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: BY_TYPE_BUCKET_INDEX,
          KeyConditionExpression: 'tb = :tb AND timeKey BETWEEN :lower AND :upper',
          ...(filter ? { FilterExpression: filter } : {}),
          ExpressionAttributeValues: {
            ':tb': this.partition,
            ':lower': lower,
            ':upper': upper,
            ...Object.fromEntries((pkPrefixes ?? []).map((prefix, i) => [`:p${i}`, prefix])),
          },
          ScanIndexForward: !descending,
          Limit: this.readSize,
          ...(this.startKey ? { ExclusiveStartKey: this.startKey } : {}),
        }),
      );
      this.readSize = Math.min(this.readSize * 2, MAX_READ_SIZE);
      this.startKey = page.LastEvaluatedKey;
      this.done = this.startKey === undefined;
      this.buffer = (page.Items ?? [])
        .map((item) => ({ timeKey: String(item.timeKey), pk: String(item.pk) }))
        // The sort-key bound includes the cursor's own timeKey: what is not strictly after the cursor goes.
        .filter((position) => !after || sign * comparePositions(position, after) > 0);
      this.next = 0;
    }
  }
}

/** Runs `work` over `items`, at most `concurrency` at a time; every lane settles before a failure is thrown. */
async function inBatches<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let index = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (index < items.length) await work(items[index++]);
  });
  const failed = (await Promise.allSettled(lanes)).find((lane): lane is PromiseRejectedResult => lane.status === 'rejected');
  if (failed) throw failed.reason;
}
