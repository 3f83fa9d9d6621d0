import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ENV, WIRING_DEFAULTS } from '../src/wiring/environment';
import { DEFAULT_MAX_SUBSCRIPTIONS } from '../src/routing/config/constants';
import { MAX_STORABLE_EVENT_BYTES } from '../src/store/constants';
import { createCredentialsSecret } from './createCredentialsSecret';
import { ConfigBucket, SUBSCRIPTIONS_KEY } from './ConfigBucket';
import { DeliveryLedgerTable } from './DeliveryLedgerTable';
import { DeliveryTargetAccess } from './DeliveryTargetAccess';
import { EventStore } from './EventStore';
import { EventStream } from './EventStream';
import { EventTrim } from './EventTrim';
import { FunctionUrlIngest } from './FunctionUrlIngest';
import { IdempotencyTable } from './IdempotencyTable';
import { IngestApi } from './IngestApi';
import { checkStageSettings, DEFAULT_MAX_WORKER_CONSUMERS } from './checkStageSettings';
import { checkIntegerInRange } from './propChecks';
import type { StageConfig } from './resolveStageConfig';
import { resolveCostOptions, type CostOptions } from './StageCostOptions';
import { streamEventSource } from './streamEventSource';
import { StageObservability } from './StageObservability';
import { SwitchyardFunction } from './SwitchyardFunction';
import { SwitchyardKey } from './SwitchyardKey';
import { WorkerTable } from './WorkerTable';

/**
 * Longest request timeout a subscription may ask for (`delivery.timeoutSeconds`, the maximum of
 * schema/subscriptions.schema.json); the delivery functions' timeouts are derived from it.
 */
export const MAX_DELIVERY_TIMEOUT_SECONDS = 300;

/**
 * Longest one delivery attempt can take: an OAuth webhook may fetch a token, post, renew the token on a
 * 401 and post again — two requests of the subscription's timeout plus the token requests (the same
 * allowance the redeliverer's claim lease makes).
 */
export const MAX_ATTEMPT_SECONDS = 2 * MAX_DELIVERY_TIMEOUT_SECONDS + 10;

/** How long one redeliver invocation keeps starting rounds (`REDELIVER_SWEEP_SECONDS`): most of its minute. */
const REDELIVER_SWEEP_SECONDS = WIRING_DEFAULTS.redeliverSweepSeconds;

/** Defaults of the optional stage settings (DESIGN: 256 KiB events). */
export const STAGE_DEFAULTS = {
  maxEventBytes: 262_144,
  logRetentionDays: 30,
  routerBatchSize: 100,
  maxSubscriptions: DEFAULT_MAX_SUBSCRIPTIONS,
} as const;

/** Fixed settings of the delivery functions (DESIGN "Delivery"). */
export const DELIVERY_FUNCTIONS = {
  routerMemorySize: 1024,
  /**
   * Lambda's longest: the router stops starting deliveries when the longest attempt of their subscription
   * would end within 30 s of the timeout (those go to the ledger as pending, due now), so a slow receiver or a
   * low `ratePerSecond` never times a whole batch out into duplicates.
   */
  routerTimeout: Duration.minutes(15),
  redeliverMemorySize: 1024,
  /** The redeliver function is started every minute and sweeps due deliveries for most of it. */
  redeliverSchedule: events.Schedule.rate(Duration.minutes(1)),
  redeliverSweepSeconds: REDELIVER_SWEEP_SECONDS,
  /**
   * No round starts after the sweep, but attempts already started finish: an invocation stopped by its
   * timeout mid-attempt would record nothing, and the attempt would come back after its lease, uncounted,
   * again and again. So the sweep, plus the longest attempt, plus a margin for the ledger writes. Most
   * invocations end at about the sweep's length; only slow attempts run on.
   */
  redeliverTimeout: Duration.seconds(REDELIVER_SWEEP_SECONDS + MAX_ATTEMPT_SECONDS + 15),
} as const;

/** Props of {@link SwitchyardStage}. */
export interface SwitchyardStageProps extends StackProps {
  /** Name of the stage (`dev`, `prod`, ...): tags, key alias and descriptions carry it. */
  readonly stage: string;
  /** The stage's settings (cdk.json `context.stages.<stage>`, see `resolveStageConfig`). */
  readonly config: StageConfig;
  /**
   * Handler module of the ingest function, relative to the repository root.
   * @default 'lambdas/ingest/index.ts'
   */
  readonly ingestEntry?: string;
  /**
   * Handler module of the router function, relative to the repository root.
   * @default 'lambdas/router/index.ts'
   */
  readonly routerEntry?: string;
  /**
   * Handler module of the redeliver function, relative to the repository root.
   * @default 'lambdas/redeliver/index.ts'
   */
  readonly redeliverEntry?: string;
}

/**
 * One deployed stage of the bus (`Switchyard-<stage>`): a customer-managed key, the Kinesis stream,
 * the event store, worker idempotency, delivery ledger and worker tables, the config bucket (versioned),
 * the producer-token secret, the ingest function behind the HTTP API, the router function fed by a Kinesis
 * event source mapping that retries a failing batch for as long as the stream keeps it, and the redeliver
 * function started every minute. Every permission comes from a `grant*` method.
 */
export class SwitchyardStage extends Stack {
  /** The stage's customer-managed key. */
  public readonly key: SwitchyardKey;
  /** The Kinesis stream. */
  public readonly eventStream: EventStream;
  /** The DynamoDB event store. */
  public readonly eventStore: EventStore;
  /** The DynamoDB idempotency records of worker consumers (`OrderedWorkerFunction`, `ShardWorker`). */
  public readonly idempotencyTable: IdempotencyTable;
  /** The DynamoDB delivery ledger (retries, dead letters, disabled subscriptions). */
  public readonly deliveryLedger: DeliveryLedgerTable;
  /** The DynamoDB leases and checkpoints of `ShardWorker` consumers. */
  public readonly workerTable: WorkerTable;
  /** The S3 bucket holding `subscriptions.json`. */
  public readonly configBucket: ConfigBucket;
  /** What deliveries may reach beyond the stage: secrets, parameters and Lambda targets. */
  public readonly deliveryTargets: DeliveryTargetAccess;
  /** Producers and readers with their token hashes and rights (`createCredentialsSecret`); readable by ingest only. */
  public readonly producerTokens: secretsmanager.Secret;
  /** The function behind the HTTP API. */
  public readonly ingest: SwitchyardFunction;
  /** The function storing each stream batch in the event store, then delivering what was new. */
  public readonly router: SwitchyardFunction;
  /** The function retrying due deliveries from the ledger. */
  public readonly redeliver: SwitchyardFunction;
  /** The rule starting the redeliver function every minute. */
  public readonly redeliverSchedule: events.Rule;
  /** The HTTP API in front of ingest (stage setting `ingest: "httpApi"`, the default). */
  public readonly api?: IngestApi;
  /** Metrics namespace, dashboard, alarms (`addWorker` for Lambda workers of this stage). */
  public readonly observability: StageObservability;
  /** The function URL of ingest (stage setting `ingest: "functionUrl"`). */
  public readonly ingestFunctionUrl?: FunctionUrlIngest;
  /** The latency and cost options the stage was built with (`lowLatency`, `billing`, `ingest`), defaults applied. */
  public readonly costOptions: CostOptions;

  constructor(scope: Construct, id: string, props: SwitchyardStageProps) {
    const { stage, config, ingestEntry, routerEntry, redeliverEntry, ...stackProps } = props;
    super(scope, id, { description: `Switchyard serverless event bus, stage ${stage}`, ...stackProps });
    this.checkConfig(config);
    checkStageSettings(this, config);
    this.costOptions = resolveCostOptions(config);
    const billing = this.costOptions;

    const destroy = config.removalPolicy === 'destroy';
    const removalPolicy = destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = (config.logRetentionDays ?? STAGE_DEFAULTS.logRetentionDays) as logs.RetentionDays;
    Tags.of(this).add('project', 'switchyard');
    Tags.of(this).add('switchyard:stage', stage);

    // One customer-managed key (rotation on) for everything the stage stores.
    this.key = new SwitchyardKey(this, 'Key', {
      alias: `alias/switchyard-${stage}`,
      description: `Switchyard ${stage}: stream, tables, bucket, secret, queue and logs`,
      removalPolicy,
      pendingWindow: destroy ? Duration.days(7) : Duration.days(30),
    });
    this.key.allowCloudWatchLogs();
    this.key.allowCloudWatchAlarms();
    const encryptionKey = this.key.key;

    this.eventStream = new EventStream(this, 'EventStream', {
      // An on-demand stream has no shard count of its own (cdk.json's shardCount is then unused).
      shardCount: billing.stream === 'onDemand' ? undefined : config.shardCount,
      billing: billing.stream,
      retentionHours: config.retentionHours,
      encryptionKey,
      removalPolicy,
    });
    this.eventStore = new EventStore(this, 'EventStore', { encryptionKey, removalPolicy, billing: billing.tables });
    this.idempotencyTable = new IdempotencyTable(this, 'IdempotencyTable', { encryptionKey, removalPolicy, billing: billing.tables });
    this.deliveryLedger = new DeliveryLedgerTable(this, 'DeliveryLedger', { encryptionKey, removalPolicy, billing: billing.tables });
    this.workerTable = new WorkerTable(this, 'WorkerTable', { encryptionKey, removalPolicy, billing: billing.tables });
    this.configBucket = new ConfigBucket(this, 'ConfigBucket', {
      encryptionKey,
      removalPolicy,
      autoDeleteObjects: destroy,
      writers: config.configWriters,
    });

    // Producers and readers: token hashes and rights (switchyard producers add|list|revoke --stage).
    this.producerTokens = createCredentialsSecret(this, { stage, encryptionKey, removalPolicy });

    const functionDefaults = {
      logEncryptionKey: encryptionKey,
      logRetention,
      logRemovalPolicy: removalPolicy,
    };

    this.ingest = new SwitchyardFunction(this, 'Ingest', {
      ...functionDefaults,
      entry: ingestEntry ?? 'lambdas/ingest/index.ts',
      serviceName: 'switchyard-ingest',
      description: `Switchyard ${stage}: HTTP API → Kinesis (validate, duplicate check, publish), GET /events/{id}, feeds`,
      memorySize: 512,
      timeout: Duration.seconds(29),
      reservedConcurrentExecutions: config.ingestReservedConcurrency,
      environment: {
        [ENV.eventStreamName]: this.eventStream.streamName,
        [ENV.eventTableName]: this.eventStore.tableName,
        [ENV.kmsKeyId]: encryptionKey.keyArn,
        [ENV.producerTokensSecretId]: this.producerTokens.secretArn,
        [ENV.maxEventBytes]: String(config.maxEventBytes ?? STAGE_DEFAULTS.maxEventBytes),
        ...(config.privateTypes?.length ? { [ENV.privateTypes]: config.privateTypes.join(',') } : {}),
      },
    });
    // Ingest writes nothing to DynamoDB: it reads the store for the duplicate answer, GET /events/{id}, and the
    // queries behind GET /events, GET /feeds/… and GET /types (the byTypeBucket index and the type catalog).
    this.eventStream.grantPublish(this.ingest);
    this.eventStore.grantRead(this.ingest);
    this.producerTokens.grantRead(this.ingest);

    // The router stores each batch, then fans what was new out to its subscriptions; what fails goes to the
    // ledger, and the redeliver function retries it from there. Both read subscriptions.json and reach the targets.
    this.deliveryTargets = new DeliveryTargetAccess(this, 'DeliveryTargets', { stage, lambdaTargets: config.lambdaTargets });
    const deliveryEnvironment = {
      [ENV.deliveryTableName]: this.deliveryLedger.tableName,
      [ENV.configBucketName]: this.configBucket.bucketName,
      [ENV.subscriptionsKey]: SUBSCRIPTIONS_KEY,
      [ENV.kmsKeyId]: encryptionKey.keyArn,
      [ENV.maxSubscriptions]: String(config.maxSubscriptions ?? STAGE_DEFAULTS.maxSubscriptions),
      ...(config.deadLetterDays !== undefined ? { [ENV.deadLetterDays]: String(config.deadLetterDays) } : {}),
      ...(config.allowedTargetHosts?.length ? { [ENV.allowedTargetHosts]: config.allowedTargetHosts.join(',') } : {}),
    };

    this.router = new SwitchyardFunction(this, 'Router', {
      ...functionDefaults,
      entry: routerEntry ?? 'lambdas/router/index.ts',
      serviceName: 'switchyard-router',
      description: `Switchyard ${stage}: Kinesis → event store (deduped, envelope-encrypted) → subscriptions.json → webhooks, OAuth webhooks, Lambdas; failures → delivery ledger`,
      memorySize: DELIVERY_FUNCTIONS.routerMemorySize,
      timeout: DELIVERY_FUNCTIONS.routerTimeout,
      reservedConcurrentExecutions: config.routerReservedConcurrency,
      environment: {
        ...deliveryEnvironment,
        [ENV.eventTableName]: this.eventStore.tableName,
        ...(config.retentionDays !== undefined ? { [ENV.eventRetentionDays]: String(config.retentionDays) } : {}),
      },
    });
    this.eventStore.grantStore(this.router);
    this.grantDelivery(this.router);
    this.consumeStream(this.router, STAGE_DEFAULTS.routerBatchSize, billing.lowLatency ? `switchyard-${stage}-router` : undefined);

    this.redeliver = new SwitchyardFunction(this, 'Redeliver', {
      ...functionDefaults,
      entry: redeliverEntry ?? 'lambdas/redeliver/index.ts',
      serviceName: 'switchyard-redeliver',
      description: `Switchyard ${stage}: every minute, retries due deliveries from the ledger; dead letters`,
      memorySize: DELIVERY_FUNCTIONS.redeliverMemorySize,
      timeout: DELIVERY_FUNCTIONS.redeliverTimeout,
      // Unset by default: overlapping sweeps are kept apart by their claims, and a new account cannot reserve any.
      reservedConcurrentExecutions: config.redeliverReservedConcurrency,
      environment: {
        ...deliveryEnvironment,
        [ENV.redeliverSweepSeconds]: String(DELIVERY_FUNCTIONS.redeliverSweepSeconds),
        [ENV.eventTableName]: this.eventStore.tableName,
      },
    });
    this.grantDelivery(this.redeliver);
    // The per-type maximum of stored events, only where the stage sets one.
    if (config.maxEventsPerType !== undefined) {
      new EventTrim(this, 'EventTrim', { ...functionDefaults, stage, eventStore: this.eventStore, maxEventsPerType: config.maxEventsPerType });
    }
    this.eventStore.grantRead(this.redeliver); // replays read their windows from the store
    // A start that waited a minute (throttled by the reserved concurrency) or failed is not retried:
    // the next minute's start sweeps the same due items.
    this.redeliver.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    this.redeliverSchedule = new events.Rule(this, 'RedeliverSchedule', {
      description: `Switchyard ${stage}: starts the redeliver function every minute`,
      schedule: DELIVERY_FUNCTIONS.redeliverSchedule,
      targets: [new eventTargets.LambdaFunction(this.redeliver.function, { retryAttempts: 2, maxEventAge: Duration.minutes(1) })],
    });

    if (billing.ingest === 'functionUrl') this.ingestFunctionUrl = new FunctionUrlIngest(this, 'IngestUrl', { handler: this.ingest.function });
    else this.api = new IngestApi(this, 'IngestApi', {
      handler: this.ingest.function,
      apiName: `switchyard-${stage}`,
      throttle: config.apiThrottle,
      accessLogEncryptionKey: encryptionKey,
      accessLogRetention: logRetention,
      logRemovalPolicy: removalPolicy,
    });

    // Metrics namespace Switchyard/<stage> on every function, the dashboard, the alarms and their topic.
    this.observability = new StageObservability(this, 'Observability', {
      stage, encryptionKey: this.key, ingest: this.ingest, router: this.router, redeliver: this.redeliver, api: this.api?.api,
      alarmEmail: config.alarmEmail, iteratorAgeSeconds: config.alarmIteratorAgeSeconds, functionErrors: config.alarmFunctionErrors,
      functionThrottles: config.alarmFunctionThrottles, api5xx: config.alarmApi5xx,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.ingestUrl, description: 'Base URL of the ingest API (HTTP API or function URL)' });
    if (this.api) {
      new CfnOutput(this, 'IamEventsRouteArn', {
        value: this.api.iamRouteArn,
        description: "POST /iam/events (SigV4): allow execute-api:Invoke on it in a producer role's policy, and name the role in its producer's iamPrincipals",
      });
    }
    new CfnOutput(this, 'EventStreamName', { value: this.eventStream.streamName, description: 'Kinesis stream' });
    new CfnOutput(this, 'EventTableName', { value: this.eventStore.tableName, description: 'DynamoDB event store' });
    new CfnOutput(this, 'IdempotencyTableName', {
      value: this.idempotencyTable.tableName,
      description: 'DynamoDB idempotency records of worker consumers',
    });
    new CfnOutput(this, 'DeliveryTableName', {
      value: this.deliveryLedger.tableName,
      description: 'DynamoDB delivery ledger (retries, dead letters, disabled subscriptions)',
    });
    new CfnOutput(this, 'WorkerTableName', {
      value: this.workerTable.tableName,
      description: 'DynamoDB leases and checkpoints of ShardWorker consumers',
    });
    new CfnOutput(this, 'MaxWorkerConsumers', {
      value: String(config.maxWorkerConsumers ?? DEFAULT_MAX_WORKER_CONSUMERS),
      description: 'Most distinct worker consumers the worker table registers (MAX_WORKER_CONSUMERS of worker processes)',
    });
    new CfnOutput(this, 'ConfigBucketName', {
      value: this.configBucket.bucketName,
      description: 'S3 bucket holding subscriptions.json',
    });
    new CfnOutput(this, 'ProducerTokensSecretArn', {
      value: this.producerTokens.secretArn,
      description: 'Secrets Manager secret of producers and readers: token hashes and rights (switchyard producers add|list|revoke --stage)',
    });
  }

  /** Base URL producers and readers call: the HTTP API's or the function URL's, ending with `/`. */
  public get ingestUrl(): string {
    return this.api?.url ?? (this.ingestFunctionUrl as FunctionUrlIngest).url;
  }

  /**
   * Feeds `fn` from every shard of the stream — from the trim horizon, one batch per shard at a time (so
   * records of one partition key are handled in stream order), bisecting failed batches and taking partial
   * failures. Nothing is given up on: no retry limit and no record age limit (both left to Lambda's default
   * of -1, infinite), and no on-failure destination, so a failing batch is retried for as long as the stream
   * keeps its records (iterator age is the alarm).
   */
  private consumeStream(fn: SwitchyardFunction, batchSize: number, lowLatencyConsumer?: string): void {
    this.eventStream.grantConsume(fn);
    fn.function.addEventSource(
      streamEventSource(this.eventStream, 'RouterConsumer', {
        ...(lowLatencyConsumer ? { lowLatency: { consumerName: lowLatencyConsumer } } : {}),
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        parallelizationFactor: 1,
      }),
    );
  }

  /**
   * What a delivery function may do: keep the ledger (and seal/open its events with the stage key), read
   * subscriptions.json and list its versions (a cold start falls back to the newest valid one), resolve the
   * stage's secrets and parameters, invoke the allowed Lambda targets.
   */
  private grantDelivery(fn: SwitchyardFunction): void {
    this.deliveryLedger.grantReadWrite(fn);
    this.configBucket.grantRead(fn, SUBSCRIPTIONS_KEY);
    this.configBucket.grantListVersions(fn, SUBSCRIPTIONS_KEY);
    this.deliveryTargets.grantDeliver(fn);
  }

  /** Range checks of the stage-level settings the constructs do not see themselves. */
  private checkConfig(config: StageConfig): void {
    // An event must fit the event store's and the ledger's items: DynamoDB's 400 KB less the items' own attributes.
    checkIntegerInRange(this, 'config.maxEventBytes', config.maxEventBytes, 1, MAX_STORABLE_EVENT_BYTES, "bytes (DynamoDB's 400 KB item limit less 16 KiB for the item's own attributes)");
    checkIntegerInRange(this, 'config.maxSubscriptions', config.maxSubscriptions, 1, 100_000);
    const retention = config.logRetentionDays;
    if (retention !== undefined) {
      const allowed = Object.values(logs.RetentionDays).filter(
        (v): v is number => typeof v === 'number' && v !== logs.RetentionDays.INFINITE,
      );
      if (!allowed.includes(retention)) {
        throw new Error(
          `${this.node.path}: config.logRetentionDays must be one of ${allowed.join(', ')}, got ${retention}`,
        );
      }
    }
  }
}
