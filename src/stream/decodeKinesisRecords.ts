import type { KinesisStreamBatchResponse, KinesisStreamRecord } from 'aws-lambda';
import { decodeKinesisRecord, type StreamedEvent } from './decodeKinesisRecord';
import { UndecodableRecordError } from './errors';

/**
 * The CloudEvents of a batch, in stream order. A record that is not one (only a writer bypassing ingest could
 * put it there) is handed to `onUndecodable` and passed over: retrying can never help and would block the shard.
 */
export function decodeKinesisRecords(records: readonly KinesisStreamRecord[], onUndecodable: (error: UndecodableRecordError) => void): StreamedEvent[] {
  const events: StreamedEvent[] = [];
  for (const record of records) {
    try {
      events.push(decodeKinesisRecord(record));
    } catch (error) {
      if (!(error instanceof UndecodableRecordError)) throw error;
      onUndecodable(error);
    }
  }
  return events;
}

/** The batch response that has Kinesis send again the records whose sequence is in `failed` (`all`: every one). */
export function batchItemFailuresOf(records: readonly KinesisStreamRecord[], failed: ReadonlySet<string> | 'all'): KinesisStreamBatchResponse {
  const again = failed === 'all' ? records : records.filter((record) => failed.has(record.kinesis.sequenceNumber));
  return { batchItemFailures: again.map((record) => ({ itemIdentifier: record.kinesis.sequenceNumber })) };
}
