import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createAwsClients } from '../../wiring/awsClients';
import { ENV, intEnv, requireEnv } from '../../wiring/environment';
import { functionTelemetry, type FunctionTelemetry } from '../../observability/functionTelemetry';
import { workerServiceName } from '../../observability/constants';
import { ConsumerRegistry, DEFAULT_MAX_WORKER_CONSUMERS } from '../ConsumerRegistry';
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
  let telemetry: FunctionTelemetry | undefined;
  let registered: Promise<void> | undefined;
  return async (event, context) => {
    const env = options.env ?? process.env;
    // Once per instance; a refusal is asked again next invocation (the limit may have been raised meanwhile).
    registered ??= registerConsumerFromEnvironment(env).catch((error: unknown) => {
      registered = undefined;
      throw error;
    });
    await registered;
    idempotency ??= idempotencyFromEnvironment(env);
    telemetry ??= functionTelemetry(workerServiceName(env[ENV.workerConsumerName] ?? ''), env);
    telemetry.begin(context);
    try {
      return await processOrderedBatch(event.Records, {
        idempotency,
        handle,
        order: options.order,
        maxConcurrentKeys: options.maxConcurrentKeys,
        log: options.log ?? telemetry.log,
        metrics: options.metrics ?? telemetry.metrics,
        lambdaContext: context,
      });
    } finally {
      telemetry.flush();
    }
  };
}

/**
 * Registers the consumer in the worker table when `OrderedWorkerFunction` was given one (`WORKER_TABLE_NAME`):
 * beyond `MAX_WORKER_CONSUMERS` other consumers it is refused with ConsumerLimitError. Without the table, nothing.
 */
export async function registerConsumerFromEnvironment(env: NodeJS.ProcessEnv): Promise<void> {
  const tableName = env[ENV.workerTableName];
  if (tableName === undefined || tableName === '') return;
  const registry = new ConsumerRegistry({
    documents: createAwsClients(env).documents,
    tableName,
    maxConsumers: intEnv(ENV.maxWorkerConsumers, DEFAULT_MAX_WORKER_CONSUMERS, env),
  });
  await registry.register(requireEnv(ENV.workerConsumerName, env), `lambda:${env.AWS_LAMBDA_FUNCTION_NAME ?? 'worker'}`);
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
