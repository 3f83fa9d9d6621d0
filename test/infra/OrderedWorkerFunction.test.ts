import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { EventStream } from '../../lib/EventStream';
import { IdempotencyTable } from '../../lib/IdempotencyTable';
import { OrderedWorkerFunction, type OrderedWorkerFunctionProps } from '../../lib/OrderedWorkerFunction';
import { KEY_DECRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, STREAM_CONSUME_ACTIONS, TABLE_READ_WRITE_ACTIONS } from '../../lib/perms';
import { allowedPairs, nagFindings, pairs, testApp, testStack } from './helpers';

// The construct's wiring is under test here, not the bundle: esbuild is skipped (`aws:cdk:bundling-stacks`).
const ENTRY = 'test/infra/fixtures/handler.ts';

function build(extra: Partial<OrderedWorkerFunctionProps> = {}, id = 'Test') {
  const stack: Stack = testStack(undefined, id);
  stack.node.setContext('aws:cdk:bundling-stacks', []);
  const eventStream = new EventStream(stack, 'Stream');
  const idempotencyTable = new IdempotencyTable(stack, 'Idempotency');
  const worker = new OrderedWorkerFunction(stack, 'Projector', {
    entry: ENTRY,
    consumer: 'order-projector',
    eventStream,
    idempotencyTable,
    ...extra,
  });
  return { stack, eventStream, idempotencyTable, worker, template: Template.fromStack(stack) };
}

describe('OrderedWorkerFunction', () => {
  const built = build();
  const { stack, template, worker, eventStream, idempotencyTable } = built;

  test('maps the stream in shard order: one batch per shard, bisect, batchItemFailures, 10 retries, TRIM_HORIZON', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: stack.resolve(eventStream.streamArn),
      FunctionName: stack.resolve(worker.worker.function.functionName),
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      DestinationConfig: { OnFailure: { Destination: stack.resolve(worker.failureQueue.queueArn) } },
    });
  });

  test('sends given-up batches to a KMS-encrypted, TLS-only queue kept 14 days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: stack.resolve(worker.encryptionKey.keyArn),
      MessageRetentionPeriod: 1_209_600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
      },
    });
  });

  test('tells the handler its consumer name and idempotency table', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          WORKER_CONSUMER_NAME: 'order-projector',
          IDEMPOTENCY_TABLE_NAME: stack.resolve(idempotencyTable.tableName),
          WORKER_IN_PROGRESS_TIMEOUT_MS: '60000',
          POWERTOOLS_SERVICE_NAME: 'switchyard-worker-order-projector',
        }),
      },
      Timeout: 60,
      MemorySize: 512,
    });
  });

  test('may read the stream and its key, use its idempotency records and feed its failure queue — nothing else', () => {
    const role = worker.worker;
    expect(allowedPairs(template, stack, role.role)).toEqual(
      new Set([
        ...pairs(stack, STREAM_CONSUME_ACTIONS, [eventStream.streamArn]),
        ...pairs(stack, KEY_DECRYPT_ACTIONS, [eventStream.encryptionKey.keyArn]),
        ...pairs(stack, TABLE_READ_WRITE_ACTIONS, [idempotencyTable.table.tableArn]),
        ...pairs(stack, KEY_ENCRYPT_DECRYPT_ACTIONS, [idempotencyTable.encryptionKey.keyArn]),
        ...pairs(stack, ['logs:CreateLogStream', 'logs:PutLogEvents'], [role.logGroup.logGroupArn]),
        ...pairs(stack, ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], ['*']),
        // SqsDlq: the event source mapping sends failure records as the function's role.
        ...pairs(stack, ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], [worker.failureQueue.queueArn]),
        ...pairs(stack, ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], [worker.encryptionKey.keyArn]),
      ]),
    );
  });

  test('leaves no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('takes parallelization factor, batch size, retries, record age and a timestamp start from props', () => {
    const { template: t } = build(
      {
        parallelizationFactor: 4,
        batchSize: 10,
        retryAttempts: 2,
        maxRecordAge: Duration.hours(6),
        maxBatchingWindow: Duration.seconds(5),
        startingPosition: lambda.StartingPosition.AT_TIMESTAMP,
        startingPositionTimestamp: 1_760_000_000,
        timeout: Duration.minutes(2),
      },
      'WithProps',
    );
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ParallelizationFactor: 4,
      BatchSize: 10,
      MaximumRetryAttempts: 2,
      MaximumRecordAgeInSeconds: 21_600,
      MaximumBatchingWindowInSeconds: 5,
      StartingPosition: 'AT_TIMESTAMP',
      StartingPositionTimestamp: 1_760_000_000,
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 120,
      Environment: { Variables: Match.objectLike({ WORKER_IN_PROGRESS_TIMEOUT_MS: '120000' }) },
    });
  });

  test('bundles the example worker (examples/worker/lambda.ts) with the handler wrapper', () => {
    const app = testApp();
    const bundled = testStack(app, 'Bundled');
    new OrderedWorkerFunction(bundled, 'Projector', {
      entry: 'examples/worker/lambda.ts',
      consumer: 'order-projector',
      eventStream: new EventStream(bundled, 'Stream'),
      idempotencyTable: new IdempotencyTable(bundled, 'Idempotency'),
    });
    const fn = Object.values(Template.fromStack(bundled).findResources('AWS::Lambda::Function'))[0];
    const assetDir = path.join(app.synth().directory, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
    const code = readFileSync(path.join(assetDir, 'index.js'), 'utf8');
    // The wrapper, the idempotency records and the projection are in; the AWS SDK is left to the runtime.
    for (const text of ['WORKER_CONSUMER_NAME', 'com.example.orders.shipped', 'attribute_not_exists(lastSequence)']) expect(code).toContain(text);
    expect(code).toMatch(/require\("@aws-sdk\/lib-dynamodb"\)/);
  });

  test.each([
    ['an empty consumer', { consumer: '' }, 'consumer must match'],
    ['a consumer with a space', { consumer: 'order projector' }, 'consumer must match'],
    ['parallelizationFactor 11', { parallelizationFactor: 11 }, 'parallelizationFactor must be an integer between 1 and 10, got 11'],
    ['batchSize 0', { batchSize: 0 }, 'batchSize must be an integer between 1 and 10000, got 0'],
    ['retryAttempts -1', { retryAttempts: -1 }, 'retryAttempts must be an integer between 0 and 10000, got -1'],
    ['maxRecordAge 30 s', { maxRecordAge: Duration.seconds(30) }, 'maxRecordAge must be between 1 minute and 7 days, got 30 seconds'],
    [
      'AT_TIMESTAMP without a timestamp',
      { startingPosition: lambda.StartingPosition.AT_TIMESTAMP },
      'startingPositionTimestamp is required with StartingPosition.AT_TIMESTAMP',
    ],
    ['a timestamp with LATEST', { startingPosition: lambda.StartingPosition.LATEST, startingPositionTimestamp: 1 }, 'allowed only with it'],
  ])('rejects %s', (_name, extra, message) => {
    expect(() => build(extra as Partial<OrderedWorkerFunctionProps>, 'Rejected')).toThrow(message);
  });
});
