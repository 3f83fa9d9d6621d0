import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KinesisEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../src/config/environment';
import { ConfigBucket } from './ConfigBucket';
import { EventStore } from './EventStore';
import { EventStream } from './EventStream';
import { IdempotencyTable } from './IdempotencyTable';
import { IngestApi } from './IngestApi';
import { checkIntegerInRange } from './propChecks';
import type { StageConfig } from './resolveStageConfig';
import { SwitchyardFunction } from './SwitchyardFunction';
import { SwitchyardKey } from './SwitchyardKey';

/** Defaults of the optional stage settings (DESIGN: 256 KiB events, 24 h dedupe window). */
export const STAGE_DEFAULTS = {
  maxEventBytes: 262_144,
  dedupeWindowSeconds: 86_400,
  logRetentionDays: 30,
  archiveRetryAttempts: 10,
  archiveBatchSize: 100,
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
   * Handler module of the archive function, relative to the repository root.
   * @default 'lambdas/archive/index.ts'
   */
  readonly archiveEntry?: string;
}

/**
 * One deployed stage of the bus (`Switchyard-<stage>`): a customer-managed key, the Kinesis stream,
 * the event store and idempotency tables, the config bucket, the producer-token secret, the ingest
 * function behind the HTTP API, and the archive function fed by a Kinesis event source mapping whose
 * failures go to an encrypted queue. Every permission comes from a `grant*` method.
 */
export class SwitchyardStage extends Stack {
  /** The stage's customer-managed key. */
  public readonly key: SwitchyardKey;
  /** The Kinesis stream. */
  public readonly eventStream: EventStream;
  /** The DynamoDB event store. */
  public readonly eventStore: EventStore;
  /** The DynamoDB idempotency records (ingest dedupe). */
  public readonly idempotencyTable: IdempotencyTable;
  /** The S3 bucket holding `subscriptions.json`. */
  public readonly configBucket: ConfigBucket;
  /** Producer tokens, `{"<producer>": "<token>"}`, with a generated `default`; readable by ingest only. */
  public readonly producerTokens: secretsmanager.Secret;
  /** The function behind the HTTP API. */
  public readonly ingest: SwitchyardFunction;
  /** The function archiving the stream into the event store. */
  public readonly archive: SwitchyardFunction;
  /** On-failure destination of the archive event source mapping. */
  public readonly archiveFailures: sqs.Queue;
  /** The HTTP API in front of ingest. */
  public readonly api: IngestApi;

  constructor(scope: Construct, id: string, props: SwitchyardStageProps) {
    const { stage, config, ingestEntry, archiveEntry, ...stackProps } = props;
    super(scope, id, { description: `Switchyard serverless event bus, stage ${stage}`, ...stackProps });
    this.checkConfig(config);

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
    const encryptionKey = this.key.key;

    this.eventStream = new EventStream(this, 'EventStream', {
      shardCount: config.shardCount,
      retentionHours: config.retentionHours,
      encryptionKey,
      removalPolicy,
    });
    this.eventStore = new EventStore(this, 'EventStore', { encryptionKey, removalPolicy });
    this.idempotencyTable = new IdempotencyTable(this, 'IdempotencyTable', { encryptionKey, removalPolicy });
    this.configBucket = new ConfigBucket(this, 'ConfigBucket', {
      encryptionKey,
      removalPolicy,
      autoDeleteObjects: destroy,
    });

    this.producerTokens = new secretsmanager.Secret(this, 'ProducerTokens', {
      description: `Switchyard ${stage} producer tokens: {"<producer>": "<token>"}`,
      encryptionKey,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: 'default',
        excludePunctuation: true,
        passwordLength: 48,
      },
      removalPolicy,
    });
    Validations.of(this.producerTokens).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Producer tokens are bearer tokens held by producer systems outside AWS; rotating them needs the producers to take the new token, so operators rotate them by hand (adding the new token before removing the old). Automated rotation comes with the producer-credentials issue.',
    });

    const functionDefaults = {
      logEncryptionKey: encryptionKey,
      logRetention,
      logRemovalPolicy: removalPolicy,
    };

    this.ingest = new SwitchyardFunction(this, 'Ingest', {
      ...functionDefaults,
      entry: ingestEntry ?? 'lambdas/ingest/index.ts',
      serviceName: 'switchyard-ingest',
      description: `Switchyard ${stage}: HTTP API → Kinesis (validate, dedupe, publish), GET /events/{id}`,
      memorySize: 512,
      timeout: Duration.seconds(29),
      reservedConcurrentExecutions: config.ingestReservedConcurrency,
      environment: {
        [ENV.eventStreamName]: this.eventStream.streamName,
        [ENV.eventTableName]: this.eventStore.tableName,
        [ENV.idempotencyTableName]: this.idempotencyTable.tableName,
        [ENV.kmsKeyId]: encryptionKey.keyArn,
        [ENV.producerTokensSecretId]: this.producerTokens.secretArn,
        [ENV.maxEventBytes]: String(config.maxEventBytes ?? STAGE_DEFAULTS.maxEventBytes),
        [ENV.dedupeWindowSeconds]: String(config.dedupeWindowSeconds ?? STAGE_DEFAULTS.dedupeWindowSeconds),
      },
    });
    this.eventStream.grantPublish(this.ingest);
    this.idempotencyTable.grantReadWrite(this.ingest);
    this.eventStore.grantRead(this.ingest);
    this.producerTokens.grantRead(this.ingest);

    this.archive = new SwitchyardFunction(this, 'Archive', {
      ...functionDefaults,
      entry: archiveEntry ?? 'lambdas/archive/index.ts',
      serviceName: 'switchyard-archive',
      description: `Switchyard ${stage}: Kinesis → DynamoDB event store (envelope-encrypted, deduped)`,
      memorySize: 512,
      timeout: Duration.seconds(60),
      reservedConcurrentExecutions: config.archiveReservedConcurrency,
      environment: {
        [ENV.eventTableName]: this.eventStore.tableName,
        [ENV.kmsKeyId]: encryptionKey.keyArn,
      },
    });
    this.eventStore.grantArchive(this.archive);
    this.eventStream.grantConsume(this.archive);

    this.archiveFailures = new sqs.Queue(this, 'ArchiveFailures', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(this.archiveFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination: the archive event source mapping sends the metadata of batches it gave up on here (on-failure destination), for inspection and replay from the stream or the event store.',
    });

    this.archive.function.addEventSource(
      new KinesisEventSource(this.eventStream.stream, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: STAGE_DEFAULTS.archiveBatchSize,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: config.archiveRetryAttempts ?? STAGE_DEFAULTS.archiveRetryAttempts,
        maxRecordAge: Duration.hours(config.archiveMaxRecordAgeHours ?? Math.min(config.retentionHours, 168)),
        // One batch per shard at a time: records of one partition key are archived in stream order.
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.archiveFailures),
      }),
    );
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(this.archive.role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          'Added by SqsDlq (queue.grantSendMessages, a CDK grant) so the archive event source mapping can send failed-batch records to the KMS-encrypted on-failure queue; the resource is the stage key only.',
      });
    }

    this.api = new IngestApi(this, 'IngestApi', {
      handler: this.ingest.function,
      apiName: `switchyard-${stage}`,
      throttle: config.apiThrottle,
      accessLogEncryptionKey: encryptionKey,
      accessLogRetention: logRetention,
      logRemovalPolicy: removalPolicy,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the ingest API' });
    new CfnOutput(this, 'EventStreamName', { value: this.eventStream.streamName, description: 'Kinesis stream' });
    new CfnOutput(this, 'EventTableName', { value: this.eventStore.tableName, description: 'DynamoDB event store' });
    new CfnOutput(this, 'IdempotencyTableName', {
      value: this.idempotencyTable.tableName,
      description: 'DynamoDB idempotency records',
    });
    new CfnOutput(this, 'ConfigBucketName', {
      value: this.configBucket.bucketName,
      description: 'S3 bucket holding subscriptions.json',
    });
    new CfnOutput(this, 'ProducerTokensSecretArn', {
      value: this.producerTokens.secretArn,
      description: 'Secrets Manager secret of producer tokens ({"<producer>": "<token>"}; "default" is generated)',
    });
    new CfnOutput(this, 'ArchiveFailureQueueUrl', {
      value: this.archiveFailures.queueUrl,
      description: 'SQS queue receiving archive batches that failed after all retries',
    });
  }

  /** Range checks of the stage-level settings the constructs do not see themselves. */
  private checkConfig(config: StageConfig): void {
    checkIntegerInRange(this, 'config.maxEventBytes', config.maxEventBytes, 1, 1_048_576, 'bytes');
    checkIntegerInRange(this, 'config.dedupeWindowSeconds', config.dedupeWindowSeconds, 60, 2_592_000, 'seconds');
    checkIntegerInRange(this, 'config.archiveRetryAttempts', config.archiveRetryAttempts, 0, 10_000);
    checkIntegerInRange(this, 'config.archiveMaxRecordAgeHours', config.archiveMaxRecordAgeHours, 1, 168, 'hours');
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
