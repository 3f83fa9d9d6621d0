import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetRecordsCommandOutput,
  type GetShardIteratorCommandInput,
  type KinesisClient,
  type _Record,
} from '@aws-sdk/client-kinesis';
import type { StreamedEvent } from '../stream/decodeKinesisRecord';
import { CompletionBuffer } from './CompletionBuffer';
import { EventRecordStatus, type EventIdempotency, type StoredEventState } from './EventIdempotency';
import { LeaseLostError } from './errors';
import { sleep, type EventRunner, type RunOutcome, type RunScope } from './EventRunner';
import { SHARD_END, type Lease, type LeaseTable } from './LeaseTable';
import type { LaneRecord, ParkedLanes } from './ParkedLanes';
import { compareSequences } from './sequence';
import type { CompletionFlush, CompletionRecords, ParkedEvent, WorkerLog, WorkerMetrics } from './types';

/** How long GetShardIterator AT_TIMESTAMP may take before the shard is read from its start instead (see `iteratorFrom`). */
const AT_TIMESTAMP_WAIT_MS = 1_000;

export interface ShardProcessorOptions {
  kinesis: KinesisClient;
  streamName: string;
  leases: LeaseTable;
  lanes: ParkedLanes;
  runner: EventRunner;
  /** The consumer's idempotency records (the runner's). */
  idempotency: EventIdempotency;
  /** When completions of events run without a claim are written. */
  completionFlush: CompletionFlush;
  /** Where they are written: idempotency records, or the shard's lease. */
  completionRecords: CompletionRecords;
  /** The lease as acquired: its owner and counter fence every checkpoint. */
  lease: Lease;
  /**
   * The lease had an owner before (it crashed, or the lease was taken from it): events of the first batch
   * without a completion record may have run already, so they run under claims, which count their attempts
   * (a poison event that kills its worker is parked after `maxAttempts`).
   */
  claimFirstBatch: boolean;
  /** Pause before the first read: a lease taken from a live owner gives it time to notice, stop and write its completions. */
  startDelayMs: number;
  batchSize: number;
  idleMs: number;
  /** Events in flight at once on this shard, never two of one partition key. */
  concurrency: number;
  /** Pause after a failed Kinesis or DynamoDB call, by consecutive failures. */
  backoff: (failures: number) => number;
  log: WorkerLog;
  metrics?: WorkerMetrics;
  onParked?: (parked: ParkedEvent) => void;
}

/** How a processor ended. */
export type ProcessorEnd = 'finished' | 'stopped' | 'lost';

/**
 * Reads one leased shard and runs its events in shard order: GetRecords from the checkpoint (the next batch is
 * read while the previous one is committed), each new event through the handler (one at a time, or
 * concurrently across partition keys with per-key order), their completions written in batches
 * (`CompletionBuffer`), then one checkpoint per batch, conditional on the lease, up to the lowest event not
 * done. Events of a parked key go to its lane instead.
 *
 * Completions (`completionRecords`): `event` reads the batch's idempotency records with one BatchGetItem round
 * (a completed event, or a copy of one, is skipped) and writes new completions with BatchWriteItem before the
 * checkpoint; `shard` keeps the sequences done above the checkpoint on the lease: the checkpoint write records
 * them, and flushes between checkpoints append to the lease's list.
 *
 * A new event runs without a claim: the lease keeps the consumer's other workers off the shard. An event with a
 * record that is not completed (a failed run, a claim of a crashed run, a parked lane's drain) runs under a
 * claim (`EventRunner.run`), as do the first batch's events after the lease moved from a crashed or overtaken
 * owner (so a poison event that kills its worker is still counted and parked).
 *
 * What a crash re-runs: events whose handler ran but whose completion was not written yet — at most
 * `completionFlush.maxEvents` per shard, as every run holds one of that many slots until its completion is
 * written. A refused checkpoint (the lease moved) ends the processor at once; so does `abort` (a failed
 * renewal), which also aborts the handler's signal; either way completions of handlers that did succeed are
 * still written once, unconditionally (they are true, and spare the next owner re-runs). What fences a stale
 * owner is the checkpoint's condition, and the handler's own writes conditional on `fencingToken`.
 */
export class ShardProcessor {
  readonly shardId: string;
  readonly done: Promise<ProcessorEnd>;
  private readonly controller = new AbortController();
  private stopping = false;
  /** Aborted by `stop` and `abort`: pauses end, and no run starts any more. */
  private readonly wakeups = new AbortController();
  private parkedKeys = new Set<string>();
  /** Epoch ms of an AT_TIMESTAMP start: earlier records are passed over until the first later one. */
  private skipBefore: number | undefined;
  private readonly completions: CompletionBuffer;
  private claimNextBatch: boolean;
  /** `completionRecords: 'shard'`: sequences above the last checkpoint whose events are done. */
  private doneAbove: Set<string>;

  constructor(private readonly options: ShardProcessorOptions) {
    this.shardId = options.lease.shardId;
    this.claimNextBatch = options.claimFirstBatch;
    const { checkpoint, done } = options.lease;
    this.doneAbove = new Set(options.completionRecords === 'shard' ? above(done ?? [], checkpoint) : []);
    this.completions = new CompletionBuffer({
      write:
        options.completionRecords === 'shard'
          ? (batch) => options.leases.recordDone(this.shardId, batch.map((completion) => completion.sequenceNumber))
          : (batch) => options.idempotency.completeMany(batch),
      flush: options.completionFlush,
      lost: this.controller.signal,
      backoff: options.backoff,
      log: options.log,
      shardId: this.shardId,
    });
    this.done = this.run();
  }

  get lease(): Lease {
    return this.options.lease;
  }

  /** Finishes the events in flight, checkpoints them, and ends (the caller releases the lease). */
  stop(): void {
    this.stopping = true;
    this.wakeups.abort();
  }

  /** The lease is gone: end now, without another checkpoint, and abort the running handler's signal. */
  abort(): void {
    this.stopping = true;
    this.controller.abort();
    this.wakeups.abort();
  }

  private get held() {
    const { shardId, owner, leaseCounter } = this.options.lease;
    return { shardId, owner: owner!, leaseCounter };
  }

  private async run(): Promise<ProcessorEnd> {
    const { leases, log, lease } = this.options;
    let iterator: string | undefined;
    let checkpoint = lease.checkpoint;
    let failures = 0;
    if (this.options.startDelayMs > 0) await sleep(this.options.startDelayMs, this.wakeups.signal);
    let fresh = this.options.completionRecords !== 'shard';
    let prefetched: Promise<GetRecordsCommandOutput> | undefined;
    while (!this.stopping) {
      try {
        if (!fresh) {
          // The lease as it is now, not as it was listed before we took it: the previous owner may have
          // checkpointed since, and a lost owner still adds what it finished.
          const now = await leases.get(this.shardId);
          checkpoint = now?.checkpoint ?? checkpoint;
          for (const sequence of above(now?.done ?? [], checkpoint)) this.doneAbove.add(sequence);
          fresh = true;
        }
        if (!iterator) {
          this.parkedKeys = await this.options.lanes.parkedKeys();
          iterator = await this.iteratorFrom(checkpoint);
          if (!iterator) return await this.finish(); // nothing left in a closed shard
        }
        const page = await (prefetched ?? this.read(iterator));
        prefetched = undefined;
        failures = 0;
        const records = page.Records ?? [];
        if (records.length > 0) {
          const done = await this.processBatch(records);
          if (this.controller.signal.aborted) break;
          // The next batch is read while this one's completions and checkpoint are written (it runs after them).
          if (done === records.length && page.NextShardIterator && !this.stopping) prefetched = this.read(page.NextShardIterator);
          if (done > 0 && this.options.completionRecords === 'shard') {
            // The checkpoint records every waiting completion: covered by it, or in its list of done above it.
            const next = records[done - 1].SequenceNumber!;
            const remaining = above(this.doneAbove, next);
            await this.completions.commit(() => leases.checkpoint(this.held, next, remaining));
            checkpoint = next;
            this.doneAbove = new Set(remaining);
          } else {
            // Completions first: a checkpoint never passes an event whose completion could still be lost.
            await this.completions.flush();
            if (done > 0 && !this.controller.signal.aborted) {
              checkpoint = records[done - 1].SequenceNumber!;
              await leases.checkpoint(this.held, checkpoint);
            }
          }
          if (done < records.length) break;
        }
        iterator = page.NextShardIterator;
        if (!iterator) return await this.finish();
        if (records.length === 0) await sleep(this.options.idleMs, this.wakeups.signal);
      } catch (error) {
        prefetched = undefined; // read from the checkpoint again, or not at all
        if (error instanceof LeaseLostError) {
          log('warn', 'lease lost; stopping the shard', { consumer: leases.consumer, shardId: this.shardId, fencingToken: lease.leaseCounter });
          this.options.metrics?.addMetric('LeasesLost', 'Count', 1);
          this.abort();
          await this.completions.flushOnce();
          return 'lost';
        }
        if (this.controller.signal.aborted) break;
        failures += 1;
        log('warn', 'shard read failed; resuming from the last checkpoint', { consumer: leases.consumer, shardId: this.shardId, error: String(error) });
        iterator = undefined; // expired iterators and transient errors alike: start again from the checkpoint
        await sleep(this.options.backoff(failures), this.wakeups.signal);
      }
    }
    if (this.controller.signal.aborted) {
      await this.completions.flushOnce();
      return 'lost';
    }
    return 'stopped';
  }

  /** One GetRecords call; a failure is reported when its result is awaited (a dropped prefetch fails silently). */
  private read(iterator: string): Promise<GetRecordsCommandOutput> {
    const reading = this.options.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize }));
    reading.catch(() => undefined);
    return reading;
  }

  /** The shard is read to its end: record it, so its children may start, and let the lease go. */
  private async finish(): Promise<ProcessorEnd> {
    await this.options.leases.checkpoint(this.held, SHARD_END, this.options.completionRecords === 'shard' ? [] : undefined);
    await this.options.leases.release(this.held);
    this.options.log('info', 'shard finished', { consumer: this.options.leases.consumer, shardId: this.shardId });
    return 'finished';
  }

  /** Runs a batch; returns how many leading records are done (all, unless stopped or aborted). */
  private async processBatch(batch: _Record[]): Promise<number> {
    // Before an AT_TIMESTAMP start time: passed over, done without running.
    let skipped = 0;
    while (this.skipBefore !== undefined && skipped < batch.length) {
      if ((batch[skipped].ApproximateArrivalTimestamp?.getTime() ?? Infinity) >= this.skipBefore) this.skipBefore = undefined;
      else skipped += 1;
    }
    const plan = await this.plan(batch.slice(skipped));
    const doneFlags = new Array<boolean>(plan.entries.length).fill(false);
    if (this.options.concurrency <= 1) {
      for (let index = 0; index < plan.entries.length && !this.stopping; index++) {
        doneFlags[index] = (await this.processRecord(plan.entries[index], plan)).kind !== 'aborted';
        if (!doneFlags[index]) break;
      }
    } else {
      await this.processConcurrently(plan, doneFlags);
    }
    const firstUndone = doneFlags.indexOf(false);
    return skipped + (firstUndone === -1 ? plan.entries.length : firstUndone);
  }

  /** Decodes the batch and reads its events' idempotency records in one BatchGetItem round. */
  private async plan(records: _Record[]): Promise<BatchPlan> {
    const entries: PlannedRecord[] = records.map((record) => {
      const lane = this.toLaneRecord(record);
      const streamed = this.options.runner.decode(lane);
      return { lane, ...(streamed ? { streamed, key: this.options.idempotency.recordKey(streamed.event) } : {}) };
    });
    const identities = entries.flatMap((entry) => (entry.streamed ? [{ source: entry.streamed.event.source, id: entry.streamed.event.id }] : []));
    const stored =
      identities.length > 0 && this.options.completionRecords === 'event' ? await this.options.idempotency.lookup(identities) : new Map<string, StoredEventState>();
    const claimAll = this.claimNextBatch;
    if (records.length > 0) this.claimNextBatch = false;
    return { entries, stored, claimAll, handledKeys: new Set() };
  }

  /** Per-key promise chains under a limit of events in flight: keys overlap, one key never does. */
  private async processConcurrently(plan: BatchPlan, doneFlags: boolean[]): Promise<void> {
    const records = plan.entries;
    const chains = new Map<string, Promise<void>>();
    let inFlight = 0;
    const waiters: Array<() => void> = [];
    const release = () => {
      inFlight -= 1;
      waiters.shift()?.();
    };
    for (let index = 0; index < records.length && !this.stopping; index++) {
      if (inFlight >= this.options.concurrency) await new Promise<void>((resolve) => waiters.push(resolve));
      if (this.stopping) break;
      inFlight += 1;
      const entry = records[index];
      const key = entry.lane.partitionKey;
      const previous = chains.get(key) ?? Promise.resolve();
      const chain = previous.then(async () => {
        try {
          // A stop (or an earlier event of this key not done) leaves the rest of the key undone.
          if (this.stopping || (index > 0 && !previousOfKeyDone(records, doneFlags, index, key))) return;
          doneFlags[index] = (await this.processRecord(entry, plan)).kind !== 'aborted';
        } finally {
          release();
        }
      });
      chains.set(key, chain);
    }
    await Promise.all(chains.values());
  }

  /** One record: into its key's lane when the key is parked, else through the runner (parking it when spent). */
  private async processRecord(entry: PlannedRecord, plan: BatchPlan): Promise<RunOutcome | { kind: 'held' | 'parked' }> {
    const laneRecord = entry.lane;
    const signal = this.controller.signal;
    const scope: RunScope = { fencingToken: this.options.lease.leaseCounter, signal, stopSignal: this.wakeups.signal, budget: 'absolute' };
    let failures = 0;
    for (;;) {
      if (signal.aborted || this.wakeups.signal.aborted) return { kind: 'aborted' };
      try {
        if (this.parkedKeys.has(laneRecord.partitionKey)) {
          if (await this.options.lanes.append(laneRecord)) {
            this.options.metrics?.addMetric('EventsHeldBehindParked', 'Count', 1);
            this.markDone(laneRecord);
            return { kind: 'held' };
          }
          // Released meanwhile: handle it here, under a claim (the drain may have run it already).
          this.parkedKeys.delete(laneRecord.partitionKey);
          entry.claim = true;
        }
        const outcome = await this.runRecord(entry, plan, scope);
        if (entry.key && (outcome.kind === 'handled' || outcome.kind === 'duplicate')) plan.handledKeys.add(entry.key);
        if (outcome.kind !== 'exhausted') {
          if (outcome.kind !== 'aborted') this.markDone(laneRecord);
          return outcome;
        }
        const parked = await this.options.lanes.park(laneRecord, outcome.details);
        this.markDone(laneRecord);
        this.parkedKeys.add(laneRecord.partitionKey);
        this.options.metrics?.addMetric('EventsParked', 'Count', 1);
        this.options.log('warn', 'event parked; its key waits for release or skip', { ...parked });
        this.options.onParked?.(parked);
        return { kind: 'parked' };
      } catch (error) {
        failures += 1;
        this.options.log('warn', 'parked-lane write failed; retrying', { shardId: this.shardId, error: String(error) });
        await sleep(this.options.backoff(failures), this.wakeups.signal);
      }
    }
  }

  /**
   * Skips a completed event (or a copy of one handled earlier in this batch); runs a new one without a claim,
   * its completion going to the buffer; and anything else — not a CloudEvent, a record left by a failed or
   * crashed run, the first batch after a crash — under a claim.
   */
  private async runRecord(entry: PlannedRecord, plan: BatchPlan, scope: RunScope): Promise<RunOutcome> {
    const { runner, metrics } = this.options;
    const stored = entry.key === undefined ? undefined : plan.stored.get(entry.key);
    const done = stored?.status === EventRecordStatus.completed || this.doneAbove.has(entry.lane.sequenceNumber);
    if (done || (entry.key !== undefined && plan.handledKeys.has(entry.key))) {
      metrics?.addMetric('DuplicatesSkipped', 'Count', 1);
      return { kind: 'duplicate' };
    }
    // Every run holds a slot until its completion is written, claimed runs and retries too (they write their
    // own before the slot is given back): so a crash finds at most maxEvents runs of the shard unrecorded.
    if (!(await this.completions.acquire(this.wakeups.signal))) return { kind: 'aborted' };
    let outcome: RunOutcome;
    try {
      outcome =
        !entry.streamed || stored || plan.claimAll || entry.claim ? await runner.run(entry.lane, scope) : await runner.runFirst(entry.lane, entry.streamed, scope);
    } catch (error) {
      this.completions.release();
      throw error;
    }
    if (outcome.kind === 'handled' && outcome.unrecorded && entry.streamed) {
      const { source, id } = entry.streamed.event;
      this.completions.add({ source, id, attempts: 1, sequenceNumber: entry.lane.sequenceNumber });
    } else {
      this.completions.release();
    }
    return outcome;
  }

  /** `completionRecords: 'shard'`: the event is done (its completion may still wait in the buffer). */
  private markDone(record: LaneRecord): void {
    if (this.options.completionRecords === 'shard') this.doneAbove.add(record.sequenceNumber);
  }

  private toLaneRecord(record: _Record): LaneRecord {
    return {
      shardId: this.shardId,
      depth: this.options.lease.depth,
      sequenceNumber: record.SequenceNumber!,
      partitionKey: record.PartitionKey!,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString('base64'),
      arrivedAt: (record.ApproximateArrivalTimestamp ?? new Date()).toISOString(),
    };
  }

  private async iteratorFrom(checkpoint: string | undefined): Promise<string | undefined> {
    if (checkpoint === SHARD_END) return undefined;
    const { start } = this.options.lease;
    if (checkpoint) return this.iterator({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: checkpoint });
    if (start.type === 'AT_SEQUENCE_NUMBER') return this.iterator({ ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: start.sequenceNumber });
    if (start.type === 'TRIM_HORIZON') return this.iterator({ ShardIteratorType: 'TRIM_HORIZON' });
    // Records that arrived before the start time are passed over (checkpointed, not handled) whichever
    // iterator we get: kinesalite never answers AT_TIMESTAMP when no record is that recent, so after a short
    // wait the shard is read from its start instead.
    this.skipBefore = start.timestamp;
    try {
      return await this.iterator({ ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(start.timestamp) }, AbortSignal.timeout(AT_TIMESTAMP_WAIT_MS));
    } catch (error) {
      if ((error as { name?: string }).name !== 'AbortError') throw error;
      return this.iterator({ ShardIteratorType: 'TRIM_HORIZON' });
    }
  }

  private async iterator(
    position: Pick<GetShardIteratorCommandInput, 'ShardIteratorType' | 'StartingSequenceNumber' | 'Timestamp'>,
    abortSignal?: AbortSignal,
  ): Promise<string | undefined> {
    const { ShardIterator } = await this.options.kinesis.send(
      new GetShardIteratorCommand({ StreamName: this.options.streamName, ShardId: this.shardId, ...position }),
      abortSignal ? { abortSignal } : {},
    );
    return ShardIterator;
  }
}

/** One record of a batch, decoded (`streamed` and its record `key` are absent when it is not a CloudEvent). */
interface PlannedRecord {
  lane: LaneRecord;
  streamed?: StreamedEvent;
  key?: string;
  /** Run it under a claim whatever the lookup said (its parked lane was drained while it was appended). */
  claim?: boolean;
}

/** A batch about to run: its records, what the idempotency table holds for them, and what ran so far. */
interface BatchPlan {
  entries: PlannedRecord[];
  stored: Map<string, StoredEventState>;
  /** Run every event not completed under a claim (the first batch after the lease moved from a crashed owner). */
  claimAll: boolean;
  /** Record keys handled in this batch: a second copy of an event in one batch is a duplicate. */
  handledKeys: Set<string>;
}

/** The sequences after `checkpoint` (all of them without one), in stream order. */
function above(sequences: Iterable<string>, checkpoint: string | undefined): string[] {
  const list = [...sequences];
  const later = checkpoint === undefined || checkpoint === SHARD_END ? list : list.filter((sequence) => compareSequences(sequence, checkpoint) > 0);
  return later.sort(compareSequences);
}

/** Whether the nearest earlier record of `key` in the batch is done (its chain ran before this one). */
function previousOfKeyDone(records: PlannedRecord[], doneFlags: boolean[], index: number, key: string): boolean {
  for (let earlier = index - 1; earlier >= 0; earlier--) {
    if (records[earlier].lane.partitionKey === key) return doneFlags[earlier];
  }
  return true;
}
