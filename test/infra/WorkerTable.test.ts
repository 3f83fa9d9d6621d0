import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KEY_ENCRYPT_DECRYPT_ACTIONS, TABLE_READ_WRITE_ACTIONS } from '../../lib/perms';
import { WorkerTable } from '../../lib/WorkerTable';
import { WORKER_TABLE_SCHEMA } from '../../src/store/tableSchemas';
import { allowedPairs, grantee, nagFindings, pairs, testStack } from './helpers';

describe('WorkerTable', () => {
  test('uses the shared key schema: pk + sk, no index', () => {
    const stack = testStack();
    new WorkerTable(stack, 'Workers');
    expect(WORKER_TABLE_SCHEMA).toMatchObject({ partitionKey: 'pk', sortKey: 'sk', indexes: {} });
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: Match.absent(),
    });
  });

  test('defaults to on-demand, SSE-KMS with a new rotating key, PITR, RETAIN with deletion protection', () => {
    const stack = testStack();
    new WorkerTable(stack, 'Workers');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('DESTROY turns deletion protection off; a given key and name are used as they are', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Given', { enableKeyRotation: true });
    new WorkerTable(stack, 'Workers', { encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY, tableName: 'workers' });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: { TableName: 'workers', DeletionProtectionEnabled: false, SSESpecification: { KMSMasterKeyId: stack.resolve(key.keyArn) } },
      DeletionPolicy: 'Delete',
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('rejects an empty tableName', () => {
    expect(() => new WorkerTable(testStack(), 'Workers', { tableName: ' ' })).toThrow(
      'Test/Workers: tableName must not be empty, got " "',
    );
  });

  test('grantWorker allows item reads, writes and queries on the table (no Scan), and the key actions', () => {
    const stack = testStack();
    const workers = new WorkerTable(stack, 'Workers');
    const role = grantee(stack);
    workers.grantWorker(role);
    const allowed = allowedPairs(Template.fromStack(stack), stack, role);
    expect(allowed).toEqual(
      new Set([
        ...pairs(stack, TABLE_READ_WRITE_ACTIONS, [workers.table.tableArn]),
        ...pairs(stack, KEY_ENCRYPT_DECRYPT_ACTIONS, [workers.encryptionKey.keyArn]),
      ]),
    );
    expect([...allowed].some((p) => p.startsWith('dynamodb:Scan'))).toBe(false);
  });

  test('exposes the table name', () => {
    const stack = testStack();
    const workers = new WorkerTable(stack, 'Workers');
    expect(stack.resolve(workers.tableName)).toEqual(stack.resolve(workers.table.tableName));
  });

  test('leaves no unacknowledged cdk-nag finding', () => {
    const stack = testStack();
    new WorkerTable(stack, 'Subject').grantWorker(grantee(stack));
    Template.fromStack(stack);
    expect(nagFindings(stack)).toEqual([]);
  });
});
