import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { decodeKinesisRecord, kinesisStreamRecord, type StreamedEvent } from '../../stream';
import { resolveStartPositions } from '../../worker/startPosition';
import type { StartPosition } from '../../worker/types';
import { CliError } from '../errors';

/** Pause after a read that found nothing new: 2 reads a second per shard, within Kinesis's 5 shared with the router. */
const IDLE_POLL_MS = 500;
/** Pause after Kinesis said the shard's read limit was reached. */
const THROTTLED_PAUSE_MS = 1_000;
/** How long GetShardIterator AT_TIMESTAMP may take: kinesalite never answers when no record is that recent. */
const AT_TIMESTAMP_WAIT_MS = 1_000;

/** Where a shard's reader starts, and the arrival time before which it passes records over. */
interface ShardStart {
  iterator: Pick<GetShardIteratorCommandInput, 'ShardIteratorType' | 'StartingSequenceNumber' | 'Timestamp'>;
  skipBefore?: number;
}

/**
 * Reads a stream as it grows, one reader per shard, handing each CloudEvent to `print` in its shard's order,
 * until `stop` is aborted or a read fails (`failed`). A shard that ends (a reshard) hands over to its children,
 * read from their start. Records that are not CloudEvents are reported to `warn` and passed over.
 */
export class StreamTail {
  private readonly readers = new Map<string, Promise<void>>();
  private fail!: (error: unknown) => void;
  /** Rejects with the first failure of a reader. */
  readonly failed = new Promise<never>((_, reject) => (this.fail = reject));

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly streamName: string,
    private readonly stop: AbortSignal,
    private readonly print: (streamed: StreamedEvent) => void,
    private readonly warn: (line: string) => void,
  ) {
    this.failed.catch(() => undefined);
  }

  /** Places every reader (so what arrives next is read) and starts them; answers the number of shards. */
  async start(from: StartPosition): Promise<number> {
    const all = await this.listShards();
    // Latest: what arrives from now on, which only open shards receive.
    const shards = from.type === 'latest' ? all.filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined) : all;
    const starts = await this.startsOf(shards.map((shard) => shard.ShardId!), from);
    const iterators = await Promise.all(shards.map(async (shard) => [shard.ShardId!, await this.iteratorOf(shard.ShardId!, starts.get(shard.ShardId!)!)] as const));
    for (const [shardId, iterator] of iterators) this.read(shardId, iterator.iterator, iterator.skipBefore);
    return shards.length;
  }

  /** Resolves once every reader has stopped. */
  async finished(): Promise<void> {
    while (true) {
      const pending = [...this.readers.values()];
      await Promise.allSettled(pending);
      if (this.readers.size === pending.length) return;
    }
  }

  private async startsOf(shardIds: string[], from: StartPosition): Promise<Map<string, ShardStart>> {
    const starts = new Map<string, ShardStart>();
    if (from.type === 'latest' || from.type === 'trim-horizon') {
      for (const id of shardIds) starts.set(id, { iterator: { ShardIteratorType: from.type === 'latest' ? 'LATEST' : 'TRIM_HORIZON' } });
      return starts;
    }
    let resolved;
    try {
      resolved = await resolveStartPositions(this.kinesis, this.streamName, shardIds, from, Date.now());
    } catch (error) {
      if (error instanceof RangeError) {
        throw CliError.failure(`${error.message}: it may be older than the stream's retention; start from a time (--from <ISO 8601 time>) instead`);
      }
      throw error;
    }
    for (const [id, start] of resolved) {
      if (start.type === 'AT_SEQUENCE_NUMBER') starts.set(id, { iterator: { ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: start.sequenceNumber } });
      else if (start.type === 'AT_TIMESTAMP') starts.set(id, { iterator: { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(start.timestamp) }, skipBefore: start.timestamp });
      else starts.set(id, { iterator: { ShardIteratorType: 'TRIM_HORIZON' } });
    }
    return starts;
  }

  /** The shard's first iterator; AT_TIMESTAMP falls back to the shard's start (records before the time are skipped). */
  private async iteratorOf(shardId: string, start: ShardStart): Promise<{ iterator: string | undefined; skipBefore?: number }> {
    const get = (position: ShardStart['iterator'], abortSignal: AbortSignal) =>
      this.kinesis.send(new GetShardIteratorCommand({ StreamName: this.streamName, ShardId: shardId, ...position }), { abortSignal }).then((answer) => answer.ShardIterator);
    if (start.iterator.ShardIteratorType !== 'AT_TIMESTAMP') return { iterator: await get(start.iterator, this.stop), skipBefore: start.skipBefore };
    try {
      return { iterator: await get(start.iterator, AbortSignal.any([this.stop, AbortSignal.timeout(AT_TIMESTAMP_WAIT_MS)])), skipBefore: start.skipBefore };
    } catch (error) {
      if ((error as { name?: string }).name !== 'AbortError' || this.stop.aborted) throw error;
      return { iterator: await get({ ShardIteratorType: 'TRIM_HORIZON' }, this.stop), skipBefore: start.skipBefore };
    }
  }

  private read(shardId: string, iterator: string | undefined, skipBefore?: number): void {
    const reader = this.readShard(shardId, iterator, skipBefore).catch((error: unknown) => {
      if (!this.stop.aborted) this.fail(error);
    });
    this.readers.set(shardId, reader);
  }

  private async readShard(shardId: string, first: string | undefined, skipBefore?: number): Promise<void> {
    let iterator = first;
    let last: string | undefined;
    while (iterator && !this.stop.aborted) {
      let page;
      try {
        page = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }), { abortSignal: this.stop });
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (this.stop.aborted) return;
        if (name === 'ProvisionedThroughputExceededException') {
          await this.pause(THROTTLED_PAUSE_MS);
          continue;
        }
        if (name === 'ExpiredIteratorException' && last !== undefined) {
          iterator = (await this.iteratorOf(shardId, { iterator: { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: last } })).iterator;
          continue;
        }
        throw error;
      }
      for (const record of page.Records ?? []) {
        last = record.SequenceNumber;
        const arrivedAt = record.ApproximateArrivalTimestamp ?? new Date();
        if (skipBefore !== undefined && arrivedAt.getTime() < skipBefore) continue;
        let streamed: StreamedEvent;
        try {
          streamed = decodeKinesisRecord(
            kinesisStreamRecord({ shardId, partitionKey: record.PartitionKey!, sequenceNumber: record.SequenceNumber!, data: record.Data ?? new Uint8Array(), arrivedAt, streamName: this.streamName }),
          );
        } catch (error) {
          this.warn(`record ${record.SequenceNumber} of ${shardId} is not a CloudEvent: ${(error as Error).message}; skipped`);
          continue;
        }
        this.print(streamed);
      }
      iterator = page.NextShardIterator;
      if (!iterator) await this.startChildren(shardId);
      else if ((page.Records ?? []).length === 0 || page.MillisBehindLatest === 0) await this.pause(IDLE_POLL_MS);
    }
  }

  /** A shard that ended (a reshard): its children are read from their start, once. */
  private async startChildren(parentId: string): Promise<void> {
    for (const shard of await this.listShards()) {
      const isChild = shard.ParentShardId === parentId || shard.AdjacentParentShardId === parentId;
      if (isChild && !this.readers.has(shard.ShardId!)) {
        this.read(shard.ShardId!, (await this.iteratorOf(shard.ShardId!, { iterator: { ShardIteratorType: 'TRIM_HORIZON' } })).iterator);
      }
    }
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.kinesis.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: this.streamName }), { abortSignal: this.stop });
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return shards;
  }

  /** Waits `ms`, or less when stopped. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stop.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stop.addEventListener('abort', done, { once: true });
    });
  }
}
