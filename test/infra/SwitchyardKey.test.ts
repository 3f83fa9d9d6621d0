import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SwitchyardKey } from '../../lib/SwitchyardKey';
import { testStack } from './helpers';

describe('SwitchyardKey', () => {
  test('defaults to a rotating, retained key with a 30-day pending window and no alias', () => {
    const stack = testStack();
    new SwitchyardKey(stack, 'Key');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 30, Description: 'Switchyard data key' },
      DeletionPolicy: 'Retain',
    });
    template.resourceCountIs('AWS::KMS::Alias', 0);
  });

  test('takes alias, description, removal policy and pending window from props', () => {
    const stack = testStack();
    new SwitchyardKey(stack, 'Key', {
      alias: 'alias/switchyard-dev',
      description: 'dev key',
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, PendingWindowInDays: 7, Description: 'dev key' },
      DeletionPolicy: 'Delete',
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/switchyard-dev' });
  });

  test.each([6, 31])('rejects a pendingWindow of %p days', (days) => {
    expect(() => new SwitchyardKey(testStack(), 'Key', { pendingWindow: Duration.days(days) })).toThrow(
      `Test/Key: pendingWindow must be between 7 days and 30 days, got ${days} days`,
    );
  });

  test('rejects an empty alias', () => {
    expect(() => new SwitchyardKey(testStack(), 'Key', { alias: '' })).toThrow('Test/Key: alias must not be empty, got ""');
  });

  test('allowCloudWatchLogs lets the regional logs service use the key for log groups of this account only, once', () => {
    const stack = testStack();
    const key = new SwitchyardKey(stack, 'Key');
    key.allowCloudWatchLogs();
    key.allowCloudWatchLogs();
    const statements = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(key.key.node.defaultChild as never)]
      .Properties.KeyPolicy.Statement as Array<Record<string, unknown>>;
    const logs = statements.filter((s) => JSON.stringify(s.Principal).includes('logs.'));
    expect(logs).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'logs.ap-southeast-2.amazonaws.com' },
        Condition: {
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:ap-southeast-2:123456789012:log-group:*' },
        },
      }),
    ]);
    expect(logs[0].Action).toEqual(expect.arrayContaining(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']));
  });
});
