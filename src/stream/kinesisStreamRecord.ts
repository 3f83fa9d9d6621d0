import type { KinesisStreamRecord } from 'aws-lambda';

/** One Kinesis record as GetRecords gives it, plus where it was read from. */
export interface RecordInShard {
  shardId: string;
  partitionKey: string;
  sequenceNumber: string;
  /** The record's bytes, or a string already base64 (as the worker keeps parked records). */
  data: Uint8Array | string;
  arrivedAt?: Date;
  /** Name of the stream, in `eventSourceARN` (local account, us-east-1). @default 'switchyard-events' */
  streamName?: string;
  /** Name of the role in `invokeIdentityArn` (the function the record is handed to). */
  consumer?: string;
}

const LOCAL_REGION = 'us-east-1';
const LOCAL_ACCOUNT = '000000000000';

/**
 * The record as a Lambda Kinesis event source mapping hands it to a function: what the local poller, the
 * worker (which runs handlers written for Lambda) and tests build, so every caller of `decodeKinesisRecord`
 * sees the one shape.
 */
export function kinesisStreamRecord(record: RecordInShard): KinesisStreamRecord {
  const stream = record.streamName ?? 'switchyard-events';
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: record.partitionKey,
      sequenceNumber: record.sequenceNumber,
      data: typeof record.data === 'string' ? record.data : Buffer.from(record.data).toString('base64'),
      approximateArrivalTimestamp: (record.arrivedAt ?? new Date()).getTime() / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${record.shardId}:${record.sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${record.consumer ?? 'switchyard'}`,
    awsRegion: LOCAL_REGION,
    eventSourceARN: `arn:aws:kinesis:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stream/${stream}`,
  };
}
