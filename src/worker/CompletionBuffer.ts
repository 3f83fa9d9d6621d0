import type { EventCompletion } from './EventIdempotency';
import { sleep } from './EventRunner';
import type { CompletionFlush, WorkerLog } from './types';

/** A handled event waiting for its completion to be written. */
export interface BufferedCompletion extends EventCompletion {
  sequenceNumber: string;
}

export interface CompletionBufferOptions {
  /** Writes completions durably (idempotency records, or the shard's lease); throws when it could not. */
  write: (completions: BufferedCompletion[]) => Promise<void>;
  flush: CompletionFlush;
  /** Aborted when the lease is lost: a flush stops retrying (the next owner re-runs what was not written). */
  lost: AbortSignal;
  /** Pause after a failed write, by consecutive failures. */
  backoff: (failures: number) => number;
  log: WorkerLog;
  shardId: string;
}

/**
 * The completions of one shard's events handled without a claim, written in batches (see `CompletionFlush`).
 *
 * Every run holds a slot from before its handler starts until its completion is durable, and there are
 * `maxEvents` slots: so at no moment have more than `maxEvents` events of the shard run without a written
 * completion, which bounds what a crash makes run twice. A flush starts when a run waits for a slot, when the
 * oldest completion has waited `maxMs`, or when the shard asks (`flush`, or `commit` into the checkpoint, at the
 * end of each batch). One flush runs at a time.
 */
export class CompletionBuffer {
  private pending: BufferedCompletion[] = [];
  private slotsUsed = 0;
  private readonly waiters: Array<() => void> = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: CompletionBufferOptions) {}

  /** Events run or waiting to be written now. */
  get unwritten(): number {
    return this.slotsUsed;
  }

  /** Waits for a slot; false when `stop` aborted first (the run must not start). */
  async acquire(stop: AbortSignal): Promise<boolean> {
    while (this.slotsUsed >= this.options.flush.maxEvents) {
      if (stop.aborted) return false;
      await new Promise<void>((resolve) => {
        const onStop = () => resolve();
        stop.addEventListener('abort', onStop, { once: true });
        this.waiters.push(() => {
          stop.removeEventListener('abort', onStop);
          resolve();
        });
        this.startFlush();
      });
    }
    if (stop.aborted) return false;
    this.slotsUsed += 1;
    return true;
  }

  /** The run did not complete (it failed or was aborted): its slot is free again. */
  release(): void {
    this.slotsUsed -= 1;
    this.wake();
  }

  /** The run's handler succeeded: its completion waits for the next flush, keeping its slot until written. */
  add(completion: BufferedCompletion): void {
    this.pending.push(completion);
    // With every slot taken, the next run's `acquire` starts the flush (or the batch's checkpoint covers it).
    if (this.waiters.length > 0) this.startFlush();
    else this.timer ??= setTimeout(() => this.startFlush(), this.options.flush.maxMs);
  }

  /**
   * Writes every waiting completion; resolves once they are durable. Retries failed writes until they succeed
   * or the lease is lost (then resolves with them unwritten: the next owner runs those events again).
   */
  async flush(): Promise<void> {
    while (this.flushing || this.pending.length > 0) {
      if (this.options.lost.aborted && !this.flushing) return;
      this.startFlush();
      await this.flushing;
    }
  }

  /**
   * Waits for the running flush, then hands every waiting completion to `write` instead (a checkpoint that
   * records them); they are written once it resolves, and wait again if it throws.
   */
  async commit(write: (completions: BufferedCompletion[]) => Promise<void>): Promise<void> {
    await this.flushing;
    const batch = this.take();
    try {
      await write(batch);
    } catch (error) {
      this.pending.unshift(...batch);
      throw error;
    }
    this.free(batch.length);
  }

  /** After the lease was lost: one attempt at writing what is waiting (they are true), no retries. */
  async flushOnce(): Promise<void> {
    await this.flushing;
    const batch = this.take();
    if (batch.length === 0) return;
    try {
      await this.options.write(batch);
    } catch (error) {
      this.options.log('warn', 'completions not written after the lease was lost; the next owner runs these events again', {
        shardId: this.options.shardId,
        events: batch.length,
        error: String(error),
      });
    } finally {
      this.free(batch.length);
    }
  }

  private startFlush(): void {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = this.write().finally(() => {
      this.flushing = undefined;
      // Completions added meanwhile by runs that then waited for a slot: write them too.
      if (this.waiters.length > 0) this.startFlush();
      else if (this.pending.length > 0) this.timer ??= setTimeout(() => this.startFlush(), this.options.flush.maxMs);
    });
  }

  private async write(): Promise<void> {
    const batch = this.take();
    for (let failures = 0; ; failures++) {
      if (this.options.lost.aborted) {
        // Nobody will run these here again; leave them to `flushOnce` or to the next owner.
        this.pending.unshift(...batch);
        return;
      }
      try {
        await this.options.write(batch);
        this.free(batch.length);
        return;
      } catch (error) {
        this.options.log('warn', 'writing completions failed; retrying', { shardId: this.options.shardId, events: batch.length, error: String(error) });
        await sleep(this.options.backoff(failures + 1), this.options.lost);
      }
    }
  }

  private take(): BufferedCompletion[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    return batch;
  }

  private free(count: number): void {
    this.slotsUsed -= count;
    this.wake();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
