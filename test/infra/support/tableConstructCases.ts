import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { KEY_ENCRYPT_DECRYPT_ACTIONS, TABLE_READ_WRITE_ACTIONS } from '../../../lib/perms';
import type { SwitchyardTable, SwitchyardTableProps } from '../../../lib/SwitchyardTable';
import type { TableSchema } from '../../../src/store/tableSchemas';
import { allowedPairs, grantee, nagFindings, pairs, testStack } from '../helpers';

/** One of the bus's table constructs (`EventStore`, `DeliveryLedgerTable`, ...). */
export type TableClass<T extends SwitchyardTable> = new (scope: Construct, id: string, props?: SwitchyardTableProps) => T;

/** The keys, indexes and TTL attribute a table is expected to have, written out as literals. */
export interface ExpectedKeys extends TableSchema {
  readonly timeToLiveAttribute?: string;
}

/** What the common cases need to know about a table construct beyond its class. */
export interface TableConstructCase<T extends SwitchyardTable> {
  /** Its key schema, string keys only, each index projecting what it says (all attributes unless `KEYS_ONLY`). */
  readonly keys: ExpectedKeys;
  /** Every grant the construct offers, so the cdk-nag case sees the policies they write. */
  readonly grantAll: (subject: T, grantee: iam.IGrantable) => void;
  /**
   * Whether a retained table refuses DeleteTable unless told otherwise (the table takes a
   * `deletionProtection` prop); `false` for tables that leave deletion protection unset.
   */
  readonly protectsWhenRetained: boolean;
}

function build<T extends SwitchyardTable>(tableClass: TableClass<T>, props?: SwitchyardTableProps): { stack: Stack; subject: T } {
  const stack = testStack();
  return { stack, subject: new tableClass(stack, 'Subject', props) };
}

function keySchema(partitionKey: string, sortKey?: string): object[] {
  return [{ AttributeName: partitionKey, KeyType: 'HASH' }, ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' }] : [])];
}

/** The `AWS::DynamoDB::Table` properties that `keys` stands for. */
function keyProperties(keys: ExpectedKeys): Record<string, unknown> {
  const indexes = Object.entries(keys.indexes);
  const attributes = [keys.partitionKey, keys.sortKey, ...indexes.flatMap(([, index]) => [index.partitionKey, index.sortKey])];
  return {
    KeySchema: keySchema(keys.partitionKey, keys.sortKey),
    AttributeDefinitions: [...new Set(attributes.filter((name) => name !== undefined))].map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    GlobalSecondaryIndexes:
      indexes.length === 0
        ? Match.absent()
        : indexes.map(([IndexName, index]) => ({
            IndexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: index.projection ?? 'ALL' },
          })),
    TimeToLiveSpecification: keys.timeToLiveAttribute ? { AttributeName: keys.timeToLiveAttribute, Enabled: true } : Match.absent(),
  };
}

/**
 * Builds the table in a fresh stack, lets `grant` grant to a new role, and returns every (action,
 * resource) the role is then allowed (see `allowedPairs`).
 */
export function allowedAfterGrant<T extends SwitchyardTable>(
  tableClass: TableClass<T>,
  grant: (subject: T, grantee: iam.IGrantable) => unknown,
): { stack: Stack; subject: T; allowed: Set<string> } {
  const { stack, subject } = build(tableClass);
  const role = grantee(stack);
  grant(subject, role);
  return { stack, subject, allowed: allowedPairs(Template.fromStack(stack), stack, role) };
}

/** What keeping items allows: `TABLE_READ_WRITE_ACTIONS` (no Scan) on the table alone, and encrypt/decrypt on its key. */
export function itemReadWritePairs(stack: Stack, subject: SwitchyardTable): string[] {
  return [
    ...pairs(stack, TABLE_READ_WRITE_ACTIONS, [subject.table.tableArn]),
    ...pairs(stack, KEY_ENCRYPT_DECRYPT_ACTIONS, [subject.encryptionKey.keyArn]),
  ];
}

/**
 * The cases every table of the bus must pass, whatever it holds: its key schema, on-demand, SSE-KMS with a new rotating
 * key or the given one, point-in-time recovery, retained (with deletion protection where it applies),
 * the given name, no empty name, and no unacknowledged cdk-nag finding. Each test file adds its
 * table's grants.
 */
export function describeEncryptedTable<T extends SwitchyardTable>(tableClass: TableClass<T>, spec: TableConstructCase<T>): void {
  const deletionProtection = (retained: boolean): unknown => (spec.protectsWhenRetained ? retained : Match.absent());

  describe('as an encrypted Switchyard table', () => {
    test('has its key schema (string keys), its indexes projecting what the schema says, and its TTL attribute if any', () => {
      Template.fromStack(build(tableClass).stack).hasResourceProperties('AWS::DynamoDB::Table', keyProperties(spec.keys));
    });

    test('defaults to on-demand, SSE-KMS with a new rotating key, PITR, RETAIN', () => {
      const template = Template.fromStack(build(tableClass).stack);
      template.hasResource('AWS::DynamoDB::Table', {
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: deletionProtection(true),
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      template.resourceCountIs('AWS::KMS::Key', 1);
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    test('DESTROY is taken as given (no deletion protection); a given key and name are used as they are', () => {
      const stack = testStack();
      const key = new kms.Key(stack, 'Given', { enableKeyRotation: true });
      new tableClass(stack, 'Subject', { encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY, tableName: 'named' });
      const template = Template.fromStack(stack);
      template.hasResource('AWS::DynamoDB::Table', {
        Properties: {
          TableName: 'named',
          DeletionProtectionEnabled: deletionProtection(false),
          SSESpecification: { KMSMasterKeyId: stack.resolve(key.keyArn) },
        },
        DeletionPolicy: 'Delete',
        UpdateReplacePolicy: 'Delete',
      });
      template.resourceCountIs('AWS::KMS::Key', 1);
    });

    test('pointInTimeRecovery can be turned off on purpose', () => {
      Template.fromStack(build(tableClass, { pointInTimeRecovery: false }).stack).hasResourceProperties('AWS::DynamoDB::Table', {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
      });
    });

    if (spec.protectsWhenRetained) {
      test('deletion protection can be turned off on a retained table', () => {
        Template.fromStack(build(tableClass, { deletionProtection: false }).stack).hasResource('AWS::DynamoDB::Table', {
          Properties: { DeletionProtectionEnabled: false },
          DeletionPolicy: 'Retain',
        });
      });
    }

    test.each(['', ' '])('rejects the tableName %j', (tableName) => {
      expect(() => build(tableClass, { tableName })).toThrow(`Test/Subject: tableName must not be empty, got ${JSON.stringify(tableName)}`);
    });

    test('exposes the table name', () => {
      const { stack, subject } = build(tableClass);
      expect(stack.resolve(subject.tableName)).toEqual(stack.resolve(subject.table.tableName));
    });

    test('leaves no unacknowledged cdk-nag finding, with every grant made', () => {
      const { stack, subject } = build(tableClass);
      spec.grantAll(subject, grantee(stack));
      Template.fromStack(stack);
      expect(nagFindings(stack)).toEqual([]);
    });
  });
}
