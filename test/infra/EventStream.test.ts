import { Lazy, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EventStream } from '../../lib/EventStream';
import { KEY_DECRYPT_ACTIONS, STREAM_CONSUME_ACTIONS, STREAM_PUBLISH_ACTIONS } from '../../lib/perms';
import { allowedPairs, grantee, nagFindings, pairs, testStack } from './helpers';

describe('EventStream', () => {
  test('defaults to one shard, 24 h retention, KMS with a new rotating key, RETAIN', () => {
    const stack = testStack();
    new EventStream(stack, 'Stream');
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Kinesis::Stream', {
      Properties: {
        ShardCount: 1,
        RetentionPeriodHours: 24,
        StreamModeDetails: { StreamMode: 'PROVISIONED' },
        StreamEncryption: { EncryptionType: 'KMS', KeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('takes shard count, retention, name, key and removal policy from props', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Given', { enableKeyRotation: true });
    new EventStream(stack, 'Stream', {
      streamName: 'bus',
      shardCount: 4,
      retentionHours: 168,
      encryptionKey: key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Kinesis::Stream', {
      Properties: {
        Name: 'bus',
        ShardCount: 4,
        RetentionPeriodHours: 168,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: stack.resolve(key.keyArn) },
      },
      DeletionPolicy: 'Delete',
    });
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  test.each([0, 501, 1.5, -1])('rejects shardCount %p', (shardCount) => {
    const stack = testStack();
    expect(() => new EventStream(stack, 'Stream', { shardCount })).toThrow(
      `Test/Stream: shardCount must be an integer between 1 and 500, got ${shardCount}`,
    );
  });

  test.each([23, 8761, 24.5])('rejects retentionHours %p', (retentionHours) => {
    const stack = testStack();
    expect(() => new EventStream(stack, 'Stream', { retentionHours })).toThrow(
      `Test/Stream: retentionHours must be an integer between 24 and 8760 hours, got ${retentionHours}`,
    );
  });

  test('rejects an empty streamName', () => {
    expect(() => new EventStream(testStack(), 'Stream', { streamName: ' ' })).toThrow(
      'Test/Stream: streamName must not be empty, got " "',
    );
  });

  test('does not check values that are unresolved tokens', () => {
    const stack = testStack();
    const shardCount = Lazy.number({ produce: () => 3 });
    expect(() => new EventStream(stack, 'Stream', { shardCount })).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: 3 });
  });

  test('grantPublish allows putting records and GenerateDataKey, nothing else', () => {
    const stack = testStack();
    const stream = new EventStream(stack, 'Stream');
    const role = grantee(stack);
    stream.grantPublish(role);
    const allowed = allowedPairs(Template.fromStack(stack), stack, role);
    expect(allowed).toEqual(
      new Set([
        ...pairs(stack, STREAM_PUBLISH_ACTIONS, [stream.streamArn]),
        ...pairs(stack, ['kms:GenerateDataKey'], [stream.encryptionKey.keyArn]),
      ]),
    );
  });

  test('grantConsume allows reading the stream and Decrypt, nothing else', () => {
    const stack = testStack();
    const stream = new EventStream(stack, 'Stream');
    const role = grantee(stack);
    stream.grantConsume(role);
    const allowed = allowedPairs(Template.fromStack(stack), stack, role);
    expect(allowed).toEqual(
      new Set([
        ...pairs(stack, STREAM_CONSUME_ACTIONS, [stream.streamArn]),
        ...pairs(stack, KEY_DECRYPT_ACTIONS, [stream.encryptionKey.keyArn]),
      ]),
    );
  });

  test('exposes the stream name and ARN', () => {
    const stack = testStack();
    const stream = new EventStream(stack, 'Stream');
    expect(stack.resolve(stream.streamName)).toEqual(stack.resolve(stream.stream.streamName));
    expect(stack.resolve(stream.streamArn)).toEqual(stack.resolve(stream.stream.streamArn));
  });

  test('leaves no unacknowledged cdk-nag finding', () => {
    const stack = testStack();
    new EventStream(stack, 'Subject');
    Template.fromStack(stack);
    expect(nagFindings(stack)).toEqual([]);
  });
});
