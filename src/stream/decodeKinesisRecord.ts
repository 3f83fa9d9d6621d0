import type { KinesisStreamRecord } from 'aws-lambda';
import type { CloudEventJson } from '../events/types';
import { UndecodableRecordError } from './errors';

/** A CloudEvent read back from the stream, with its position. */
export interface StreamedEvent {
  event: CloudEventJson;
  /** The record's data as written: the event as JSON text (the matcher scans it without a second decode). */
  json: string;
  sequence: string;
  shard: string;
  partitionKey: string;
  /** When Kinesis accepted the record (ISO 8601). */
  arrivedAt: string;
}

/**
 * Decodes one record of a Lambda Kinesis event (the local poller builds the same shape). The record's data
 * is the event in CloudEvents structured JSON, as the ingest function wrote it; the shard comes from the
 * `eventID`, which Lambda sets to `<shardId>:<sequenceNumber>`.
 */
export function decodeKinesisRecord(record: KinesisStreamRecord): StreamedEvent {
  const { sequenceNumber, partitionKey, data, approximateArrivalTimestamp } = record.kinesis;
  const json = Buffer.from(data, 'base64').toString('utf8');
  let event: unknown;
  try {
    event = JSON.parse(json);
  } catch (error) {
    throw new UndecodableRecordError(`record ${sequenceNumber} is not JSON`, sequenceNumber, { cause: error });
  }
  if (!isCloudEventJson(event)) {
    throw new UndecodableRecordError(`record ${sequenceNumber} is not a CloudEvent (id, source, type)`, sequenceNumber);
  }
  return {
    event,
    json,
    sequence: sequenceNumber,
    shard: record.eventID.split(':')[0],
    partitionKey,
    arrivedAt: new Date(approximateArrivalTimestamp * 1000).toISOString(),
  };
}

function isCloudEventJson(value: unknown): value is CloudEventJson {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { id, source, type } = value as Record<string, unknown>;
  return typeof id === 'string' && typeof source === 'string' && typeof type === 'string';
}
