import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients } from '../../wiring/awsClients';
import { ENV, intEnv, requireEnv } from '../../wiring/environment';
import type { LogSink } from '../../wiring/types';
import { DEFAULT_EVENT_IN_PROGRESS_TIMEOUT_MS, EventIdempotency } from '../EventIdempotency';
import { processOrderedBatch } from './processOrderedBatch';
import type { LambdaWorkerFunction, OrderedWorkerHandlerOptions } from './types';

/** A Lambda handler for a Kinesis event source mapping with `ReportBatchItemFailures`. */
export type OrderedWorkerLambdaHandler = (event: KinesisStreamEvent, context?: Context) => Promise<KinesisStreamBatchResponse>;

/**
 * Turns a function of one CloudEvent into the handler of an `OrderedWorkerFunction`:
 *
 * ```ts
 * export const handler = orderedWorkerHandler(async (event, { sequence }) => { ... });
 * ```
 *
 * Events reach `handle` in stream order, each at most once to completion per consumer (see
 * `processOrderedBatch`). The idempotency records are built on first use from `WORKER_CONSUMER_NAME`,
 * `IDEMPOTENCY_TABLE_NAME` and `WORKER_IN_PROGRESS_TIMEOUT_MS`, which the construct sets; a missing one fails
 * the invocation naming the variable.
 */
export function orderedWorkerHandler(handle: LambdaWorkerFunction, options: OrderedWorkerHandlerOptions = {}): OrderedWorkerLambdaHandler {
  let idempotency = options.idempotency;
  let log = options.log;
  return async (event, context) => {
    const env = options.env ?? process.env;
    idempotency ??= idempotencyFromEnvironment(env);
    log ??= powertoolsLog(env);
    return processOrderedBatch(event.Records, {
      idempotency,
      handle,
      order: options.order,
      maxConcurrentKeys: options.maxConcurrentKeys,
      log,
      lambdaContext: context,
    });
  };
}

/** The consumer's idempotency records, as configured by `OrderedWorkerFunction`. */
export function idempotencyFromEnvironment(env: NodeJS.ProcessEnv): EventIdempotency {
  return new EventIdempotency({
    documents: createAwsClients(env).documents,
    tableName: requireEnv(ENV.idempotencyTableName, env),
    consumer: requireEnv(ENV.workerConsumerName, env),
    inProgressTimeoutMs: intEnv(ENV.workerInProgressTimeoutMs, DEFAULT_EVENT_IN_PROGRESS_TIMEOUT_MS, env),
  });
}

function powertoolsLog(env: NodeJS.ProcessEnv): LogSink {
  const logger = new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? `switchyard-worker-${env[ENV.workerConsumerName] ?? ''}` });
  return { warn: (message, detail) => logger.warn(message, detail), error: (message, detail) => logger.error(message, detail) };
}
