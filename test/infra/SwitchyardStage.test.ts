import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { KEY_DECRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, KEY_STREAM_PUBLISH_ACTIONS, LEDGER_ACTIONS, STREAM_CONSUME_ACTIONS, STREAM_PUBLISH_ACTIONS, TABLE_READ_ACTIONS, TABLE_STORE_ACTIONS } from '../../lib/perms';
import { resolveStageConfig, type StageConfig } from '../../lib/resolveStageConfig';
import type { SwitchyardFunction } from '../../lib/SwitchyardFunction';
import { DELIVERY_FUNCTIONS, MAX_ATTEMPT_SECONDS, MAX_DELIVERY_TIMEOUT_SECONDS, SwitchyardStage } from '../../lib/SwitchyardStage';
import { DEADLINE_MARGIN_MS } from '../../src/router/Router';
import { EVENT_TABLE_SCHEMA, IDEMPOTENCY_TABLE_SCHEMA } from '../../src/store/tableSchemas';
import subscriptionsSchema from '../../schema/subscriptions.schema.json';
import { allowedPairs, cdkJsonContext, nagFindings, pair, pairs, testApp } from './helpers';

const ENV = { account: '123456789012', region: 'ap-southeast-2' };
const CONFIG: StageConfig = {
  shardCount: 3,
  retentionHours: 48,
  maxEventBytes: 100_000,
  // At least the API's burst: a burst beyond ingest's reserved concurrency would be throttled into 5xx (a synth warning).
  ingestReservedConcurrency: 100,
  routerReservedConcurrency: 3,
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

    test('the event store has the byTypeBucket index; the idempotency table expires records through expiresAt', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byTypeBucket' })],
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

  describe('producer credentials', () => {
    test('are a KMS-encrypted secret created empty: no producer, no reader, nothing generated (test/infra/credentials.test.ts has more)', () => {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        KmsKeyId: keyArn(),
        SecretString: '{"producers":{},"readers":{}}',
        GenerateSecretString: Match.absent(),
      });
    });
  });

  describe('functions', () => {
    test.each(['ingest', 'router', 'redeliver'] as const)('%s runs Node.js 22 on arm64 with tracing and a KMS-encrypted log group', (name) => {
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

    test('ingest gets the resource names, key, secret and limits from the stage, and no idempotency table', () => {
      const env = functionOf(stack.ingest).Properties.Environment.Variables;
      expect(env).toMatchObject({
        EVENT_STREAM_NAME: stack.resolve(stack.eventStream.streamName),
        EVENT_TABLE_NAME: stack.resolve(stack.eventStore.tableName),
        KMS_KEY_ID: keyArn(),
        PRODUCER_TOKENS_SECRET_ID: stack.resolve(stack.producerTokens.secretArn),
        MAX_EVENT_BYTES: '100000',
      });
      expect(env.IDEMPOTENCY_TABLE_NAME).toBeUndefined();
      expect(env.DEDUPE_WINDOW_SECONDS).toBeUndefined();
      expect(functionOf(stack.ingest).Properties.ReservedConcurrentExecutions).toBe(100);
    });

    test('no archive or engine function is left: three functions, one event source mapping', () => {
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      const names = Object.values(template.findResources('AWS::Lambda::Function'))
        .map((fn) => fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME)
        .filter(Boolean)
        .sort();
      expect(names).toEqual(['switchyard-ingest', 'switchyard-redeliver', 'switchyard-router']);
    });

    test('router and redeliver get the ledger, the config object, the key, the subscription limit and the event table', () => {
      const common = {
        DELIVERY_TABLE_NAME: stack.resolve(stack.deliveryLedger.tableName),
        CONFIG_BUCKET_NAME: stack.resolve(stack.configBucket.bucketName),
        SUBSCRIPTIONS_KEY: 'subscriptions.json',
        KMS_KEY_ID: keyArn(),
        MAX_SUBSCRIPTIONS: '1000',
      };
      const routerEnv = functionOf(stack.router).Properties.Environment.Variables;
      const redeliverEnv = functionOf(stack.redeliver).Properties.Environment.Variables;
      expect(routerEnv).toMatchObject({ ...common, EVENT_TABLE_NAME: stack.resolve(stack.eventStore.tableName) });
      // The redeliver function runs replays: it reads their windows from the event store.
      expect(redeliverEnv).toMatchObject({ ...common, REDELIVER_SWEEP_SECONDS: '55', EVENT_TABLE_NAME: stack.resolve(stack.eventStore.tableName) });
      expect(routerEnv.REDELIVER_SWEEP_SECONDS).toBeUndefined();
      for (const env of [routerEnv, redeliverEnv]) {
        expect(env.ALLOW_PRIVATE_NETWORKS).toBeUndefined(); // the SSRF guard stays on in AWS
        expect(env.EVENT_STREAM_NAME).toBeUndefined();
      }
    });

    test('router: 1024 MiB, Lambda\'s longest timeout, room for the longest attempt (an OAuth webhook: token, post, renew, post) before its deadline', () => {
      const props = functionOf(stack.router).Properties;
      expect(props.MemorySize).toBe(1024);
      expect(props.Timeout).toBe(900);
      expect(props.Timeout - DEADLINE_MARGIN_MS / 1000).toBeGreaterThan(MAX_ATTEMPT_SECONDS);
      expect(MAX_ATTEMPT_SECONDS).toBeGreaterThanOrEqual(2 * MAX_DELIVERY_TIMEOUT_SECONDS);
      expect(props.ReservedConcurrentExecutions).toBe(3);
    });

    test('redeliver: 1024 MiB, no reserved concurrency unless the stage sets it, a timeout letting the last attempt of a 55 s sweep finish', () => {
      const props = functionOf(stack.redeliver).Properties;
      expect(props.MemorySize).toBe(1024);
      expect(props.ReservedConcurrentExecutions).toBeUndefined();
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

    test('ingest may publish, read and query the event store and read the tokens — and write nothing to DynamoDB', () => {
      const s = stack;
      const key = s.key.key.keyArn;
      const table = s.eventStore.table.tableArn;
      const expected = new Set([
        ...pairs(s, STREAM_PUBLISH_ACTIONS, [s.eventStream.streamArn]),
        ...pairs(s, TABLE_READ_ACTIONS, [table, `${table}/index/byTypeBucket`]),
        ...pairs(s, ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], [s.producerTokens.secretArn]),
        ...pairs(s, [...KEY_DECRYPT_ACTIONS, ...KEY_STREAM_PUBLISH_ACTIONS], [key]),
        ...pairs(s, ['logs:CreateLogStream', 'logs:PutLogEvents'], [s.ingest.logGroup.logGroupArn]),
        ...pairs(s, ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']),
      ]);
      expect(allowedPairs(template, s, s.ingest.role as iam.IRole)).toEqual(expected);
    });
  });

  describe('delivery functions', () => {
    const deliveryPairs = (fn: SwitchyardFunction) => {
      const s = stack;
      const key = s.key.key.keyArn;
      const ledger = s.deliveryLedger.table.tableArn;
      return [
        ...pairs(s, LEDGER_ACTIONS, [ledger]),
        pair(s, 'dynamodb:Query', `${ledger}/index/due`),
        ...pairs(s, ['s3:GetObject', 's3:GetObjectVersion'], [s.configBucket.bucket.arnForObjects('subscriptions.json')]),
        pair(s, 's3:ListBucketVersions', s.configBucket.bucket.bucketArn),
        ...DELIVERY_TARGET_PAIRS,
        ...pairs(s, [...KEY_ENCRYPT_DECRYPT_ACTIONS], [key]),
        ...pairs(s, ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']),
        ...pairs(s, ['logs:CreateLogStream', 'logs:PutLogEvents'], [fn.logGroup.logGroupArn]),
      ];
    };

    test('router may consume the stream, store batches in the event store, keep the ledger, read subscriptions.json (and its versions), resolve stage secrets and parameters, invoke switchyard-test-* — and nothing more', () => {
      const s = stack;
      const expected = new Set([
        ...deliveryPairs(s.router),
        ...pairs(s, STREAM_CONSUME_ACTIONS, [s.eventStream.streamArn]),
        ...pairs(s, TABLE_STORE_ACTIONS, [s.eventStore.table.tableArn]),
      ]);
      expect(allowedPairs(template, s, s.router.role as iam.IRole)).toEqual(expected);
      // No queries, updates, deletes or scans of the event store, nothing on its index.
      const onStore = [...allowedPairs(template, s, s.router.role as iam.IRole)].filter((p) => p.includes(JSON.stringify(s.resolve(s.eventStore.table.tableArn)).slice(0, 40)));
      expect(onStore.filter((p) => /Query|UpdateItem|DeleteItem|Scan/.test(p))).toEqual([]);
    });

    test('listing versions of the config bucket is limited to the subscriptions.json prefix, and the bucket is versioned', () => {
      const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>);
      const listing = statements.filter((statement) => statement.Action === 's3:ListBucketVersions');
      expect(listing.length).toBeGreaterThan(0);
      for (const statement of listing) expect(statement.Condition).toEqual({ StringEquals: { 's3:prefix': 'subscriptions.json' } });
      const bucket = template.toJSON().Resources[stack.getLogicalId(stack.configBucket.bucket.node.defaultChild as never)];
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    });

    test('redeliver has the same delivery grants without the stream or a queue, plus reading and querying the event store for replays — and nothing more', () => {
      const s = stack;
      const table = s.eventStore.table.tableArn;
      const expected = new Set([
        ...deliveryPairs(s.redeliver),
        ...pairs(s, TABLE_READ_ACTIONS, [table, `${table}/index/byTypeBucket`]),
        ...pairs(s, KEY_DECRYPT_ACTIONS, [s.key.key.keyArn]),
      ]);
      expect(allowedPairs(template, s, s.redeliver.role as iam.IRole)).toEqual(expected);
      // Replays read: nothing is written to the event store.
      const onStore = [...allowedPairs(template, s, s.redeliver.role as iam.IRole)].filter((p) => p.includes(JSON.stringify(s.resolve(table)).slice(0, 40)));
      expect(onStore.filter((p) => /PutItem|BatchWriteItem|UpdateItem|DeleteItem|Scan/.test(p))).toEqual([]);
    });

    test('no delivery grant reaches the bus\'s own functions, other secrets, Scan, or any resource "*" beyond X-Ray', () => {
      for (const role of [stack.router.role, stack.redeliver.role]) {
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

    test('the router reads every shard from the trim horizon, one batch per shard, bisecting, with partial failures, and never gives a batch up', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: stack.resolve(stack.eventStream.streamArn),
        FunctionName: stack.resolve(stack.router.function.functionName),
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ParallelizationFactor: 1,
        // Absent means Lambda's default for stream sources, -1: retry until the record expires from the stream.
        MaximumRetryAttempts: Match.absent(),
        MaximumRecordAgeInSeconds: Match.absent(),
        // No on-failure destination: nothing is reduced to its position in a queue.
        DestinationConfig: Match.absent(),
      });
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      template.resourceCountIs('AWS::SQS::Queue', 0);
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
    test('routes POST /events, the read routes and GET /health to ingest, throttled per the stage', () => {
      const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
      expect(routeKeys.sort()).toEqual(['GET /events', 'GET /events/{id}', 'GET /feeds/{pattern}', 'GET /health', 'GET /types', 'POST /events', 'POST /iam/events']);
      template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationUri: stack.resolve(stack.ingest.function.functionArn),
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        AccessLogSettings: { DestinationArn: stack.resolve(stack.api!.accessLogGroup.logGroupArn) },
      });
      const accessLogs = template.toJSON().Resources[stack.getLogicalId(stack.api!.accessLogGroup.node.defaultChild as never)];
      expect(accessLogs.Properties.KmsKeyId).toEqual(keyArn());
    });
  });

  describe('outputs', () => {
    test.each([
      ['ApiUrl', () => stack.api!.url],
      ['EventStreamName', () => stack.eventStream.streamName],
      ['EventTableName', () => stack.eventStore.tableName],
      ['IdempotencyTableName', () => stack.idempotencyTable.tableName],
      ['ConfigBucketName', () => stack.configBucket.bucketName],
      ['ProducerTokensSecretArn', () => stack.producerTokens.secretArn],
      ['DeliveryTableName', () => stack.deliveryLedger.tableName],
      ['WorkerTableName', () => stack.workerTable.tableName],
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

    test('privateTypes reach ingest as SWITCHYARD_PRIVATE_TYPES; without them the variable is absent', () => {
      const withPrivate = Template.fromStack(stageStack({ shardCount: 1, retentionHours: 24, privateTypes: ['hr.>', 'payroll.*'] }, { bundle: false }));
      withPrivate.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ SWITCHYARD_PRIVATE_TYPES: 'hr.>,payroll.*' }) },
      });
      const without = Template.fromStack(stageStack({ shardCount: 1, retentionHours: 24 }, { bundle: false }));
      for (const fn of Object.values(without.findResources('AWS::Lambda::Function'))) {
        expect(fn.Properties.Environment?.Variables?.SWITCHYARD_PRIVATE_TYPES).toBeUndefined();
      }
    });

    test('defaults: 256 KiB events; the router retries without limit whatever the retention', () => {
      const s = stageStack({ shardCount: 1, retentionHours: 720 }, { bundle: false });
      const t = Template.fromStack(s);
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ MAX_EVENT_BYTES: '262144' }) },
      });
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { MaximumRetryAttempts: Match.absent(), MaximumRecordAgeInSeconds: Match.absent() });
      t.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 } });
    });

    test.each([
      [{ maxEventBytes: 0 }, "config.maxEventBytes must be an integer between 1 and 393216 bytes (DynamoDB's 400 KB item limit less 16 KiB for the item's own attributes), got 0"],
      [{ maxEventBytes: 1_048_576 }, 'config.maxEventBytes must be an integer between 1 and 393216 bytes'],
      [{ maxEventBytes: 393_217 }, 'got 393217'],
      [{ maxSubscriptions: 0 }, 'config.maxSubscriptions must be an integer between 1 and 100000, got 0'],
      [{ lambdaTargets: ['audit'] }, 'Switchyard-test/DeliveryTargets: lambdaTargets[0] must be a Lambda function ARN'],
      [{ lambdaTargets: ['arn:aws:lambda:ap-southeast-2:123456789012:function:*'] }, 'Switchyard-test/DeliveryTargets: lambdaTargets[0] must name functions, not every function of an account'],
      [{ logRetentionDays: 8 }, 'config.logRetentionDays must be one of 1, 3, 5, 7, 14, 30,'],
      [{ shardCount: 0 }, 'Switchyard-test/EventStream: shardCount must be an integer between 1 and 500, got 0'],
      [{ retentionHours: 12 }, 'Switchyard-test/EventStream: retentionHours must be an integer between 24 and 8760 hours, got 12'],
    ] as Array<[Partial<StageConfig>, string]>)('rejects %p', (override, message) => {
      expect(() => stageStack({ shardCount: 1, retentionHours: 24, ...override }, { bundle: false })).toThrow(message);
    });

    test('lambdaTargets and maxSubscriptions come from the stage config', () => {
      const s = stageStack(
        {
          shardCount: 1,
          retentionHours: 24,
          maxSubscriptions: 50,
          lambdaTargets: ['arn:aws:lambda:ap-southeast-2:123456789012:function:audit', 'arn:aws:lambda:ap-southeast-2:123456789012:function:team-*'],
        },
        { bundle: false },
      );
      const t = Template.fromStack(s);
      const fn = (f: { function: { node: { defaultChild?: unknown } } }) => t.toJSON().Resources[s.getLogicalId(f.function.node.defaultChild as never)];
      for (const f of [s.router, s.redeliver]) {
        expect(fn(f).Properties.Environment.Variables.MAX_SUBSCRIPTIONS).toBe('50');
        const invoke = [...allowedPairs(t, s, f.role)].filter((p) => p.startsWith('lambda:')).sort();
        expect(invoke).toEqual([
          'lambda:InvokeFunction "arn:aws:lambda:ap-southeast-2:123456789012:function:audit"',
          'lambda:InvokeFunction "arn:aws:lambda:ap-southeast-2:123456789012:function:audit:*"',
          'lambda:InvokeFunction "arn:aws:lambda:ap-southeast-2:123456789012:function:team-*"',
        ]);
      }
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
