import type { KinesisStreamRecord } from 'aws-lambda';
import { decodeKinesisRecord } from '../stream/decodeKinesisRecord';
import type { EventStore } from './EventStore';

/**
 * The archive function's work for one Kinesis record: decode the CloudEvent and store it once. A record
 * seen again (Kinesis retries from the first failure of a batch) is answered 'duplicate' by the store's
 * conditional put and changes nothing.
 */
export async function archiveRecord(record: KinesisStreamRecord, store: EventStore): Promise<'stored' | 'duplicate'> {
  const { event, sequence, shard, arrivedAt } = decodeKinesisRecord(record);
  return store.archive(event, { sequence, shard, arrivedAt });
}
