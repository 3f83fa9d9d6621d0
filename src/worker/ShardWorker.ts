import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../crypto';
import { EventIdempotency } from './EventIdempotency';
import { EventRunner, sleep } from './EventRunner';
import { ConsumerRegistry } from './ConsumerRegistry';
import { LeaseTable, SHARD_END, type Lease, type StoredStart } from './LeaseTable';
import { ParkedLanes, laneSk } from './ParkedLanes';
import { ShardProcessor } from './ShardProcessor';
import { resolveStartPositions } from './startPosition';
import type { CompletionFlush, CompletionRecords, EventHandler, ParkedEvent, StartPosition, WorkerLog, WorkerMetrics } from './types';

export interface ShardWorkerOptions {
  /** The Kinesis stream's name. */
  stream: string;
  /** The consumer's name: its leases, checkpoints, idempotency records and parked keys are its own. */
  consumer: string;
  handler: EventHandler;
  kinesis: KinesisClient;
  documents: DynamoDBDocumentClient;
  /** Worker table (WORKER_TABLE_SCHEMA): leases, checkpoints, parked lanes. */
  workerTable: string;
  /** Idempotency table (IDEMPOTENCY_TABLE_SCHEMA), shared with ingest dedupe. */
  idempotencyTable: string;
  /** Names this process in the leases. @default `<hostname>:<pid>:<random>` */
  workerId?: string;
  /**
   * Most distinct consumers the worker table registers (the stage's `maxWorkerConsumers`, `MAX_WORKER_CONSUMERS`):
   * `start` registers this consumer first and refuses a new one beyond it with ConsumerLimitError.
   * @default DEFAULT_MAX_WORKER_CONSUMERS (20)
   */
  maxConsumers?: number;
  /** Where a never-read shard starts; fixed when the consumer's first worker starts. @default trim-horizon */
  startPosition?: StartPosition;
  /** How long a lease lasts without renewal; a crashed worker's shards move after this. @default 10000 */
  leaseDurationMs?: number;
  /** Renewal and balancing period. @default leaseDurationMs / 3 */
  tickMs?: number;
  /** How often the shard list is read again (resharding). @default 30000 */
  shardSyncMs?: number;
  /** Records per GetRecords call (and per checkpoint). @default 100 */
  batchSize?: number;
  /** Pause when a shard has nothing new. @default 250 */
  idleMs?: number;
  /**
   * Events of one shard in flight at once, never two of one partition key (so per-key order holds). 1 keeps
   * the whole shard in order. @default 1
   */
  concurrencyPerShard?: number;
  /**
   * When completions are written, and so how many events a crash may make run twice (see `CompletionFlush`).
   * `{ maxEvents: 1 }` writes each before the next event starts.
   * @default { maxEvents: 25, maxMs: 1000 }; with `completionRecords: 'shard'`, { maxEvents: batchSize, maxMs: 1000 }
   */
  completionFlush?: Partial<CompletionFlush>;
  /**
   * What the worker remembers of finished events (see `CompletionRecords`): `event`, an idempotency record per
   * (consumer, source, id), which also skips copies of an event published again; or `shard`, the sequences
   * done, kept on the shard's lease, with no DynamoDB item per event. @default 'event'
   */
  completionRecords?: CompletionRecords;
  /** Runs of an event (crashed runs included) before its key is parked. @default 5 */
  maxAttempts?: number;
  /** Pause before the next run after `attempt` failed ones. @default 100 ms doubling, at most 5 s */
  backoff?: (attempt: number) => number;
  /**
   * The idempotency records to run events under, when built elsewhere (another table, shared settings);
   * its consumer must be this worker's. @default built from `idempotencyTable` and the two options below
   */
  idempotency?: EventIdempotency;
  /** See `EventIdempotencyOptions.inProgressTimeoutMs`. @default 60000 */
  inProgressTimeoutMs?: number;
  /** See `EventIdempotencyOptions.retentionSeconds`. @default 7 days */
  idempotencyRetentionSeconds?: number;
  /** Called once per parked event (also reported as metric `EventsParked`). */
  onParked?: (parked: ParkedEvent) => void;
  metrics?: WorkerMetrics;
  log?: WorkerLog;
  /** How long `stop` lets a running handler finish before aborting its signal. @default 30000 */
  stopGraceMs?: number;
  clock?: Clock;
}

const defaultBackoff = (attempt: number) => Math.min(5_000, 100 * 2 ** Math.max(0, attempt - 1));

/**
 * The `completionFlush` a worker uses unless told otherwise (see `CompletionFlush` for why): 25 events (one
 * BatchWriteItem request) with `event` records, a whole GetRecords batch with `shard` records, 1 s either way.
 */
export function defaultCompletionFlush(completionRecords: CompletionRecords, batchSize: number): CompletionFlush {
  return { maxEvents: completionRecords === 'shard' ? batchSize : 25, maxMs: 1_000 };
}

/**
 * A native Node.js Kinesis consumer with ordered, exactly-once-effect processing per shard (the worker role
 * of DESIGN.md "Workers"). Several processes running a `ShardWorker` for one consumer share the stream's
 * shards through leases in DynamoDB:
 *
 * - Every `tickMs` a worker renews its leases (a refused renewal stops that shard at once), re-reads the
 *   leases, and takes free or expired ones up to its fair share (shards ÷ live workers, rounded up); with
 *   none free it takes one live lease from a worker holding at least two more than itself. Each take bumps
 *   the lease counter, the fencing token of every later write of the new owner.
 * - Each held shard runs in a `ShardProcessor`: events in shard order through the handler, skipping those
 *   already completed (an idempotency record per (consumer, source, id), or with `completionRecords: 'shard'`
 *   the sequences done kept on the lease); completions are written in batches (`completionFlush`), then a
 *   checkpoint per batch conditional on the lease. A lease taken from a live worker starts after two ticks,
 *   once that worker has noticed at its renewal, stopped and written its completions.
 * - Resharding: the shard list is read again every `shardSyncMs`; a child shard is only leased once every
 *   parent's checkpoint is `SHARD_END`.
 * - A handler failing `maxAttempts` times parks its partition key (`ParkedLanes`): that event and the key's
 *   later events wait in a lane, other keys flow on, `onParked` is called. `release(key)` retries the lane in
 *   order, `skip(key)` acknowledges the parked event and runs the rest; whichever worker of the consumer sees
 *   the request first drains the lane.
 *
 * The guarantee (see `EventIdempotency`): an event whose completion was written is never handed to the handler
 * again, by any worker of the consumer, across crashes, restarts, lease moves and reshards (with `event`
 * records, copies of it published again neither, for `idempotencyRetentionSeconds`). A crash re-runs the events
 * handled since the last flush — at most `completionFlush.maxEvents` per shard; effects outside the record's
 * own writes stay single only when written conditionally on the context's `sequenceNumber` or `fencingToken`.
 */
export class ShardWorker {
  readonly consumer: string;
  readonly workerId: string;
  private readonly options: ShardWorkerOptions;
  private readonly leases: LeaseTable;
  private readonly registry: ConsumerRegistry;
  private readonly lanes: ParkedLanes;
  private readonly runner: EventRunner;
  private readonly idempotency: EventIdempotency;
  private readonly completionFlush: CompletionFlush;
  private readonly completionRecords: CompletionRecords;
  private readonly log: WorkerLog;
  private readonly clock: Clock;
  private readonly leaseDurationMs: number;
  private readonly tickMs: number;
  private readonly shardSyncMs: number;
  private readonly processors = new Map<string, ShardProcessor>();
  private running = false;
  private loop?: Promise<void>;
  private wake = new AbortController();
  private lastShardSync = 0;
  private shardIds = new Set<string>();
  private draining?: Promise<void>;
  private readonly drainStop = new AbortController();

  constructor(options: ShardWorkerOptions) {
    this.options = options;
    this.consumer = options.consumer;
    this.workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.log = options.log ?? (() => undefined);
    this.clock = options.clock ?? Date.now;
    this.leaseDurationMs = options.leaseDurationMs ?? 10_000;
    this.tickMs = options.tickMs ?? Math.floor(this.leaseDurationMs / 3);
    this.shardSyncMs = options.shardSyncMs ?? 30_000;
    if (!options.stream) throw new RangeError('ShardWorker: stream is required');
    if (!options.consumer) throw new RangeError('ShardWorker: consumer is required');
    if (!(this.tickMs > 0 && this.tickMs < this.leaseDurationMs)) {
      throw new RangeError(`ShardWorker: tickMs must be > 0 and < leaseDurationMs (${this.leaseDurationMs}), got ${this.tickMs}`);
    }
    const maxAttempts = options.maxAttempts ?? 5;
    if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new RangeError(`ShardWorker: maxAttempts must be an integer >= 1, got ${maxAttempts}`);
    this.completionRecords = options.completionRecords ?? 'event';
    if (this.completionRecords !== 'event' && this.completionRecords !== 'shard') {
      throw new RangeError(`ShardWorker: completionRecords must be 'event' or 'shard', got ${JSON.stringify(this.completionRecords)}`);
    }
    this.completionFlush = { ...defaultCompletionFlush(this.completionRecords, options.batchSize ?? 100), ...options.completionFlush };
    const { maxEvents, maxMs } = this.completionFlush;
    if (!(Number.isInteger(maxEvents) && maxEvents >= 1)) throw new RangeError(`ShardWorker: completionFlush.maxEvents must be an integer >= 1, got ${maxEvents}`);
    if (!(Number.isFinite(maxMs) && maxMs >= 0)) throw new RangeError(`ShardWorker: completionFlush.maxMs must be a number >= 0, got ${maxMs}`);
    const concurrency = options.concurrencyPerShard ?? 1;
    if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new RangeError(`ShardWorker: concurrencyPerShard must be an integer >= 1, got ${concurrency}`);
    }
    const common = { documents: options.documents, consumer: options.consumer, clock: this.clock };
    this.leases = new LeaseTable({ ...common, tableName: options.workerTable });
    this.registry = new ConsumerRegistry({ documents: options.documents, tableName: options.workerTable, maxConsumers: options.maxConsumers, clock: this.clock });
    this.lanes = new ParkedLanes({ ...common, tableName: options.workerTable });
    if (options.idempotency && options.idempotency.consumer !== options.consumer) {
      throw new RangeError(`ShardWorker: idempotency is for consumer ${JSON.stringify(options.idempotency.consumer)}, not ${JSON.stringify(options.consumer)}`);
    }
    const idempotency = (this.idempotency = options.idempotency ?? new EventIdempotency({
      ...common,
      tableName: options.idempotencyTable,
      ...(options.inProgressTimeoutMs !== undefined ? { inProgressTimeoutMs: options.inProgressTimeoutMs } : {}),
      ...(options.idempotencyRetentionSeconds !== undefined ? { retentionSeconds: options.idempotencyRetentionSeconds } : {}),
    }));
    this.runner = new EventRunner({
      consumer: options.consumer,
      handler: options.handler,
      idempotency,
      maxAttempts,
      backoff: options.backoff ?? defaultBackoff,
      inProgressPollMs: Math.max(50, Math.min(1_000, this.tickMs)),
      log: this.log,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
  }

  /** Shards this worker processes now. */
  ownedShards(): string[] {
    return [...this.processors.keys()].sort();
  }

  /** Creates the consumer's leases if needed, takes its share, and keeps balancing until `stop`. */
  async start(): Promise<void> {
    if (this.running) throw new Error('ShardWorker: already started');
    // A consumer beyond the stage's limit is refused before it takes a lease (ConsumerLimitError).
    await this.registry.register(this.consumer, this.workerId);
    this.running = true;
    await this.syncShards();
    await this.tick();
    this.loop = this.tickLoop();
  }

  /**
   * Graceful stop: no new event starts; each shard finishes the event in flight (aborting its signal after
   * `stopGraceMs`), checkpoints what is done and releases its lease, so another worker takes it at once.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake.abort();
    await this.loop;
    const processors = [...this.processors.values()];
    for (const processor of processors) processor.stop();
    this.drainStop.abort();
    const grace = setTimeout(() => processors.forEach((processor) => processor.abort()), this.options.stopGraceMs ?? 30_000);
    try {
      await Promise.all([...processors.map((processor) => this.settle(processor)), this.draining]);
    } finally {
      clearTimeout(grace);
    }
  }

  /** The consumer's parked keys, with their parked event and the length of their lane. */
  parked(): Promise<ParkedEvent[]> {
    return this.lanes.list();
  }

  /** Retries a parked key's event, then its held events in order. False when the key is not parked. */
  async release(partitionKey: string): Promise<boolean> {
    const found = await this.lanes.request(partitionKey, 'release');
    this.wake.abort();
    return found;
  }

  /** Acknowledges a parked key's event without handling it, then runs its held events. False when not parked. */
  async skip(partitionKey: string): Promise<boolean> {
    const found = await this.lanes.request(partitionKey, 'skip');
    this.wake.abort();
    return found;
  }

  private async tickLoop(): Promise<void> {
    while (this.running) {
      await sleep(this.tickMs, this.wake.signal);
      if (this.wake.signal.aborted) this.wake = new AbortController();
      if (!this.running) break;
      try {
        if (this.clock() - this.lastShardSync >= this.shardSyncMs) await this.syncShards();
        await this.tick();
      } catch (error) {
        this.log('warn', 'lease upkeep failed; retrying next tick', { consumer: this.consumer, error: String(error) });
      }
    }
  }

  /** One round: renew held leases, then take a fair share, then look for release/skip requests. */
  private async tick(): Promise<void> {
    const renewals = await Promise.allSettled([...this.processors.values()].map((processor) => this.renew(processor)));
    const failed = renewals.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
    const leases = await this.leases.list();
    await this.balance(leases);
    if (!this.draining && this.running) this.startDraining();
  }

  private async renew(processor: ShardProcessor): Promise<void> {
    const { shardId, owner, leaseCounter } = processor.lease;
    try {
      processor.lease.expiresAt = await this.leases.renew({ shardId, owner: owner!, leaseCounter }, this.leaseDurationMs);
    } catch (error) {
      if ((error as { name?: string }).name !== 'LeaseLostError') {
        // DynamoDB unreachable: keep going while the lease is surely ours, stop once another worker may take it.
        if (this.clock() < processor.lease.expiresAt) throw error;
        this.log('warn', 'lease could not be renewed before it expired; stopping the shard', { consumer: this.consumer, shardId, error: String(error) });
        processor.abort();
        return;
      }
      this.log('warn', 'lease renewal refused; stopping the shard', { consumer: this.consumer, shardId, fencingToken: leaseCounter });
      this.options.metrics?.addMetric('LeasesLost', 'Count', 1);
      processor.abort();
    }
  }

  /** Creates leases for shards not seen before, with their parents and starting positions. */
  private async syncShards(): Promise<void> {
    const shards = await this.listShards();
    this.lastShardSync = this.clock();
    this.shardIds = new Set(shards.map((shard) => shard.ShardId!));
    const existing = await this.leases.list();
    const known = new Set(existing.map((lease) => lease.shardId));
    const missing = shards.filter((shard) => !known.has(shard.ShardId!));
    if (missing.length === 0) return;
    // The consumer's first shards start at its start position; shards born later (a reshard) from their start.
    const starts: Map<string, StoredStart> =
      existing.length === 0
        ? await resolveStartPositions(this.options.kinesis, this.options.stream, missing.map((shard) => shard.ShardId!), this.options.startPosition ?? { type: 'trim-horizon' }, this.clock())
        : new Map();
    const depthOf = depths(shards, existing);
    await Promise.all(
      missing.map((shard) =>
        this.leases.create(shard.ShardId!, parentsOf(shard), depthOf.get(shard.ShardId!) ?? 0, starts.get(shard.ShardId!) ?? { type: 'TRIM_HORIZON' }),
      ),
    );
  }

  private async listShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.options.kinesis.send(new ListShardsCommand(NextToken ? { NextToken } : { StreamName: this.options.stream }));
      shards.push(...(page.Shards ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return shards;
  }

  /** Takes free and expired leases up to the fair share; with none free, one live lease from the busiest worker. */
  private async balance(leases: Lease[]): Promise<void> {
    if (!this.running) return;
    const now = this.clock();
    const byShard = new Map(leases.map((lease) => [lease.shardId, lease]));
    // A parent is drained at SHARD_END, or when it has left the stream (trimmed) without a lease.
    const drained = (shardId: string) => byShard.get(shardId)?.checkpoint === SHARD_END || (!byShard.has(shardId) && !this.shardIds.has(shardId));
    const ready = leases.filter((lease) => lease.checkpoint !== SHARD_END && lease.parentShardIds.every(drained));
    const live = (lease: Lease) => lease.owner !== undefined && lease.expiresAt > now;
    const perOwner = new Map<string, Lease[]>();
    for (const lease of ready.filter(live)) {
      if (lease.owner === this.workerId) continue;
      perOwner.set(lease.owner!, [...(perOwner.get(lease.owner!) ?? []), lease]);
    }
    const workers = perOwner.size + 1;
    const fairShare = Math.ceil(ready.length / workers);
    let mine = this.processors.size;
    const free = ready.filter((lease) => !live(lease) && !this.processors.has(lease.shardId)).sort((a, b) => a.depth - b.depth || a.shardId.localeCompare(b.shardId));
    for (const lease of free) {
      if (mine >= fairShare) break;
      if (await this.take(lease)) mine += 1;
    }
    if (mine < fairShare && free.length === 0) {
      const [busiest] = [...perOwner.values()].sort((a, b) => b.length - a.length);
      if (busiest && busiest.length >= mine + 2) {
        const victim = busiest[Math.floor(Math.random() * busiest.length)];
        this.log('info', 'taking a lease from a busier worker', { consumer: this.consumer, shardId: victim.shardId, from: victim.owner });
        await this.take(victim);
      }
    }
  }

  private async take(observed: Lease): Promise<boolean> {
    if (!this.running) return false;
    const lease = await this.leases.acquire(observed, this.workerId, this.leaseDurationMs);
    if (!lease) return false;
    // Taken from a worker that is alive: it notices at its next renewal, stops, and writes its completions.
    const fromLiveOwner = observed.owner !== undefined && observed.owner !== this.workerId && observed.expiresAt > this.clock();
    this.log('info', 'lease taken', { consumer: this.consumer, shardId: lease.shardId, fencingToken: lease.leaseCounter, previousOwner: observed.owner });
    const processor = new ShardProcessor({
      kinesis: this.options.kinesis,
      streamName: this.options.stream,
      leases: this.leases,
      lanes: this.lanes,
      runner: this.runner,
      idempotency: this.idempotency,
      completionFlush: this.completionFlush,
      completionRecords: this.completionRecords,
      lease,
      claimFirstBatch: observed.owner !== undefined,
      startDelayMs: fromLiveOwner ? Math.min(2 * this.tickMs, this.leaseDurationMs) : 0,
      batchSize: this.options.batchSize ?? 100,
      idleMs: this.options.idleMs ?? 250,
      concurrency: this.options.concurrencyPerShard ?? 1,
      backoff: this.options.backoff ?? defaultBackoff,
      log: this.log,
      ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
      ...(this.options.onParked ? { onParked: this.options.onParked } : {}),
    });
    this.processors.set(lease.shardId, processor);
    void processor.done.then(
      (end) => {
        if (this.processors.get(lease.shardId) === processor) this.processors.delete(lease.shardId);
        // A finished parent may free its children: balance again now rather than a tick later.
        if (end === 'finished' && this.running) this.wake.abort();
      },
      (error) => {
        if (this.processors.get(lease.shardId) === processor) this.processors.delete(lease.shardId);
        this.log('error', 'shard processor failed; its lease will expire and be taken again', { consumer: this.consumer, shardId: lease.shardId, error: String(error) });
      },
    );
    return true;
  }

  /** Waits for a stopped processor and releases its lease unless it was lost or finished. */
  private async settle(processor: ShardProcessor): Promise<void> {
    const end = await processor.done.catch(() => 'lost' as const);
    if (end === 'stopped') {
      const { shardId, owner, leaseCounter } = processor.lease;
      await this.leases.release({ shardId, owner: owner!, leaseCounter }).catch((error: unknown) => {
        this.log('warn', 'lease release failed; it will expire', { consumer: this.consumer, shardId, error: String(error) });
      });
    }
  }

  private startDraining(): void {
    this.draining = this.drainRequests()
      .catch((error: unknown) => this.log('warn', 'draining a parked lane failed; it will be retried', { consumer: this.consumer, error: String(error) }))
      .finally(() => {
        this.draining = undefined;
      });
  }

  /** Drains the lanes of keys with a pending release or skip, one at a time. */
  private async drainRequests(): Promise<void> {
    for (const partitionKey of await this.lanes.pendingRequests()) {
      if (!this.running) return;
      const claim = await this.lanes.claimDrain(partitionKey, this.workerId, this.leaseDurationMs);
      if (claim) await this.drain(partitionKey, claim);
    }
  }

  private async drain(partitionKey: string, claim: { action: 'release' | 'skip'; attemptsAtPark: number; drainCounter: number }): Promise<void> {
    const lost = new AbortController();
    const renewal = setInterval(() => {
      this.lanes.renewDrain(partitionKey, this.workerId, this.leaseDurationMs).then(
        (held) => held || lost.abort(),
        () => undefined,
      );
    }, this.tickMs);
    const scope = { fencingToken: claim.drainCounter, signal: lost.signal, stopSignal: AbortSignal.any([lost.signal, this.drainStop.signal]), budget: 'fresh' as const };
    let skipFirst = claim.action === 'skip';
    try {
      for (;;) {
        const lane = await this.lanes.lane(partitionKey);
        if (!lane) return;
        if (lane.records.length === 0) {
          if (await this.lanes.finishDrain(partitionKey, this.workerId, lane.version)) {
            this.log('info', 'parked key drained and released', { consumer: this.consumer, partitionKey });
            return;
          }
          continue;
        }
        for (const record of lane.records) {
          if (skipFirst) {
            skipFirst = false;
            await this.runner.acknowledge(record);
            await this.lanes.deleteRecord(partitionKey, laneSk(record));
            this.options.metrics?.addMetric('ParkedEventsSkipped', 'Count', 1);
            continue;
          }
          const outcome = await this.runner.run(record, scope);
          if (outcome.kind === 'aborted') {
            await this.lanes.abandonDrain(partitionKey, this.workerId).catch(() => undefined);
            return;
          }
          if (outcome.kind === 'exhausted') {
            const parked = await this.lanes.reparkAfterDrain(record, this.workerId, outcome.details);
            if (parked) {
              this.options.metrics?.addMetric('EventsParked', 'Count', 1);
              this.log('warn', 'released event failed again; parked', { ...parked });
              this.options.onParked?.(parked);
            }
            return;
          }
          await this.lanes.deleteRecord(partitionKey, laneSk(record));
        }
      }
    } finally {
      clearInterval(renewal);
    }
  }
}

function parentsOf(shard: Shard): string[] {
  return [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => Boolean(id));
}

/** Each shard's generation: 0 without known parents, else one more than its deepest parent. */
function depths(shards: Shard[], existing: Lease[]): Map<string, number> {
  const result = new Map<string, number>(existing.map((lease) => [lease.shardId, lease.depth]));
  const byId = new Map(shards.map((shard) => [shard.ShardId!, shard]));
  const depthOf = (shardId: string, seen: Set<string>): number => {
    const known = result.get(shardId);
    if (known !== undefined) return known;
    const shard = byId.get(shardId);
    if (!shard || seen.has(shardId)) return -1;
    seen.add(shardId);
    const depth = Math.max(-1, ...parentsOf(shard).map((parent) => depthOf(parent, seen))) + 1;
    result.set(shardId, depth);
    return depth;
  };
  for (const shard of shards) depthOf(shard.ShardId!, new Set());
  return result;
}
