import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CONFIG_WRITE_ACTIONS } from '../../lib/ConfigBucket';
import { resolveStageConfig, type StageConfig } from '../../lib/resolveStageConfig';
import { SwitchyardStage } from '../../lib/SwitchyardStage';
import { ENV } from '../../src/wiring/environment';
import { cdkJsonContext, nagFindings, testApp } from './helpers';

/**
 * Security of a stage (issue 11 items 6 and 8): one customer-managed key for everything stored, a key policy that
 * lets only CloudWatch Logs and CloudWatch alarms of this account use it beside IAM, IAM wildcards only where AWS
 * has no resource, the config bucket writable only by the stage's `configWriters`, and the target host allow-list
 * handed to the delivery functions. The code is not bundled here (SwitchyardStage.test.ts bundles it).
 */
const ENV_OF_STACK = { account: '123456789012', region: 'ap-southeast-2' };
const BASE: StageConfig = { shardCount: 1, retentionHours: 24 };
const DEPLOY_ROLE = 'arn:aws:iam::123456789012:role/switchyard-prod-deploy';

function synth(config: StageConfig, stage = 'sec') {
  const stack = new SwitchyardStage(testApp({ bundle: false }), `Switchyard-${stage}`, { stage, config, env: ENV_OF_STACK });
  return { stack, template: Template.fromStack(stack) };
}

function resourcesOf(template: Template, type: string): Array<[string, { Properties: Record<string, any> }]> {
  return Object.entries(template.findResources(type)) as Array<[string, { Properties: Record<string, any> }]>;
}

function environmentOf(template: Template, stack: SwitchyardStage, fn: { function: { node: { defaultChild?: unknown } } }): Record<string, string> {
  const id = stack.getLogicalId(fn.function.node.defaultChild as never);
  return template.toJSON().Resources[id].Properties.Environment.Variables;
}

describe('stage security', () => {
  const prodConfig = (): StageConfig => ({
    ...resolveStageConfig(cdkJsonContext().stages, 'prod'),
    configWriters: [DEPLOY_ROLE],
    allowedTargetHosts: ['*.example.com', 'hooks.partner.io'],
  });
  let prod: ReturnType<typeof synth>;
  beforeAll(() => {
    prod = synth(prodConfig(), 'prod');
  });
  const stageKey = () => prod.stack.resolve(prod.stack.key.key.keyArn);

  describe('one customer-managed key', () => {
    test('is the only KMS key, rotating yearly', () => {
      const keys = resourcesOf(prod.template, 'AWS::KMS::Key');
      expect(keys).toHaveLength(1);
      expect(keys[0][1].Properties).toMatchObject({ EnableKeyRotation: true });
    });

    test('encrypts every stream, table, secret, log group, queue and topic of the stage', () => {
      const { template } = prod;
      const key = stageKey();
      const checked: Array<[string, string, unknown]> = [];
      const expectKey = (type: string, keyOf: (properties: Record<string, any>) => unknown) => {
        for (const [id, resource] of resourcesOf(template, type)) checked.push([type, id, keyOf(resource.Properties)]);
      };
      expectKey('AWS::Kinesis::Stream', (p) => p.StreamEncryption?.KeyId);
      expectKey('AWS::DynamoDB::Table', (p) => p.SSESpecification?.KMSMasterKeyId);
      expectKey('AWS::SecretsManager::Secret', (p) => p.KmsKeyId);
      expectKey('AWS::Logs::LogGroup', (p) => p.KmsKeyId);
      expectKey('AWS::SQS::Queue', (p) => p.KmsMasterKeyId);
      expectKey('AWS::SNS::Topic', (p) => p.KmsMasterKeyId);
      expect(checked.length).toBeGreaterThanOrEqual(1 + 4 + 1 + 3);
      for (const [type, id, used] of checked) expect({ type, id, key: used }).toEqual({ type, id, key: key });
    });

    test('encrypts the config bucket with it; the access-log bucket is SSE-S3, as S3 server access logging requires', () => {
      const buckets = resourcesOf(prod.template, 'AWS::S3::Bucket');
      const configId = prod.stack.getLogicalId(prod.stack.configBucket.bucket.node.defaultChild as never);
      for (const [id, bucket] of buckets) {
        const sse = bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
        if (id === configId) expect(sse).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: stageKey() });
        else expect({ id, sse }).toEqual({ id, sse: { SSEAlgorithm: 'AES256' } });
      }
      expect(buckets).toHaveLength(2);
    });

    test('its policy lets CloudWatch Logs use it only for log groups of this account and region', () => {
      prod.template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'AllowCloudWatchLogsOfThisAccount',
              Principal: { Service: 'logs.ap-southeast-2.amazonaws.com' },
              Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': 'arn:aws:logs:ap-southeast-2:123456789012:log-group:*' } },
            }),
          ]),
        },
      });
    });

    test("its policy lets CloudWatch alarms publish to the stage's encrypted SNS topics, only on behalf of this account's alarms", () => {
      prod.template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            {
              Sid: 'AllowCloudWatchAlarmsOfThisAccount',
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Resource: '*',
              Condition: {
                StringEquals: { 'aws:SourceAccount': '123456789012' },
                ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:ap-southeast-2:123456789012:alarm:*' },
              },
            },
          ]),
        },
      });
    });

    test('no other service principal is in its policy', () => {
      const [[, key]] = resourcesOf(prod.template, 'AWS::KMS::Key');
      const services = (key.Properties.KeyPolicy.Statement as Array<{ Principal?: { Service?: string } }>).flatMap((s) => (s.Principal?.Service ? [s.Principal.Service] : []));
      expect(services.sort()).toEqual(['cloudwatch.amazonaws.com', 'logs.ap-southeast-2.amazonaws.com']);
    });
  });

  describe('IAM scope', () => {
    test('a wildcard resource appears only for X-Ray (no resource-level permissions) and the stage-named secrets, parameters and functions', () => {
      const wildcards = new Set<string>();
      for (const [, policy] of resourcesOf(prod.template, 'AWS::IAM::Policy')) {
        for (const statement of policy.Properties.PolicyDocument.Statement as Array<{ Effect: string; Action: string | string[]; Resource: unknown }>) {
          if (statement.Effect !== 'Allow') continue;
          for (const resource of ([] as unknown[]).concat(statement.Resource)) {
            const text = JSON.stringify(resource);
            if (!text.includes('*')) continue;
            for (const action of ([] as string[]).concat(statement.Action)) wildcards.add(`${action} ${text}`);
          }
        }
      }
      const allowed = [
        'xray:PutTelemetryRecords "*"',
        'xray:PutTraceSegments "*"',
        'secretsmanager:GetSecretValue "arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:switchyard/prod/*"',
        'ssm:GetParameter "arn:aws:ssm:ap-southeast-2:123456789012:parameter/switchyard/prod/*"',
        'lambda:InvokeFunction "arn:aws:lambda:ap-southeast-2:123456789012:function:switchyard-prod-*"',
      ];
      for (const found of wildcards) expect(allowed).toContain(found);
    });

    test('no role has a managed policy, and no policy allows a whole service (`<service>:*`) or a Scan', () => {
      for (const [, role] of resourcesOf(prod.template, 'AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
      for (const [, policy] of resourcesOf(prod.template, 'AWS::IAM::Policy')) {
        for (const statement of policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>) {
          for (const action of ([] as string[]).concat(statement.Action)) {
            expect(action).not.toMatch(/:\*$/);
            expect(action).not.toBe('dynamodb:Scan');
          }
        }
      }
    });
  });

  describe('who may change routing', () => {
    test('configWriters: the config bucket policy denies object writes and deletes to every other principal', () => {
      prod.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: prod.stack.resolve(prod.stack.configBucket.bucketName),
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'OnlyConfigWritersWrite',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: [...CONFIG_WRITE_ACTIONS].sort(),
              Resource: prod.stack.resolve(prod.stack.configBucket.bucket.arnForObjects('*')),
              Condition: { ArnNotLike: { 'aws:PrincipalArn': [DEPLOY_ROLE] } },
            },
          ]),
        },
      });
    });

    test("configWriters on a destroy stage also spares the auto-delete custom resource's role (it empties the bucket on stack deletion)", () => {
      const { stack, template } = synth({ ...BASE, removalPolicy: 'destroy', configWriters: [DEPLOY_ROLE, 'arn:aws:iam::123456789012:role/ci-*'] });
      const provider = stack.node.findChild('Custom::S3AutoDeleteObjectsCustomResourceProvider') as unknown as { roleArn: string };
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'OnlyConfigWritersWrite',
              Condition: { ArnNotLike: { 'aws:PrincipalArn': [DEPLOY_ROLE, 'arn:aws:iam::123456789012:role/ci-*', stack.resolve(provider.roleArn)] } },
            }),
          ]),
        },
      });
    });

    test('without configWriters there is no such deny: writes are left to IAM', () => {
      const { template } = synth(BASE);
      for (const [, policy] of resourcesOf(template, 'AWS::S3::BucketPolicy')) {
        expect(JSON.stringify(policy.Properties.PolicyDocument)).not.toContain('OnlyConfigWritersWrite');
      }
    });

    test('configWriters must be IAM role or user ARNs, and not empty', () => {
      expect(() => synth({ ...BASE, configWriters: ['switchyard-deploy'] })).toThrow(
        'Switchyard-sec/ConfigBucket: writers[0] must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name>), got "switchyard-deploy"',
      );
      expect(() => synth({ ...BASE, configWriters: [] })).toThrow('Switchyard-sec/ConfigBucket: writers must name at least one IAM role ARN (omit it to leave writes to IAM)');
    });

    test('allowedTargetHosts reaches the router and redeliver as ALLOWED_TARGET_HOSTS, not ingest', () => {
      const { stack, template } = prod;
      expect(environmentOf(template, stack, stack.router)[ENV.allowedTargetHosts]).toBe('*.example.com,hooks.partner.io');
      expect(environmentOf(template, stack, stack.redeliver)[ENV.allowedTargetHosts]).toBe('*.example.com,hooks.partner.io');
      expect(environmentOf(template, stack, stack.ingest)).not.toHaveProperty(ENV.allowedTargetHosts);
      const { stack: open, template: openTemplate } = synth(BASE);
      expect(environmentOf(openTemplate, open, open.router)).not.toHaveProperty(ENV.allowedTargetHosts);
    });

    test('allowedTargetHosts entries must be host names or *.domains, and the list not empty', () => {
      expect(() => synth({ ...BASE, allowedTargetHosts: ['*.example.com', 'https://hooks.partner.io'] })).toThrow(
        'Switchyard-sec: config.allowedTargetHosts[1] must be a host name (hooks.partner.io) or "*." and a domain (*.example.com), got "https://hooks.partner.io"',
      );
      expect(() => synth({ ...BASE, allowedTargetHosts: [] })).toThrow('config.allowedTargetHosts must list at least one host');
    });
  });

  describe('cdk-nag', () => {
    test('the prod stage with every security setting has no unacknowledged AwsSolutions finding', () => {
      expect(nagFindings(prod.stack)).toEqual([]);
    });

    test('a synth warns when an API burst can throttle ingest (a 5xx without Retry-After)', () => {
      const { stack } = synth({ ...BASE, ingestReservedConcurrency: 10, apiThrottle: { rateLimit: 50, burstLimit: 100 } });
      Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('apiThrottle.burstLimit \\(100\\) is above ingestReservedConcurrency \\(10\\)'));
      const { stack: fits } = synth({ ...BASE, ingestReservedConcurrency: 100, apiThrottle: { rateLimit: 50, burstLimit: 100 } });
      Annotations.fromStack(fits).hasNoWarning('*', Match.stringLikeRegexp('burstLimit'));
    });
  });
});
