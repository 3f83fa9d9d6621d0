import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { engineFromEnvironment } from '../../src/runtime/deliveryFromEnvironment';

const logger = new Logger({ serviceName: 'switchyard-engine' });
const metrics = new Metrics({ namespace: 'Switchyard', serviceName: 'switchyard-engine' });
const engine = engineFromEnvironment(process.env, logger, metrics);

/**
 * Kinesis → subscriptions: each event to every matching webhook, OAuth webhook or Lambda; failures to the
 * delivery ledger. `batchItemFailures` lists only records whose ledger write failed, and Kinesis retries from
 * the first of them.
 */
export const handler = async (event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> => {
  try {
    return await engine.processRecords(event.Records);
  } finally {
    // Only when there is something: Powertools warns on every empty publish.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
