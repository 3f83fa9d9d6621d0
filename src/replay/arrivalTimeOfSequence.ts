import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import { SequenceNotInStreamError } from './errors';

/** GetRecords calls per shard before concluding: an iterator may answer an empty batch before its first record. */
const READ_ATTEMPTS = 3;

/**
 * When the record `sequence` arrived in the stream (ISO 8601), for `replay --from <sequence>`: each shard is asked
 * for an iterator AT_SEQUENCE_NUMBER, which only the shard holding that sequence grants; that shard's first record
 * there is read for its ApproximateArrivalTimestamp. Throws `SequenceNotInStreamError` when no shard holds it (the
 * record is past the stream's retention, or never was).
 */
export async function arrivalTimeOfSequence(kinesis: KinesisClient, streamName: string, sequence: string): Promise<string> {
  const shards = await listShards(kinesis, streamName);
  const found = await Promise.all(shards.map((shard) => arrivalInShard(kinesis, streamName, shard.ShardId!, sequence)));
  const arrival = found.find((time): time is Date => time !== undefined);
  if (arrival === undefined) throw new SequenceNotInStreamError(sequence, streamName);
  return arrival.toISOString();
}

async function listShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    const page = await kinesis.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }));
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return shards;
}

async function arrivalInShard(kinesis: KinesisClient, streamName: string, shardId: string, sequence: string): Promise<Date | undefined> {
  let iterator: string | undefined;
  try {
    ({ ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: sequence }),
    ));
  } catch (error) {
    // Another shard's sequence (or not a sequence of this stream at all): this shard does not hold it.
    if ((error as { name?: string }).name === 'InvalidArgumentException') return undefined;
    throw error;
  }
  for (let attempt = 0; attempt < READ_ATTEMPTS && iterator; attempt++) {
    const { Records = [], NextShardIterator } = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1 }));
    const [record] = Records;
    // A trimmed record's iterator starts at the next record still kept: then it is no longer in the stream.
    if (record !== undefined) return record.SequenceNumber === sequence ? record.ApproximateArrivalTimestamp : undefined;
    iterator = NextShardIterator;
  }
  return undefined;
}
