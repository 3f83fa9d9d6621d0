import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { KEY_DECRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, STREAM_CONSUME_ACTIONS, STREAM_PUBLISH_ACTIONS, TABLE_ARCHIVE_ACTIONS, TABLE_READ_ACTIONS, TABLE_READ_WRITE_ACTIONS } from '../../lib/perms';
import { resolveStageConfig, type StageConfig } from '../../lib/resolveStageConfig';
import type { SwitchyardFunction } from '../../lib/SwitchyardFunction';
import { DELIVERY_FUNCTIONS, MAX_ATTEMPT_SECONDS, MAX_DELIVERY_TIMEOUT_SECONDS, SwitchyardStage } from '../../lib/SwitchyardStage';
import { EVENT_TABLE_SCHEMA, IDEMPOTENCY_TABLE_SCHEMA } from '../../src/store/tableSchemas';
import subscriptionsSchema from '../../schema/subscriptions.schema.json';
import { allowedPairs, cdkJsonContext, nagFindings, pair, pairs, testApp } from './helpers';

const ENV = { account: '123456789012', region: 'ap-southeast-2' };
const CONFIG: StageConfig = {
  shardCount: 3,
  retentionHours: 48,
  maxEventBytes: 100_000,
  dedupeWindowSeconds: 3600,
  archiveRetryAttempts: 7,
  ingestReservedConcurrency: 20,
  apiThrottle: { rateLimit: 50, burstLimit: 100 },
};

function stageStack(config: StageConfig, options: { bundle?: boolean; stage?: string } = {}): SwitchyardStage {
  const stage = options.stage ?? 'test';
  return new SwitchyardStage(testApp({ bundle: options.bundle }), `Switchyard-${stage}`, { stage, config, env: ENV });
}

/** The delivery functions' grants beyond the bus's own resources, for the default stage `test`. */
const DELIVERY_TARGET_PAIRS = [
  'secretsmanager:GetSecretValue "arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:switchyard/test/*"',
  'ssm:GetParameter "arn:aws:ssm:ap-southeast-2:123456789012:parameter/switchyard/test/*"',
  'lambda:InvokeFunction "arn:aws:lambda:ap-southeast-2:123456789012:function:switchyard-test-*"',
];

/** Every value of `key` anywhere in a JSON schema. */
function valuesOf(node: unknown, key: string): unknown[] {
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) => (k === key ? [v] : []).concat(valuesOf(v, key)));
}

function resourceOf(template: Template, type: string): { Properties: Record<string, any>; DeletionPolicy?: string } {
  const all = Object.values(template.findResources(type));
  expect(all).toHaveLength(1);
  return all[0] as { Properties: Record<string, any>; DeletionPolicy?: string };
}

describe('SwitchyardStage', () => {
  // The stage with the real handlers, bundled by esbuild once for the whole file.
  let stack: SwitchyardStage;
  let template: Template;
  beforeAll(() => {
    stack = stageStack(CONFIG);
    template = Template.fromStack(stack);
  });

  const keyArn = () => stack.resolve(stack.key.key.keyArn);
  const functionOf = (fn: { function: { node: { defaultChild?: unknown } } }) =>
    template.toJSON().Resources[stack.getLogicalId(fn.function.node.defaultChild as never)];

  describe('key', () => {
    test('is one customer-managed key with rotation, aliased after the stage', () => {
      template.resourceCountIs('AWS::KMS::Key', 1);
      expect(resourceOf(template, 'AWS::KMS::Key')).toMatchObject({
        Properties: { EnableKeyRotation: true, PendingWindowInDays: 30 },
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/switchyard-test' });
    });
  });

  describe('stream', () => {
    test('is KMS-encrypted with the stage key; shard count and retention come from the stage config', () => {
      expect(resourceOf(template, 'AWS::Kinesis::Stream')).toMatchObject({
        Properties: {
          ShardCount: 3,
          RetentionPeriodHours: 48,
          StreamEncryption: { EncryptionType: 'KMS', KeyId: keyArn() },
        },
        DeletionPolicy: 'Retain',
      });
    });
  });

  describe('tables', () => {
    test.each([
      ['event store', 'eventStore', EVENT_TABLE_SCHEMA.partitionKey],
      ['idempotency', 'idempotencyTable', IDEMPOTENCY_TABLE_SCHEMA.partitionKey],
    ] as const)('%s: SSE-KMS with the stage key, PITR, on-demand, shared key schema, retained', (_name, prop, pk) => {
      const table = stack[prop].table;
      const resource = template.toJSON().Resources[stack.getLogicalId(table.node.defaultChild as never)];
      expect(resource).toMatchObject({
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn() },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          KeySchema: [{ AttributeName: pk, KeyType: 'HASH' }],
        },
        DeletionPolicy: 'Retain',
      });
    });

    test.each([
      ['delivery ledger', 'deliveryLedger'],
      ['worker', 'workerTable'],
    ] as const)('%s: SSE-KMS with the stage key, PITR, on-demand, pk + sk, retained with deletion protection', (_name, prop) => {
      const table = stack[prop].table;
      const resource = template.toJSON().Resources[stack.getLogicalId(table.node.defaultChild as never)];
      expect(resource).toMatchObject({
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn() },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          DeletionProtectionEnabled: true,
        },
        DeletionPolicy: 'Retain',
      });
    });

    test('the delivery ledger has the due index; the worker table none', () => {
      const props = (prop: 'deliveryLedger' | 'workerTable') =>
        template.toJSON().Resources[stack.getLogicalId(stack[prop].table.node.defaultChild as never)].Properties;
      expect(props('deliveryLedger').GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName)).toEqual(['due']);
      expect(props('workerTable').GlobalSecondaryIndexes).toBeUndefined();
    });

    test('the event store has the byType index; the idempotency table expires records through expiresAt', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byType' })],
        DeletionProtectionEnabled: true,
      });
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
    });
  });

  describe('config bucket', () => {
    test('is KMS-encrypted with the stage key, versioned, private, TLS-only, access-logged', () => {
      const bucket = stack.configBucket.bucket;
      const resource = template.toJSON().Resources[stack.getLogicalId(bucket.node.defaultChild as never)];
      expect(resource).toMatchObject({
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn() } }],
          },
          VersioningConfiguration: { Status: 'Enabled' },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          LoggingConfiguration: { DestinationBucketName: stack.resolve(stack.configBucket.accessLogsBucket.bucketName) },
        },
        DeletionPolicy: 'Retain',
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: stack.resolve(bucket.bucketName),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });
  });

  describe('producer tokens', () => {
    test('are a KMS-encrypted secret with a generated "default" token', () => {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        KmsKeyId: keyArn(),
        GenerateSecretString: { SecretStringTemplate: '{}', GenerateStringKey: 'default', ExcludePunctuation: true, PasswordLength: 48 },
      });
    });
  });

  describe('functions', () => {
    test.each(['ingest', 'archive', 'engine', 'redeliver'] as const)('%s runs Node.js 22 on arm64 with tracing and a KMS-encrypted log group', (name) => {
      const fn = stack[name];
      expect(functionOf(fn).Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: stack.resolve(fn.logGroup.logGroupName) },
        Environment: { Variables: expect.objectContaining({ POWERTOOLS_SERVICE_NAME: `switchyard-${name}` }) },
      });
      const logGroup = template.toJSON().Resources[stack.getLogicalId(fn.logGroup.node.defaultChild as never)];
      expect(logGroup.Properties).toMatchObject({ KmsKeyId: keyArn(), RetentionInDays: 30 });
    });

    test('ingest gets the resource names, key, secret and limits from the stage', () => {
      expect(functionOf(stack.ingest).Properties.Environment.Variables).toMatchObject({
        EVENT_STREAM_NAME: stack.resolve(stack.eventStream.streamName),
        EVENT_TABLE_NAME: stack.resolve(stack.eventStore.tableName),
        IDEMPOTENCY_TABLE_NAME: stack.resolve(stack.idempotencyTable.tableName),
        KMS_KEY_ID: keyArn(),
        PRODUCER_TOKENS_SECRET_ID: stack.resolve(stack.producerTokens.secretArn),
        MAX_EVENT_BYTES: '100000',
        DEDUPE_WINDOW_SECONDS: '3600',
      });
      expect(functionOf(stack.ingest).Properties.ReservedConcurrentExecutions).toBe(20);
    });

    test('archive gets the event table and the key', () => {
      expect(functionOf(stack.archive).Properties.Environment.Variables).toMatchObject({
        EVENT_TABLE_NAME: stack.resolve(stack.eventStore.tableName),
        KMS_KEY_ID: keyArn(),
      });
      expect(functionOf(stack.archive).Properties.ReservedConcurrentExecutions).toBeUndefined();
    });

    test('engine and redeliver get the ledger, the config object, the key and the subscription limit', () => {
      const common = {
        DELIVERY_TABLE_NAME: stack.resolve(stack.deliveryLedger.tableName),
        CONFIG_BUCKET_NAME: stack.resolve(stack.configBucket.bucketName),
        SUBSCRIPTIONS_KEY: 'subscriptions.json',
        KMS_KEY_ID: keyArn(),
        MAX_SUBSCRIPTIONS: '1000',
      };
      const engineEnv = functionOf(stack.engine).Properties.Environment.Variables;
      const redeliverEnv = functionOf(stack.redeliver).Properties.Environment.Variables;
      expect(engineEnv).toMatchObject(common);
      expect(redeliverEnv).toMatchObject({ ...common, REDELIVER_SWEEP_SECONDS: '55' });
      expect(engineEnv.REDELIVER_SWEEP_SECONDS).toBeUndefined();
      for (const env of [engineEnv, redeliverEnv]) {
        expect(env.ALLOW_PRIVATE_NETWORKS).toBeUndefined(); // the SSRF guard stays on in AWS
        expect(env.EVENT_STREAM_NAME).toBeUndefined();
      }
    });

    test('engine: 1024 MiB, a timeout covering the longest attempt (an OAuth webhook: token, post, renew, post)', () => {
      const props = functionOf(stack.engine).Properties;
      expect(props.MemorySize).toBe(1024);
      expect(props.Timeout).toBe(MAX_ATTEMPT_SECONDS + 60);
      expect(props.Timeout).toBeGreaterThanOrEqual(2 * MAX_DELIVERY_TIMEOUT_SECONDS);
      expect(props.Timeout).toBeLessThanOrEqual(900);
      expect(props.ReservedConcurrentExecutions).toBeUndefined();
    });

    test('redeliver: 1024 MiB, at most 2 at once, a timeout letting the last attempt of a 55 s sweep finish', () => {
      const props = functionOf(stack.redeliver).Properties;
      expect(props.MemorySize).toBe(1024);
      expect(props.ReservedConcurrentExecutions).toBe(2);
      expect(props.Timeout).toBe(55 + MAX_ATTEMPT_SECONDS + 15);
      expect(props.Timeout).toBeLessThanOrEqual(900);
    });

    test('the longest delivery timeout is the schema\'s maximum of delivery.timeoutSeconds', () => {
      const maxima = valuesOf(subscriptionsSchema, 'timeoutSeconds').flatMap((node) => valuesOf(node, 'maximum'));
      expect(maxima.length).toBeGreaterThan(0);
      expect(new Set(maxima)).toEqual(new Set([MAX_DELIVERY_TIMEOUT_SECONDS]));
    });

    test('roles carry no managed policy', () => {
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
    });

    test('ingest may publish, dedupe, read the store and the tokens — and nothing more', () => {
      const s = stack;
      const key = s.key.key.keyArn;
      const table = s.eventStore.table.tableArn;
      const expected = new Set([
        ...pairs(s, STREAM_PUBLISH_ACTIONS, [s.eventStream.streamArn]),
        ...pairs(s, TABLE_READ_WRITE_ACTIONS, [s.idempotencyTable.table.tableArn]),
        ...pairs(s, TABLE_READ_ACTIONS, [table, `${table}/index/byType`]),
        ...pairs(s, ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], [s.producerTokens.secretArn]),
        ...pairs(s, [...KEY_ENCRYPT_DECRYPT_ACTIONS], [key]),
        ...pairs(s, ['logs:CreateLogStream', 'logs:PutLogEvents'], [s.ingest.logGroup.logGroupArn]),
        ...pairs(s, ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']),
      ]);
      expect(allowedPairs(template, s, s.ingest.role as iam.IRole)).toEqual(expected);
    });

    test('archive may consume the stream, archive into the store and report failures — and nothing more', () => {
      const s = stack;
      const key = s.key.key.keyArn;
      const expected = new Set([
        ...pairs(s, STREAM_CONSUME_ACTIONS, [s.eventStream.streamArn]),
        ...pairs(s, TABLE_ARCHIVE_ACTIONS, [s.eventStore.table.tableArn]),
        ...pairs(s, ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], [s.archiveFailures.queueArn]),
        ...pairs(s, [...KEY_ENCRYPT_DECRYPT_ACTIONS, ...KEY_DECRYPT_ACTIONS, 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], [key]),
        ...pairs(s, ['logs:CreateLogStream', 'logs:PutLogEvents'], [s.archive.logGroup.logGroupArn]),
        ...pairs(s, ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']),
      ]);
      expect(allowedPairs(template, s, s.archive.role as iam.IRole)).toEqual(expected);
      expect(allowedPairs(template, s, s.archive.role as iam.IRole).has(pair(s, 'dynamodb:Scan', s.eventStore.table.tableArn))).toBe(false);
    });
  });

  describe('delivery functions', () => {
    const deliveryPairs = (fn: SwitchyardFunction) => {
      const s = stack;
      const key = s.key.key.keyArn;
      const ledger = s.deliveryLedger.table.tableArn;
      return [
        ...pairs(s, TABLE_READ_WRITE_ACTIONS, [ledger]),
        pair(s, 'dynamodb:Query', `${ledger}/index/due`),
        ...pairs(s, ['s3:GetObject', 's3:GetObjectVersion'], [s.configBucket.bucket.arnForObjects('subscriptions.json')]),
        ...DELIVERY_TARGET_PAIRS,
        ...pairs(s, [...KEY_ENCRYPT_DECRYPT_ACTIONS], [key]),
        ...pairs(s, ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']),
        ...pairs(s, ['logs:CreateLogStream', 'logs:PutLogEvents'], [fn.logGroup.logGroupArn]),
      ];
    };

    test('engine may consume the stream, keep the ledger, read subscriptions.json, resolve stage secrets and parameters, invoke switchyard-test-* and report failures — and nothing more', () => {
      const s = stack;
      const expected = new Set([
        ...deliveryPairs(s.engine),
        ...pairs(s, STREAM_CONSUME_ACTIONS, [s.eventStream.streamArn]),
        ...pairs(s, ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], [s.engineFailures.queueArn]),
        ...pairs(s, ['kms:ReEncrypt*', 'kms:GenerateDataKey*'], [s.key.key.keyArn]),
      ]);
      expect(allowedPairs(template, s, s.engine.role as iam.IRole)).toEqual(expected);
    });

    test('redeliver has the same delivery grants without the stream or a queue — and nothing more', () => {
      const s = stack;
      expect(allowedPairs(template, s, s.redeliver.role as iam.IRole)).toEqual(new Set(deliveryPairs(s.redeliver)));
    });

    test('no delivery grant reaches the bus\'s own functions, other secrets, Scan, or any resource "*" beyond X-Ray', () => {
      for (const role of [stack.engine.role, stack.redeliver.role]) {
        const allowed = [...allowedPairs(template, stack, role as iam.IRole)];
        expect(allowed.filter((p) => p.endsWith(' "*"')).sort()).toEqual(['xray:PutTelemetryRecords "*"', 'xray:PutTraceSegments "*"']);
        expect(allowed.filter((p) => p.startsWith('dynamodb:Scan'))).toEqual([]);
        expect(allowed.filter((p) => p.startsWith('secretsmanager:') || p.startsWith('ssm:') || p.startsWith('lambda:'))).toEqual(
          expect.arrayContaining(DELIVERY_TARGET_PAIRS),
        );
        expect(allowed.filter((p) => p.startsWith('secretsmanager:') || p.startsWith('ssm:') || p.startsWith('lambda:'))).toHaveLength(3);
      }
      // Generated names start with the stack name, which the default invoke scope does not match (case-sensitive).
      expect(stack.stackName).toBe('Switchyard-test');
    });

    test('the engine reads every shard from the trim horizon, one batch per shard, bisecting, with partial failures and its own on-failure queue', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: stack.resolve(stack.eventStream.streamArn),
        FunctionName: stack.resolve(stack.engine.function.functionName),
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 10,
        MaximumRecordAgeInSeconds: 48 * 3600,
        ParallelizationFactor: 1,
        DestinationConfig: { OnFailure: { Destination: stack.resolve(stack.engineFailures.queueArn) } },
      });
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    });

    test('redeliver is started every minute by a rule; a start older than a minute is dropped, not retried', () => {
      const rules = Object.values(template.findResources('AWS::Events::Rule'));
      expect(rules).toHaveLength(1);
      expect(rules[0].Properties).toMatchObject({
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [
          {
            Arn: stack.resolve(stack.redeliver.function.functionArn),
            RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 2 },
          },
        ],
      });
      expect(rules[0].Properties.Targets[0].Input).toBeUndefined();
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: stack.resolve(stack.redeliver.function.functionName),
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: stack.resolve(stack.redeliver.function.functionArn),
        Principal: 'events.amazonaws.com',
        SourceArn: stack.resolve(stack.redeliverSchedule.ruleArn),
      });
      expect(DELIVERY_FUNCTIONS.redeliverSweepSeconds).toBeLessThan(60);
    });
  });

  describe('HTTP API', () => {
    test('routes POST /events, GET /events/{id}, GET /health to ingest, throttled per the stage', () => {
      const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
      expect(routeKeys.sort()).toEqual(['GET /events/{id}', 'GET /health', 'POST /events']);
      template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationUri: stack.resolve(stack.ingest.function.functionArn),
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        AccessLogSettings: { DestinationArn: stack.resolve(stack.api.accessLogGroup.logGroupArn) },
      });
      const accessLogs = template.toJSON().Resources[stack.getLogicalId(stack.api.accessLogGroup.node.defaultChild as never)];
      expect(accessLogs.Properties.KmsKeyId).toEqual(keyArn());
    });
  });

  describe('archive event source mapping', () => {
    test('reads from the trim horizon in batches of 100, bisecting, with partial failures and an on-failure queue', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: stack.resolve(stack.eventStream.streamArn),
        FunctionName: stack.resolve(stack.archive.function.functionName),
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 7,
        MaximumRecordAgeInSeconds: 48 * 3600,
        ParallelizationFactor: 1,
        DestinationConfig: { OnFailure: { Destination: stack.resolve(stack.archiveFailures.queueArn) } },
      });
    });

    test('the on-failure queues (archive, engine) are encrypted with the stage key and TLS-only', () => {
      const queues = template.findResources('AWS::SQS::Queue');
      expect(Object.keys(queues).sort()).toEqual(
        [stack.archiveFailures, stack.engineFailures].map((q) => stack.getLogicalId(q.node.defaultChild as never)).sort(),
      );
      for (const queue of Object.values(queues)) {
        expect(queue.Properties).toMatchObject({ KmsMasterKeyId: keyArn(), MessageRetentionPeriod: 14 * 86400 });
      }
      const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
      expect(policies).toHaveLength(2);
      for (const policy of policies) {
        expect(policy.Properties.PolicyDocument.Statement).toEqual([
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]);
      }
    });
  });

  describe('outputs', () => {
    test.each([
      ['ApiUrl', () => stack.api.url],
      ['EventStreamName', () => stack.eventStream.streamName],
      ['EventTableName', () => stack.eventStore.tableName],
      ['IdempotencyTableName', () => stack.idempotencyTable.tableName],
      ['ConfigBucketName', () => stack.configBucket.bucketName],
      ['ProducerTokensSecretArn', () => stack.producerTokens.secretArn],
      ['ArchiveFailureQueueUrl', () => stack.archiveFailures.queueUrl],
      ['DeliveryTableName', () => stack.deliveryLedger.tableName],
      ['WorkerTableName', () => stack.workerTable.tableName],
      ['EngineFailureQueueUrl', () => stack.engineFailures.queueUrl],
    ] as Array<[string, () => string]>)('%s', (name, value) => {
      template.hasOutput(name, { Value: stack.resolve(value()) });
    });
  });

  describe('checks', () => {
    test('cdk-nag AWS Solutions: no unacknowledged error or warning', () => {
      expect(nagFindings(stack)).toEqual([]);
    });

    test('CDK itself reports no warning or error', () => {
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    });
  });

  describe('stage settings', () => {
    test('"destroy" deletes the stateful resources and empties the buckets; the key waits 7 days', () => {
      const t = Template.fromStack(stageStack({ shardCount: 1, retentionHours: 24, removalPolicy: 'destroy' }, { bundle: false }));
      for (const type of ['AWS::Kinesis::Stream', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup', 'AWS::SQS::Queue', 'AWS::SecretsManager::Secret', 'AWS::KMS::Key']) {
        for (const resource of Object.values(t.findResources(type))) expect([type, resource.DeletionPolicy]).toEqual([type, 'Delete']);
      }
      t.hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: 7 });
      t.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
      t.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    });

    test('defaults: 256 KiB events, 24 h dedupe, 10 retries, record age = retention (max 7 days)', () => {
      const s = stageStack({ shardCount: 1, retentionHours: 720 }, { bundle: false });
      const t = Template.fromStack(s);
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ MAX_EVENT_BYTES: '262144', DEDUPE_WINDOW_SECONDS: '86400' }) },
      });
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { MaximumRetryAttempts: 10, MaximumRecordAgeInSeconds: 168 * 3600 });
      t.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 } });
    });

    test.each([
      [{ maxEventBytes: 0 }, 'config.maxEventBytes must be an integer between 1 and 1048576 bytes, got 0'],
      [{ dedupeWindowSeconds: 59 }, 'config.dedupeWindowSeconds must be an integer between 60 and 2592000 seconds, got 59'],
      [{ archiveRetryAttempts: -1 }, 'config.archiveRetryAttempts must be an integer between 0 and 10000, got -1'],
      [{ archiveMaxRecordAgeHours: 169 }, 'config.archiveMaxRecordAgeHours must be an integer between 1 and 168 hours, got 169'],
      [{ engineRetryAttempts: 10_001 }, 'config.engineRetryAttempts must be an integer between 0 and 10000, got 10001'],
      [{ engineMaxRecordAgeHours: 0 }, 'config.engineMaxRecordAgeHours must be an integer between 1 and 168 hours, got 0'],
      [{ maxSubscriptions: 0 }, 'config.maxSubscriptions must be an integer between 1 and 100000, got 0'],
      [{ lambdaTargets: ['audit'] }, 'Switchyard-test/DeliveryTargets: lambdaTargets[0] must be a Lambda function ARN'],
      [{ lambdaTargets: ['arn:aws:lambda:ap-southeast-2:123456789012:function:*'] }, 'Switchyard-test/DeliveryTargets: lambdaTargets[0] must name functions, not every function of an account'],
      [{ logRetentionDays: 8 }, 'config.logRetentionDays must be one of 1, 3, 5, 7, 14, 30,'],
      [{ shardCount: 0 }, 'Switchyard-test/EventStream: shardCount must be an integer between 1 and 500, got 0'],
      [{ retentionHours: 12 }, 'Switchyard-test/EventStream: retentionHours must be an integer between 24 and 8760 hours, got 12'],
    ] as Array<[Partial<StageConfig>, string]>)('rejects %p', (override, message) => {
      expect(() => stageStack({ shardCount: 1, retentionHours: 24, ...override }, { bundle: false })).toThrow(message);
    });

    test('lambdaTargets, maxSubscriptions and engine retries come from the stage config', () => {
      const s = stageStack(
        {
          shardCount: 1,
          retentionHours: 24,
          maxSubscriptions: 50,
          engineRetryAttempts: 3,
          engineMaxRecordAgeHours: 6,
          lambdaTargets: ['arn:aws:lambda:ap-southeast-2:123456789012:function:audit', 'arn:aws:lambda:ap-southeast-2:123456789012:function:team-*'],
        },
        { bundle: false },
      );
      const t = Template.fromStack(s);
      const fn = (f: { function: { node: { defaultChild?: unknown } } }) => t.toJSON().Resources[s.getLogicalId(f.function.node.defaultChild as never)];
      for (const f of [s.engine, s.redeliver]) {
        expect(fn(f).Properties.Environment.Variables.MAX_SUBSCRIPTIONS).toBe('50');
        const invoke = [...allowedPairs(t, s, f.role)].filter((p) => p.startsWith('lambda:')).sort();
        expect(invoke).toEqual([
          'lambda:InvokeFunction "arn:aws:lambda:ap-southeast-2:123456789012:function:audit"',
          'lambda:InvokeFunction "arn:aws:lambda:ap-southeast-2:123456789012:function:audit:*"',
          'lambda:InvokeFunction "arn:aws:lambda:ap-southeast-2:123456789012:function:team-*"',
        ]);
      }
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: s.resolve(s.engine.function.functionName),
        MaximumRetryAttempts: 3,
        MaximumRecordAgeInSeconds: 6 * 3600,
      });
      expect(nagFindings(s)).toEqual([]);
    });

    test.each(Object.keys((cdkJsonContext() as { stages: object }).stages))(
      'cdk.json stage "%s" synthesizes with no unacknowledged cdk-nag finding',
      (name) => {
        const config = resolveStageConfig(cdkJsonContext().stages, name);
        const s = stageStack({ ...config, account: undefined, region: undefined }, { bundle: false, stage: name });
        Template.fromStack(s);
        expect(nagFindings(s)).toEqual([]);
      },
    );
  });
});
