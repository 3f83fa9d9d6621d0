import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../src/wiring/environment';
import type { EventStream } from './EventStream';
import type { IdempotencyTable } from './IdempotencyTable';
import type { WorkerTable } from './WorkerTable';
import { checkDurationInRange, checkIntegerInRange, checkNonEmpty } from './propChecks';
import { SwitchyardFunction } from './SwitchyardFunction';
import { SwitchyardKey } from './SwitchyardKey';

/** What a consumer name may look like: it keys the worker's idempotency records and names its function. */
export const CONSUMER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Defaults of {@link OrderedWorkerFunctionProps}. */
export const ORDERED_WORKER_DEFAULTS = {
  batchSize: 100,
  parallelizationFactor: 1,
  retryAttempts: 10,
  memorySize: 512,
  timeoutSeconds: 60,
} as const;

/** Props of {@link OrderedWorkerFunction}. */
export interface OrderedWorkerFunctionProps {
  /**
   * The worker's handler module, absolute or relative to the repository root. It must export
   * `handler = orderedWorkerHandler(yourFunction)` (from `src/worker/lambda`), where `yourFunction(event, context)`
   * receives one CloudEvent at a time in stream order.
   */
  readonly entry: string;
  /**
   * Name of the consumer (`[A-Za-z0-9][A-Za-z0-9._-]{0,63}`). It keys the idempotency records, so two functions
   * with the same name share "already done" — give each worker its own, and keep it when redeploying.
   */
  readonly consumer: string;
  /** The bus's stream; the function may read it (and decrypt with its key). */
  readonly eventStream: EventStream;
  /** Where the per-(consumer, source, id) idempotency records live; the function may read and write them. */
  readonly idempotencyTable: IdempotencyTable;
  /**
   * The stage's worker table: with it, the function registers its consumer there at cold start and is refused
   * (ConsumerLimitError, the invocation fails) when the stage's `maxConsumers` other consumers are registered.
   * @default - not registered, not limited
   */
  readonly workerTable?: WorkerTable;
  /**
   * Most distinct worker consumers (the stage's `maxWorkerConsumers`); only with `workerTable`.
   * @default DEFAULT_MAX_WORKER_CONSUMERS (20)
   */
  readonly maxConsumers?: number;
  /**
   * Key of the function's log group and of the on-failure queue. Its key policy must let CloudWatch Logs use it
   * (see `SwitchyardKey.allowCloudWatchLogs`).
   * @default - a new key with rotation enabled, usable by CloudWatch Logs
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Powertools service name (`POWERTOOLS_SERVICE_NAME`).
   * @default `switchyard-worker-<consumer>`
   */
  readonly serviceName?: string;
  /**
   * Description of the function.
   * @default - names the consumer
   */
  readonly description?: string;
  /**
   * Extra environment variables for the handler.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Memory in MiB (128 to 10240).
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Longest invocation (1 second to 15 minutes). It is also how long an event's in-progress mark lasts: an
   * invocation that timed out mid-event leaves one, and the retry takes the event over once it has expired.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Where a new event source mapping starts reading.
   * @default lambda.StartingPosition.TRIM_HORIZON
   */
  readonly startingPosition?: lambda.StartingPosition;
  /**
   * With `StartingPosition.AT_TIMESTAMP`: the time to start from, in Unix seconds.
   * @default - none
   */
  readonly startingPositionTimestamp?: number;
  /**
   * Records per invocation (1 to 10000).
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * How long the mapping may wait to fill a batch (0 to 300 s).
   * @default - no wait
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Batches of one shard processed at once (1 to 10). With 1 the handler sees every event of a shard in stream
   * order, one at a time. Above 1, Lambda still keeps each partition key on one batch at a time, so **per-key
   * order holds but shard order does not**: events of different keys in one shard may be handled concurrently
   * and out of their relative stream order.
   * @default 1
   */
  readonly parallelizationFactor?: number;
  /**
   * Retries of a failing batch (0 to 10000) before its records are given up on and described to the
   * on-failure queue. Retries resume at the first failed event (`batchItemFailures`); events completed before
   * it are not handled again. A given-up event is skipped: later events of its key go on without it.
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * Records older than this are given up on (sent to the on-failure queue) without being handled (60 s to 7 days).
   * @default - as long as the stream keeps them
   */
  readonly maxRecordAge?: Duration;
  /**
   * Concurrent executions reserved for (and capping) the function.
   * @default - none
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Powertools log level.
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log group, the on-failure queue and a created key when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A Lambda worker of the bus with ShardWorker's guarantees where Lambda can give them: a user's function fed by a
 * Kinesis event source mapping on the bus's stream, one event at a time in shard order (parallelization factor
 * 1), each event run through an idempotency record per (consumer, source, id) so a retried batch never repeats
 * an event that completed. Failures are reported per event (`batchItemFailures`, bisect on error), retried from
 * the first failed event, and after `retryAttempts` described to an encrypted SQS queue.
 *
 * The function gets `WORKER_CONSUMER_NAME`, `IDEMPOTENCY_TABLE_NAME` and `WORKER_IN_PROGRESS_TIMEOUT_MS`;
 * `orderedWorkerHandler` reads them.
 */
export class OrderedWorkerFunction extends Construct implements iam.IGrantable {
  /** The worker function (with its role and log group). */
  public readonly worker: SwitchyardFunction;
  /** On-failure destination: the stream positions of batches given up on. */
  public readonly failureQueue: sqs.Queue;
  /** The event source mapping. */
  public readonly eventSource: KinesisEventSource;
  /** Key of the log group and the failure queue. */
  public readonly encryptionKey: kms.IKey;
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: OrderedWorkerFunctionProps) {
    super(scope, id);
    checkConsumerName(this, props.consumer);
    checkNonEmpty(this, 'serviceName', props.serviceName);
    checkIntegerInRange(this, 'batchSize', props.batchSize, 1, 10_000);
    checkIntegerInRange(this, 'parallelizationFactor', props.parallelizationFactor, 1, 10);
    checkIntegerInRange(this, 'retryAttempts', props.retryAttempts, 0, 10_000);
    checkIntegerInRange(this, 'maxConsumers', props.maxConsumers, 1, 1000);
    checkDurationInRange(this, 'maxBatchingWindow', props.maxBatchingWindow, Duration.seconds(0), Duration.seconds(300));
    checkDurationInRange(this, 'maxRecordAge', props.maxRecordAge, Duration.seconds(60), Duration.days(7));
    const atTimestamp = props.startingPosition === lambda.StartingPosition.AT_TIMESTAMP;
    if (atTimestamp !== (props.startingPositionTimestamp !== undefined)) {
      throw new Error(
        `${this.node.path}: startingPositionTimestamp is required with StartingPosition.AT_TIMESTAMP and allowed only with it, got startingPosition ${String(props.startingPosition ?? 'TRIM_HORIZON')} and startingPositionTimestamp ${String(props.startingPositionTimestamp)}`,
      );
    }

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    let key = props.encryptionKey;
    if (!key) {
      const ownKey = new SwitchyardKey(this, 'Key', { description: `Switchyard worker ${props.consumer}: logs and failure queue`, removalPolicy });
      ownKey.allowCloudWatchLogs();
      key = ownKey.key;
    }
    this.encryptionKey = key;

    const timeout = props.timeout ?? Duration.seconds(ORDERED_WORKER_DEFAULTS.timeoutSeconds);
    this.worker = new SwitchyardFunction(this, 'Worker', {
      entry: props.entry,
      serviceName: props.serviceName ?? `switchyard-worker-${props.consumer}`,
      description: props.description ?? `Switchyard worker ${props.consumer}: ordered, exactly-once effects per event`,
      memorySize: props.memorySize ?? ORDERED_WORKER_DEFAULTS.memorySize,
      timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      logEncryptionKey: key,
      logRemovalPolicy: removalPolicy,
      environment: {
        ...props.environment,
        [ENV.workerConsumerName]: props.consumer,
        [ENV.idempotencyTableName]: props.idempotencyTable.tableName,
        // An invocation cannot outlive its timeout, so a claim older than that belongs to a dead run.
        [ENV.workerInProgressTimeoutMs]: String(timeout.toMilliseconds()),
        ...(props.workerTable ? { [ENV.workerTableName]: props.workerTable.tableName } : {}),
        ...(props.workerTable && props.maxConsumers !== undefined ? { [ENV.maxWorkerConsumers]: String(props.maxConsumers) } : {}),
      },
    });
    this.grantPrincipal = this.worker.grantPrincipal;
    props.eventStream.grantConsume(this.worker);
    props.idempotencyTable.grantReadWrite(this.worker);
    props.workerTable?.grantConsumerRegistry(this.worker);

    this.failureQueue = new sqs.Queue(this, 'Failures', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination: the event source mapping describes here the stream positions of batches it gave up on, for inspection and replay from the stream or the event store.',
    });

    this.eventSource = new KinesisEventSource(props.eventStream.stream, {
      startingPosition: props.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      startingPositionTimestamp: props.startingPositionTimestamp,
      batchSize: props.batchSize ?? ORDERED_WORKER_DEFAULTS.batchSize,
      maxBatchingWindow: props.maxBatchingWindow,
      // A failed event is reported with everything after it; the mapping retries from it (and splits the batch
      // there), so the events before it — completed, with their idempotency records — are not handled again.
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: props.retryAttempts ?? ORDERED_WORKER_DEFAULTS.retryAttempts,
      maxRecordAge: props.maxRecordAge,
      parallelizationFactor: props.parallelizationFactor ?? ORDERED_WORKER_DEFAULTS.parallelizationFactor,
      onFailure: new SqsDlq(this.failureQueue),
    });
    this.worker.function.addEventSource(this.eventSource);
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(this.worker.role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          'Added by SqsDlq (queue.grantSendMessages, a CDK grant) so the event source mapping can describe given-up batches to the KMS-encrypted on-failure queue; the resource is that queue\'s key only.',
      });
    }
  }

  /** The Lambda function. */
  public get function(): lambda.IFunction {
    return this.worker.function;
  }
}

function checkConsumerName(scope: Construct, consumer: string): void {
  if (Token.isUnresolved(consumer)) {
    throw new Error(`${scope.node.path}: consumer must be a literal name (it keys the idempotency records), got a token`);
  }
  if (!CONSUMER_NAME_PATTERN.test(consumer)) {
    throw new Error(`${scope.node.path}: consumer must match ${CONSUMER_NAME_PATTERN.source}, got ${JSON.stringify(consumer)}`);
  }
}
