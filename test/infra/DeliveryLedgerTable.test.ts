import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DeliveryLedgerTable, DUE_INDEX } from '../../lib/DeliveryLedgerTable';
import { KEY_ENCRYPT_DECRYPT_ACTIONS, TABLE_READ_WRITE_ACTIONS } from '../../lib/perms';
import { DELIVERY_TABLE_SCHEMA } from '../../src/store/tableSchemas';
import { allowedPairs, grantee, nagFindings, pair, pairs, testStack } from './helpers';

describe('DeliveryLedgerTable', () => {
  test('uses the shared key schema: pk + sk, and the sparse due index on dueBucket + dueAt projecting all', () => {
    const stack = testStack();
    new DeliveryLedgerTable(stack, 'Ledger');
    const index = DELIVERY_TABLE_SCHEMA.indexes[DUE_INDEX];
    expect(index).toEqual({ partitionKey: 'dueBucket', sortKey: 'dueAt' });
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'dueBucket', AttributeType: 'S' },
        { AttributeName: 'dueAt', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'due',
          KeySchema: [
            { AttributeName: 'dueBucket', KeyType: 'HASH' },
            { AttributeName: 'dueAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      TimeToLiveSpecification: Match.absent(),
    });
  });

  test('defaults to on-demand, SSE-KMS with a new rotating key, PITR, RETAIN with deletion protection', () => {
    const stack = testStack();
    new DeliveryLedgerTable(stack, 'Ledger');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('DESTROY turns deletion protection off; a given key and name are used as they are', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Given', { enableKeyRotation: true });
    new DeliveryLedgerTable(stack, 'Ledger', { encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY, tableName: 'ledger' });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        TableName: 'ledger',
        DeletionProtectionEnabled: false,
        SSESpecification: { KMSMasterKeyId: stack.resolve(key.keyArn) },
      },
      DeletionPolicy: 'Delete',
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('PITR and deletion protection can be set explicitly', () => {
    const stack = testStack();
    new DeliveryLedgerTable(stack, 'Ledger', { pointInTimeRecovery: false, deletionProtection: false });
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
      DeletionProtectionEnabled: false,
    });
  });

  test('rejects an empty tableName', () => {
    expect(() => new DeliveryLedgerTable(testStack(), 'Ledger', { tableName: '' })).toThrow(
      'Test/Ledger: tableName must not be empty, got ""',
    );
  });

  test('grantReadWrite allows item reads, writes and queries on the table, Query on the due index, the key actions — no Scan', () => {
    const stack = testStack();
    const ledger = new DeliveryLedgerTable(stack, 'Ledger');
    const role = grantee(stack);
    ledger.grantReadWrite(role);
    const allowed = allowedPairs(Template.fromStack(stack), stack, role);
    const table = ledger.table.tableArn;
    expect(allowed).toEqual(
      new Set([
        ...pairs(stack, TABLE_READ_WRITE_ACTIONS, [table]),
        pair(stack, 'dynamodb:Query', `${table}/index/due`),
        ...pairs(stack, KEY_ENCRYPT_DECRYPT_ACTIONS, [ledger.encryptionKey.keyArn]),
      ]),
    );
    expect([...allowed].some((p) => p.startsWith('dynamodb:Scan'))).toBe(false);
    expect([...allowed].filter((p) => p.includes('/index/'))).toEqual([pair(stack, 'dynamodb:Query', `${table}/index/due`)]);
  });

  test('exposes the table name', () => {
    const stack = testStack();
    const ledger = new DeliveryLedgerTable(stack, 'Ledger');
    expect(stack.resolve(ledger.tableName)).toEqual(stack.resolve(ledger.table.tableName));
  });

  test('leaves no unacknowledged cdk-nag finding', () => {
    const stack = testStack();
    const ledger = new DeliveryLedgerTable(stack, 'Subject');
    ledger.grantReadWrite(grantee(stack));
    Template.fromStack(stack);
    expect(nagFindings(stack)).toEqual([]);
  });
});
