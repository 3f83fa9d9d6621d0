import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { archiveRecord } from '../../src/store/archiveRecord';
import { UndecodableRecordError } from '../../src/stream/errors';
import { eventStoreFromEnvironment } from '../../src/runtime/fromEnvironment';

const logger = new Logger({ serviceName: 'switchyard-archive' });
const store = eventStoreFromEnvironment(process.env);
const processor = new BatchProcessor(EventType.KinesisDataStreams);

const recordHandler = async (record: KinesisStreamRecord) => {
  try {
    return await archiveRecord(record, store);
  } catch (error) {
    // Not a CloudEvent (only a writer bypassing ingest could put it there): retrying can never help and
    // would block the shard, so it is logged with its position and passed over.
    if (error instanceof UndecodableRecordError) {
      logger.error('record is not a CloudEvent; not archived', { sequence: error.sequence, reason: error.message });
      return 'undecodable';
    }
    // Reported as a batch item failure: Kinesis retries from this record.
    logger.error('archive failed', { sequence: record.kinesis.sequenceNumber, error: error as Error });
    throw error;
  }
};

/**
 * Kinesis → event store. Records are independent here (one conditional put each), so they run in parallel;
 * failures come back as `batchItemFailures` and the event source mapping retries from the first of them.
 */
export const handler = async (event: KinesisStreamEvent, context?: Context): Promise<KinesisStreamBatchResponse> =>
  processPartialResponse(event, recordHandler, processor, { context });
