import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ConfigBucket, SUBSCRIPTIONS_KEY } from '../../lib/ConfigBucket';
import { BUCKET_READ_OBJECT_ACTIONS, KEY_DECRYPT_ACTIONS } from '../../lib/perms';
import { allowedPairs, grantee, nagFindings, pairs, testStack } from './helpers';

describe('ConfigBucket', () => {
  function synth(props = {}) {
    const stack = testStack();
    const config = new ConfigBucket(stack, 'Config', props);
    return { stack, config, template: Template.fromStack(stack) };
  }

  test('encrypts with a customer-managed key (bucket key on) by default', () => {
    const { stack, config, template } = synth();
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: stack.resolve(config.encryptionKey.keyArn) },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('is versioned, blocks all public access and is retained by default', () => {
    const { stack, config, template } = synth();
    const id = stack.getLogicalId(config.bucket.node.defaultChild as s3.CfnBucket);
    expect(template.toJSON().Resources[id]).toMatchObject({
      Properties: {
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('denies requests without TLS or below TLS 1.2', () => {
    const { stack, config, template } = synth();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: stack.resolve(config.bucket.bucketName),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  test('logs server access to a private, TLS-only, SSE-S3 logs bucket that expires logs after 90 days', () => {
    const { stack, config, template } = synth();
    const logsBucket = config.accessLogsBucket as s3.Bucket;
    const logsId = stack.getLogicalId(logsBucket.node.defaultChild as s3.CfnBucket);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId }, LogFilePrefix: 'config/' },
    });
    expect(template.toJSON().Resources[logsId].Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 90, Status: 'Enabled' }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' }),
        ]),
      },
    });
  });

  test('uses a given access-logs bucket instead of creating one', () => {
    const stack = testStack();
    const logs = new s3.Bucket(stack, 'Logs', { enforceSSL: true });
    new ConfigBucket(stack, 'Config', { accessLogsBucket: logs });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: stack.resolve(logs.bucketName) },
    });
  });

  test('DESTROY with autoDeleteObjects empties and deletes both buckets', () => {
    const { template } = synth({ removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
    expect(Object.values(template.findResources('AWS::S3::Bucket')).map((b) => b.DeletionPolicy)).toEqual(['Delete', 'Delete']);
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });

  test('rejects autoDeleteObjects without DESTROY', () => {
    expect(() => new ConfigBucket(testStack(), 'Config', { autoDeleteObjects: true })).toThrow(
      'Test/Config: autoDeleteObjects requires removalPolicy DESTROY, got removalPolicy retain',
    );
  });

  test.each([0, 3651, 2.5])('rejects accessLogsRetentionDays %p', (days) => {
    expect(() => new ConfigBucket(testStack(), 'Config', { accessLogsRetentionDays: days })).toThrow(
      `Test/Config: accessLogsRetentionDays must be an integer between 1 and 3650 days, got ${days}`,
    );
  });

  test('rejects an empty bucketName', () => {
    expect(() => new ConfigBucket(testStack(), 'Config', { bucketName: '' })).toThrow(
      'Test/Config: bucketName must not be empty, got ""',
    );
  });

  test('grantRead allows reading subscriptions.json (any version) and Decrypt, nothing else', () => {
    const stack = testStack();
    const config = new ConfigBucket(stack, 'Config');
    const role = grantee(stack);
    config.grantRead(role);
    expect(allowedPairs(Template.fromStack(stack), stack, role)).toEqual(
      new Set([
        ...pairs(stack, BUCKET_READ_OBJECT_ACTIONS, [config.bucket.arnForObjects(SUBSCRIPTIONS_KEY)]),
        ...pairs(stack, KEY_DECRYPT_ACTIONS, [config.encryptionKey.keyArn]),
      ]),
    );
  });

  test('passes cdk-nag AWS Solutions with nothing acknowledged', () => {
    const { stack } = synth();
    expect(nagFindings(stack)).toEqual([]);
  });

  test('delivers access logs through a bucket policy even without the cdk.json feature flags', () => {
    const stack = new Stack(new App(), 'Bare');
    const config = new ConfigBucket(stack, 'Config');
    const template = Template.fromStack(stack);
    const logsId = stack.getLogicalId((config.accessLogsBucket as s3.Bucket).node.defaultChild as s3.CfnBucket);
    expect(template.toJSON().Resources[logsId].Properties.AccessControl).toBeUndefined();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' } })]) },
    });
  });
});
