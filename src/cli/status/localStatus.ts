import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import type { DeliveryLedger } from '../../delivery/ledger/DeliveryLedger';
import { MAX_LIST_LIMIT } from '../../delivery/ledger/LedgerOperations';
import type { LedgerPage, ListOptions } from '../../delivery/ledger/types';
import type { EventStore } from '../../store/EventStore';
import { STATUS_WINDOW_MS } from './constants';
import type { LocalStatus } from './types';

/** Records counted behind a checkpoint before the count stops (`behindAtLeast`): a local stream is small. */
export const MAX_RECORDS_COUNTED = 10_000;

/** What the local status reads. */
export interface LocalStatusSources {
  /** `local bus at http://…`. */
  target: string;
  ledger: Pick<DeliveryLedger, 'listPending' | 'listDead'>;
  store: Pick<EventStore, 'listTypes' | 'queryEvents'>;
  kinesis: KinesisClient;
  streamName: string;
  /** The local bus's data dir: its router poller keeps a checkpoint per shard in `checkpoints/router/`. */
  dataDir: string;
  now?: number;
}

/**
 * The local bus's figures, measured rather than read from CloudWatch (it publishes no metrics): the ledger's
 * pending deliveries and dead letters, how far the router is behind each shard (its poller's checkpoint against
 * the records after it), and the events stored in the last hour by type (the store's own queries).
 */
export async function readLocalStatus(sources: LocalStatusSources): Promise<LocalStatus> {
  const now = sources.now ?? Date.now();
  const from = new Date(now - STATUS_WINDOW_MS);
  const to = new Date(now);
  const [pendingDeliveries, deadLetters, stream, storedByType] = await Promise.all([
    countPages((options) => sources.ledger.listPending(options)),
    countPages((options) => sources.ledger.listDead(options)),
    streamLag(sources, now),
    storedPerType(sources.store, from, to),
  ]);
  return {
    kind: 'local',
    target: sources.target,
    from: from.toISOString(),
    to: to.toISOString(),
    pendingDeliveries,
    deadLetters,
    stream,
    storedByType,
    storedTotal: Object.values(storedByType).reduce((total, count) => total + count, 0),
  };
}

async function countPages(list: (options: ListOptions) => Promise<LedgerPage>): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await list({ limit: MAX_LIST_LIMIT, ...(cursor ? { cursor } : {}) });
    count += page.entries.length;
    cursor = page.cursor;
  } while (cursor);
  return count;
}

async function storedPerType(store: LocalStatusSources['store'], from: Date, to: Date): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const type of (await store.listTypes()).sort()) {
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await store.queryEvents({ types: type, from, to, limit: 1000, ...(cursor ? { cursor } : {}) });
      count += page.events.length;
      cursor = page.next;
    } while (cursor);
    if (count > 0) counts[type] = count;
  }
  return counts;
}

async function streamLag(sources: LocalStatusSources, now: number): Promise<LocalStatus['stream']> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sources.kinesis.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: sources.streamName }));
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return Promise.all(
    shards.map(async ({ ShardId: shard }) => {
      const checkpoint = await readCheckpoint(sources.dataDir, shard!);
      const behind = await recordsAfter(sources, shard!, checkpoint);
      return {
        shard: shard!,
        checkpoint: checkpoint ?? null,
        latest: behind.last ?? checkpoint ?? null,
        recordsBehind: behind.count,
        behindAtLeast: behind.count >= MAX_RECORDS_COUNTED,
        oldestUnroutedAgeMs: behind.oldestArrival === undefined ? null : Math.max(0, now - behind.oldestArrival),
      };
    }),
  );
}

/**
 * The router poller's position in `shard`: the file `local/poller/CheckpointStore.ts` (`FileCheckpointStore`)
 * writes under `checkpoints/router` of the data dir, named after the shard with anything but `[A-Za-z0-9_-]` as `_`.
 */
async function readCheckpoint(dataDir: string, shard: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dataDir, 'checkpoints', 'router', shard.replace(/[^A-Za-z0-9_-]/g, '_')), 'utf8')).trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The records of `shard` after `checkpoint` (all of them without one): how many, the last one, the first one's arrival. */
async function recordsAfter(
  sources: LocalStatusSources,
  shard: string,
  checkpoint: string | undefined,
): Promise<{ count: number; last?: string; oldestArrival?: number }> {
  const position = checkpoint
    ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, StartingSequenceNumber: checkpoint }
    : { ShardIteratorType: 'TRIM_HORIZON' as const };
  let iterator = (await sources.kinesis.send(new GetShardIteratorCommand({ StreamName: sources.streamName, ShardId: shard, ...position }))).ShardIterator;
  let count = 0;
  let last: string | undefined;
  let oldestArrival: number | undefined;
  while (iterator && count < MAX_RECORDS_COUNTED) {
    const page = await sources.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(1000, MAX_RECORDS_COUNTED - count) }));
    const records = page.Records ?? [];
    if (records.length === 0) break;
    oldestArrival ??= records[0]!.ApproximateArrivalTimestamp?.getTime();
    count += records.length;
    last = records.at(-1)!.SequenceNumber;
    iterator = page.NextShardIterator;
  }
  return { count, ...(last ? { last } : {}), ...(oldestArrival !== undefined ? { oldestArrival } : {}) };
}
