import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { countKmsRequests, functionTelemetry, SERVICE } from '../../src/observability';
import { DEADLINE_MARGIN_MS } from '../../src/router/Router';
import { createAwsClients } from '../../src/wiring/awsClients';
import { routerFromEnvironment } from '../../src/wiring/deliveryFromEnvironment';

const telemetry = functionTelemetry(SERVICE.router);
const clients = createAwsClients(process.env);
countKmsRequests(clients.kms, telemetry.metrics);
const router = routerFromEnvironment(process.env, telemetry.log, telemetry.metrics, clients);

/**
 * Kinesis → event store → subscriptions: stores the batch (dropping copies of events already stored), then
 * delivers what was new; failures to the delivery ledger. `batchItemFailures` lists every record when the batch
 * could not be stored, else the records whose ledger write failed; Kinesis retries from the first of them.
 * A batch holds many events: each log line about one carries its id as `correlation_id`.
 */
export const handler = async (event: KinesisStreamEvent, context?: Context): Promise<KinesisStreamBatchResponse> => {
  telemetry.begin(context);
  const deadline = context ? Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS : undefined;
  try {
    const { batchItemFailures } = await router.routeBatch(event.Records, { deadline });
    return { batchItemFailures };
  } finally {
    telemetry.flush();
  }
};
