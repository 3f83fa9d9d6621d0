import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DEADLINE_MARGIN_MS } from '../../src/router/Router';
import { routerFromEnvironment } from '../../src/wiring/deliveryFromEnvironment';

const logger = new Logger({ serviceName: 'switchyard-router' });
const metrics = new Metrics({ namespace: 'Switchyard', serviceName: 'switchyard-router' });
const router = routerFromEnvironment(process.env, logger, metrics);

/**
 * Kinesis → event store → subscriptions: stores the batch (dropping copies of events already stored), then
 * delivers what was new; failures to the delivery ledger. `batchItemFailures` lists every record when the batch
 * could not be stored, else the records whose ledger write failed; Kinesis retries from the first of them.
 */
export const handler = async (
  event: KinesisStreamEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<KinesisStreamBatchResponse> => {
  const deadline = context ? Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS : undefined;
  try {
    const { batchItemFailures } = await router.routeBatch(event.Records, { deadline });
    return { batchItemFailures };
  } finally {
    // Only when there is something: Powertools warns on every empty publish.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
