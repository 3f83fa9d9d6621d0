import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { IdempotencyTable } from '../../lib/IdempotencyTable';
import { KEY_ENCRYPT_DECRYPT_ACTIONS, TABLE_READ_WRITE_ACTIONS } from '../../lib/perms';
import { IDEMPOTENCY_TABLE_SCHEMA } from '../../src/store/tableSchemas';
import { allowedPairs, grantee, nagFindings, pairs, testStack } from './helpers';

describe('IdempotencyTable', () => {
  test('uses the shared key schema and expires records through expiresAt', () => {
    const stack = testStack();
    new IdempotencyTable(stack, 'Idem');
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: Match.absent(),
    });
  });

  test('defaults to on-demand, SSE-KMS with a new rotating key, PITR, RETAIN', () => {
    const stack = testStack();
    new IdempotencyTable(stack, 'Idem');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('takes the removal policy and name from props', () => {
    const stack = testStack();
    new IdempotencyTable(stack, 'Idem', { removalPolicy: RemovalPolicy.DESTROY, tableName: 'idem' });
    Template.fromStack(stack).hasResource('AWS::DynamoDB::Table', {
      Properties: { TableName: 'idem' },
      DeletionPolicy: 'Delete',
    });
  });

  test('rejects an empty tableName', () => {
    expect(() => new IdempotencyTable(testStack(), 'Idem', { tableName: '' })).toThrow(
      'Test/Idem: tableName must not be empty, got ""',
    );
  });

  test('grantReadWrite allows item reads and writes (no Scan) on the table, and the key actions', () => {
    const stack = testStack();
    const idem = new IdempotencyTable(stack, 'Idem');
    const role = grantee(stack);
    idem.grantReadWrite(role);
    const allowed = allowedPairs(Template.fromStack(stack), stack, role);
    expect(allowed).toEqual(
      new Set([
        ...pairs(stack, TABLE_READ_WRITE_ACTIONS, [idem.table.tableArn]),
        ...pairs(stack, KEY_ENCRYPT_DECRYPT_ACTIONS, [idem.encryptionKey.keyArn]),
      ]),
    );
    expect([...allowed].some((p) => p.startsWith('dynamodb:Scan'))).toBe(false);
  });

  test('leaves no unacknowledged cdk-nag finding', () => {
    const stack = testStack();
    new IdempotencyTable(stack, 'Subject');
    Template.fromStack(stack);
    expect(nagFindings(stack)).toEqual([]);
  });
});
