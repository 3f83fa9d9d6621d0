import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { StoredStart } from './LeaseTable';
import type { StartPosition } from './types';

/**
 * Parses the text form of a start position, as the CLI's `--from` takes it: `trim-horizon`, `latest`, an
 * ISO 8601 time (`2026-11-22T07:00:00Z`), or a sequence number (digits). Anything else is refused with the
 * forms accepted.
 */
export function parseStartPosition(text: string): StartPosition {
  const value = text.trim();
  if (value === 'trim-horizon') return { type: 'trim-horizon' };
  if (value === 'latest') return { type: 'latest' };
  if (/^\d{1,128}$/.test(value)) return { type: 'at-sequence', sequenceNumber: value };
  if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const timestamp = new Date(value);
    if (!Number.isNaN(timestamp.getTime())) return { type: 'at-timestamp', timestamp };
  }
  throw new RangeError(`start position must be trim-horizon, latest, an ISO 8601 time or a sequence number, got ${JSON.stringify(text)}`);
}

/**
 * Resolves a consumer's start position, once, into the iterator each of the stream's current shards starts
 * from. `latest` becomes "at this moment" (AT_TIMESTAMP), so a worker that takes a never-checkpointed lease
 * over later still starts where the consumer began, not at a later "latest". A sequence number starts its
 * own shard at that record and the other shards at the time that record arrived.
 */
export async function resolveStartPositions(
  kinesis: KinesisClient,
  streamName: string,
  shardIds: string[],
  position: StartPosition,
  now: number,
): Promise<Map<string, StoredStart>> {
  const starts = new Map<string, StoredStart>();
  switch (position.type) {
    case 'trim-horizon':
      for (const shardId of shardIds) starts.set(shardId, { type: 'TRIM_HORIZON' });
      return starts;
    case 'latest':
      for (const shardId of shardIds) starts.set(shardId, { type: 'AT_TIMESTAMP', timestamp: now });
      return starts;
    case 'at-timestamp':
      for (const shardId of shardIds) starts.set(shardId, { type: 'AT_TIMESTAMP', timestamp: Math.min(position.timestamp.getTime(), now) });
      return starts;
    case 'at-sequence': {
      const { sequenceNumber } = position;
      for (const shardId of shardIds) {
        const arrival = await arrivalAt(kinesis, streamName, shardId, sequenceNumber);
        if (arrival === undefined) continue;
        for (const other of shardIds) starts.set(other, { type: 'AT_TIMESTAMP', timestamp: arrival });
        starts.set(shardId, { type: 'AT_SEQUENCE_NUMBER', sequenceNumber });
        return starts;
      }
      throw new RangeError(`sequence number ${sequenceNumber} is in none of the shards of stream ${streamName}`);
    }
  }
}

/** The arrival time of the record at `sequenceNumber` on `shardId`, or undefined if the sequence is not that shard's. */
async function arrivalAt(kinesis: KinesisClient, streamName: string, shardId: string, sequenceNumber: string): Promise<number | undefined> {
  let iterator: string | undefined;
  try {
    ({ ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: sequenceNumber }),
    ));
  } catch (error) {
    if ((error as { name?: string }).name === 'InvalidArgumentException') return undefined;
    throw error;
  }
  // A few empty pages can precede the record on a real shard; stop at the first record.
  for (let page = 0; iterator && page < 10; page++) {
    const result = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1 }));
    const record = result.Records?.[0];
    if (record) return (record.ApproximateArrivalTimestamp ?? new Date()).getTime();
    iterator = result.NextShardIterator;
  }
  return undefined;
}
