import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type GetRecordsCommandOutput,
  type KinesisClient,
  type _Record,
  type GetShardIteratorCommandInput,
} from '@aws-sdk/client-kinesis';
import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { kinesisStreamRecord } from '../../src/stream/kinesisStreamRecord';
import type { CheckpointStore } from './CheckpointStore';
import type { PublishSignal } from './PublishSignal';

/** A Kinesis-triggered Lambda handler, as the archive and engine functions export it. */
export type KinesisHandler = (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse | void>;

export interface ShardPollerOptions {
  kinesis: KinesisClient;
  streamName: string;
  /** Names this consumer in logs and keys its checkpoints. */
  name: string;
  handler: KinesisHandler;
  checkpoints: CheckpointStore;
  /** Records per handler invocation. @default 100 */
  batchSize?: number;
  /**
   * Pause when a shard has nothing new; `wake()` (or `wakeOn`) ends it early. Only a fallback for records put
   * without a signal. @default 200
   */
  idleMs?: number;
  /** Wakes the idle shards whenever it is raised (the local front raises it after ingest accepted events). */
  wakeOn?: PublishSignal;
  /** First retry pause after a failed batch, doubled up to `maxRetryMs`. @default 100 */
  retryMs?: number;
  /** @default 5000 */
  maxRetryMs?: number;
  log?: (message: string, detail?: Record<string, unknown>) => void;
}

/** One GetRecords answer, and how many wakes had been raised when it was asked for. */
interface Read {
  page: GetRecordsCommandOutput;
  wakesBefore: number;
}

/**
 * Drives a Kinesis handler the way a Lambda event source mapping does, one loop per shard:
 * - batches of up to `batchSize` records in shard order, one invocation at a time per shard;
 * - `batchItemFailures`: everything before the first failed record is done; the rest is retried from it;
 * - a thrown error bisects the batch and retries the halves, down to the single record, which is retried
 *   (with backoff) until it succeeds — a record is never skipped;
 * - the position after each finished part is checkpointed, so a restart resumes where it stopped;
 * - after a full batch, the next one is read while the handler works on the current one (and dropped if that
 *   one fails).
 * A shard with nothing new waits `idleMs` before reading again, unless `wake()` says records were published,
 * then it reads at once (Lambda polls about once a second; locally nothing forces that wait). With `wakeOn`,
 * a batch shorter than `batchSize` counts as nothing new unless a wake came since it was read.
 */
export class ShardPoller {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();
  /** The idle pauses only: `wake()` ends these, never a retry backoff. */
  private readonly idlers = new Set<() => void>();
  /** Bumped by every `wake()`, so a wake that lands while a read is in flight is not slept through. */
  private wakes = 0;
  private unsubscribe?: () => void;
  private readonly counts = { reads: 0, emptyReads: 0, wokenEarly: 0 };
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;

  constructor(private readonly options: ShardPollerOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.idleMs = options.idleMs ?? 200;
    this.retryMs = options.retryMs ?? 100;
    this.maxRetryMs = options.maxRetryMs ?? 5_000;
  }

  async start(): Promise<void> {
    const shards = await this.listShards();
    this.running = true;
    this.unsubscribe = this.options.wakeOn?.subscribe(() => this.wake());
    this.loops = shards.map((shardId) => this.pollShard(shardId));
  }

  /** Finishes the batch in flight on each shard, checkpoints it, and stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    for (const wake of this.sleepers) wake();
    await Promise.all(this.loops);
  }

  /**
   * Records were just put into the stream: idle shards read at once, and a shard whose read is in flight reads
   * again as soon as it returns instead of pausing. Retry backoffs are not cut short.
   */
  wake(): void {
    this.wakes += 1;
    for (const idler of this.idlers) idler();
  }

  /**
   * GetRecords calls so far, how many came back empty, how many idle pauses `wake()` cut short, and how many
   * shards are in an idle pause right now (for tests and benchmarks).
   */
  stats(): { reads: number; emptyReads: number; wokenEarly: number; idleShards: number } {
    return { ...this.counts, idleShards: this.idlers.size };
  }

  private async listShards(): Promise<string[]> {
    const shards: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.options.kinesis.send(
        new ListShardsCommand(NextToken ? { NextToken } : { StreamName: this.options.streamName }),
      );
      shards.push(...(page.Shards ?? []).map((shard) => shard.ShardId!));
      NextToken = page.NextToken;
    } while (NextToken);
    return shards;
  }

  private async pollShard(shardId: string): Promise<void> {
    const { checkpoints } = this.options;
    let iterator: string | undefined;
    /** The read of the next batch, started while the handler worked on the previous one. */
    let ahead: Promise<Read> | undefined;
    let failures = 0;
    while (this.running) {
      try {
        iterator ??= await this.iteratorAfter(shardId, await checkpoints.get(shardId));
        if (!iterator) break; // a closed shard, fully read
        const { page, wakesBefore } = await (ahead ?? this.read(iterator));
        ahead = undefined;
        const records = page.Records ?? [];
        if (records.length === 0) {
          this.counts.emptyReads += 1;
          iterator = page.NextShardIterator;
          if (!iterator) break;
          // Something was published while this read was in flight: it may have missed it, read again now.
          if (this.wakes === wakesBefore && (await this.pause(this.idleMs, true))) this.counts.wokenEarly += 1;
          continue;
        }
        // A full batch means more is probably waiting: as Lambda does, read the next batch while the handler works
        // on this one; it is used only if this one finishes (its error, if any, counts when it is used).
        const full = records.length >= this.batchSize;
        const next = full && page.NextShardIterator ? this.read(page.NextShardIterator) : undefined;
        next?.catch(() => undefined);
        const done = await this.deliver(shardId, records);
        if (done === records.length) {
          failures = 0;
          iterator = page.NextShardIterator;
          if (!iterator) break;
          ahead = next;
          // A short batch was all the shard held when it was read. With a publish signal, anything put since
          // comes with a wake: without one since that read, pause (as an empty read would) and save the round trip.
          if (!full && this.options.wakeOn && this.wakes === wakesBefore && (await this.pause(this.idleMs, true))) {
            this.counts.wokenEarly += 1;
          }
        } else {
          await next?.catch(() => undefined);
          // Lambda retries from the first unfinished record: re-read the shard from there after a pause.
          await this.pause(this.backoff(++failures));
          iterator = await this.iteratorAt(shardId, records[done].SequenceNumber!);
        }
      } catch (error) {
        ahead = undefined;
        // Kinesis or the checkpoint store failed: start again from the last checkpoint, never past it.
        if (!this.running) break;
        this.options.log?.('shard poll failed; resuming from the last checkpoint', { consumer: this.options.name, shardId, error: String(error) });
        iterator = undefined;
        await this.pause(this.backoff(++failures));
      }
    }
    // Stopped with a read ahead in flight: let it finish before the stream may be shut down.
    await ahead?.catch(() => undefined);
  }

  /** One GetRecords, with the wake count before it (a wake after that may not be in its answer). */
  private async read(iterator: string): Promise<Read> {
    const wakesBefore = this.wakes;
    const page = await this.options.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.batchSize }));
    this.counts.reads += 1;
    return { page, wakesBefore };
  }

  /** Hands records to the handler (bisecting on errors); returns how many leading records are done. */
  private async deliver(shardId: string, records: _Record[]): Promise<number> {
    let response: KinesisStreamBatchResponse | void;
    try {
      response = await this.options.handler({ Records: records.map((record) => this.toLambdaRecord(shardId, record)) });
    } catch (error) {
      if (records.length === 1) {
        this.options.log?.('handler failed on a single record; it will be retried', {
          consumer: this.options.name,
          shardId,
          sequence: records[0].SequenceNumber,
          error: String(error),
        });
        return 0;
      }
      const half = Math.ceil(records.length / 2);
      const left = await this.deliver(shardId, records.slice(0, half));
      if (left < half) return left;
      return half + (await this.deliver(shardId, records.slice(half)));
    }
    const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    const firstFailed = records.findIndex((record) => failed.has(record.SequenceNumber!));
    const done = firstFailed === -1 ? records.length : firstFailed;
    if (done > 0) await this.options.checkpoints.set(shardId, records[done - 1].SequenceNumber!);
    return done;
  }

  private toLambdaRecord(shardId: string, record: _Record): KinesisStreamRecord {
    return kinesisStreamRecord({
      shardId,
      partitionKey: record.PartitionKey!,
      sequenceNumber: record.SequenceNumber!,
      data: record.Data!,
      arrivedAt: record.ApproximateArrivalTimestamp,
      streamName: this.options.streamName,
      consumer: this.options.name,
    });
  }

  private iteratorAfter(shardId: string, sequence: string | undefined): Promise<string | undefined> {
    return this.iterator(
      sequence
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: sequence }
        : { ShardIteratorType: 'TRIM_HORIZON' },
      shardId,
    );
  }

  private iteratorAt(shardId: string, sequence: string): Promise<string | undefined> {
    return this.iterator({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: sequence }, shardId);
  }

  private async iterator(
    position: Pick<GetShardIteratorCommandInput, 'ShardIteratorType' | 'StartingSequenceNumber'>,
    shardId: string,
  ): Promise<string | undefined> {
    const { ShardIterator } = await this.options.kinesis.send(
      new GetShardIteratorCommand({ StreamName: this.options.streamName, ShardId: shardId, ...position }),
    );
    return ShardIterator;
  }

  private backoff(failures: number): number {
    return Math.min(this.maxRetryMs, this.retryMs * 2 ** Math.max(0, failures - 1));
  }

  /**
   * Sleeps, but wakes at once on stop(); a `wakeable` pause (a shard with nothing new) also ends on `wake()`.
   * Resolves true when `wake()` ended it.
   */
  private pause(ms: number, wakeable = false): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer);
        this.sleepers.delete(onStop);
        this.idlers.delete(onWake);
        resolve(woken);
      };
      const onStop = () => done(false);
      const onWake = () => done(true);
      const timer = setTimeout(onStop, ms);
      this.sleepers.add(onStop);
      if (wakeable) this.idlers.add(onWake);
    });
  }
}
