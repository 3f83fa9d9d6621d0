import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { BY_TYPE_INDEX, EventStore } from '../../lib/EventStore';
import { KEY_DECRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, TABLE_ARCHIVE_ACTIONS, TABLE_READ_ACTIONS } from '../../lib/perms';
import { EVENT_TABLE_SCHEMA } from '../../src/store/tableSchemas';
import { allowedPairs, grantee, nagFindings, pairs, testStack } from './helpers';

describe('EventStore', () => {
  test('uses the shared key schema: pk, and byType on type + timeKey projecting all', () => {
    const stack = testStack();
    new EventStore(stack, 'Store');
    const index = EVENT_TABLE_SCHEMA.indexes[BY_TYPE_INDEX];
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: EVENT_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'type', AttributeType: 'S' },
        { AttributeName: 'timeKey', AttributeType: 'S' },
      ]),
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byType',
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  test('defaults to on-demand, SSE-KMS with a new rotating key, PITR, RETAIN with deletion protection', () => {
    const stack = testStack();
    new EventStore(stack, 'Store');
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
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('DESTROY turns deletion protection off unless asked for; a given key is used as is', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Given', { enableKeyRotation: true });
    new EventStore(stack, 'Store', { encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY, tableName: 'events' });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        TableName: 'events',
        DeletionProtectionEnabled: false,
        SSESpecification: { KMSMasterKeyId: stack.resolve(key.keyArn) },
      },
      DeletionPolicy: 'Delete',
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('pointInTimeRecovery can be turned off on purpose', () => {
    const stack = testStack();
    new EventStore(stack, 'Store', { pointInTimeRecovery: false });
    Template.fromStack(stack).hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
    });
  });

  test('rejects an empty tableName', () => {
    expect(() => new EventStore(testStack(), 'Store', { tableName: '' })).toThrow(
      'Test/Store: tableName must not be empty, got ""',
    );
  });

  test('grantArchive allows conditional single-item writes on the table (not its indexes) and the key actions', () => {
    const stack = testStack();
    const store = new EventStore(stack, 'Store');
    const role = grantee(stack);
    store.grantArchive(role);
    expect(allowedPairs(Template.fromStack(stack), stack, role)).toEqual(
      new Set([
        ...pairs(stack, TABLE_ARCHIVE_ACTIONS, [store.table.tableArn]),
        ...pairs(stack, KEY_ENCRYPT_DECRYPT_ACTIONS, [store.encryptionKey.keyArn]),
      ]),
    );
  });

  test('grantRead allows reads on the table and the byType index by name, and Decrypt', () => {
    const stack = testStack();
    const store = new EventStore(stack, 'Store');
    const role = grantee(stack);
    store.grantRead(role);
    expect(allowedPairs(Template.fromStack(stack), stack, role)).toEqual(
      new Set([
        ...pairs(stack, TABLE_READ_ACTIONS, [store.table.tableArn, `${store.table.tableArn}/index/byType`]),
        ...pairs(stack, KEY_DECRYPT_ACTIONS, [store.encryptionKey.keyArn]),
      ]),
    );
  });

  test('grant gives the listed actions on the table and its indexes, and no key actions', () => {
    const stack = testStack();
    const store = new EventStore(stack, 'Store');
    const role = grantee(stack);
    store.grant(role, 'dynamodb:Query');
    expect(allowedPairs(Template.fromStack(stack), stack, role)).toEqual(
      new Set(pairs(stack, ['dynamodb:Query'], [store.table.tableArn, `${store.table.tableArn}/index/byType`])),
    );
  });

  test('leaves no unacknowledged cdk-nag finding', () => {
    const stack = testStack();
    new EventStore(stack, 'Subject');
    Template.fromStack(stack);
    expect(nagFindings(stack)).toEqual([]);
  });
});
