import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type App, Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Stack } from 'aws-cdk-lib';
import { SwitchyardFunction, type SwitchyardFunctionProps } from '../../lib/SwitchyardFunction';
import { allowedPairs, nagFindings, pair, testStack } from './helpers';

const ENTRY = 'test/infra/fixtures/handler.ts';

describe('SwitchyardFunction', () => {
  // One bundled function for the default tests: esbuild really runs, once.
  let stack: Stack;
  let fn: SwitchyardFunction;
  let template: Template;
  beforeAll(() => {
    stack = testStack();
    fn = new SwitchyardFunction(stack, 'Fn', { entry: ENTRY, serviceName: 'switchyard-test', environment: { EXTRA_SETTING: '1' } });
    template = Template.fromStack(stack);
  });

  test('runs Node.js 22 on arm64 with X-Ray tracing, 512 MiB and 30 s by default', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 30,
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  test('sets the Powertools service name, log level and source maps next to the given environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          EXTRA_SETTING: '1',
          POWERTOOLS_SERVICE_NAME: 'switchyard-test',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
  });

  test('logs to its own KMS-encrypted log group kept a month, retained', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30, KmsKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: stack.resolve(fn.logGroup.logGroupName) },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('starts with a role that has no managed policy and may only write its logs and traces', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      },
      ManagedPolicyArns: Match.absent(),
    });
    expect(allowedPairs(template, stack, fn.role)).toEqual(
      new Set([
        pair(stack, 'logs:CreateLogStream', fn.logGroup.logGroupArn),
        pair(stack, 'logs:PutLogEvents', fn.logGroup.logGroupArn),
        pair(stack, 'xray:PutTraceSegments', '*'),
        pair(stack, 'xray:PutTelemetryRecords', '*'),
      ]),
    );
  });

  test('leaves no unacknowledged cdk-nag finding (L1 and the X-Ray Resource "*" acknowledged)', () => {
    expect(nagFindings(fn)).toEqual([]);
  });

  test('is the grantee of grants made to it', () => {
    expect(fn.grantPrincipal).toBe(fn.function.grantPrincipal);
    expect((fn.grantPrincipal as iam.Role).roleArn).toBe(fn.role.roleArn);
  });

  test('bundles the entry with esbuild into minified CommonJS with a source map', () => {
    const resource = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    const assetHash = String(resource.Properties.Code.S3Key).replace(/\.zip$/, '');
    const assetDir = path.join((stack.node.root as App).synth().directory, `asset.${assetHash}`);
    const code = readFileSync(path.join(assetDir, 'index.js'), 'utf8');
    expect(code).toContain('module.exports=');
    expect(code.trimEnd().split('\n').length).toBeLessThanOrEqual(3);
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.js.map')).toBe(true);
    expect(existsSync(path.join(assetDir, 'index.js.map'))).toBe(true);
  });

  describe('with props (unbundled)', () => {
    const props: SwitchyardFunctionProps = { entry: ENTRY, serviceName: 'switchyard-test' };
    function unbundled(extra: Partial<SwitchyardFunctionProps>) {
      const s = testStack(undefined, 'Unbundled');
      s.node.setContext('aws:cdk:bundling-stacks', []);
      const f = new SwitchyardFunction(s, 'Fn', { ...props, ...extra });
      return { s, f, t: Template.fromStack(s) };
    }

    test('takes memory, timeout, reserved concurrency, log level and log retention', () => {
      const { t } = unbundled({
        memorySize: 1024,
        timeout: Duration.seconds(60),
        reservedConcurrentExecutions: 5,
        logLevel: 'DEBUG',
        logRetention: logs.RetentionDays.ONE_WEEK,
      });
      t.hasResourceProperties('AWS::Lambda::Function', {
        MemorySize: 1024,
        Timeout: 60,
        ReservedConcurrentExecutions: 5,
        Environment: { Variables: Match.objectLike({ POWERTOOLS_LOG_LEVEL: 'DEBUG' }) },
      });
      t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    });
  });

  test.each([
    ['memorySize 64', { memorySize: 64 }, 'memorySize must be an integer between 128 and 10240 MiB, got 64'],
    ['memorySize 10241', { memorySize: 10241 }, 'memorySize must be an integer between 128 and 10240 MiB, got 10241'],
    ['timeout 16 min', { timeout: Duration.minutes(16) }, 'timeout must be between 1 second and 15 minutes, got 16 minutes'],
    ['timeout 500 ms', { timeout: Duration.millis(500) }, 'timeout must be between 1 second and 15 minutes, got 500 millis'],
    ['reservedConcurrentExecutions 0', { reservedConcurrentExecutions: 0 }, 'reservedConcurrentExecutions must be an integer between 1 and 10000, got 0'],
    ['an empty serviceName', { serviceName: '' }, 'serviceName must not be empty, got ""'],
    ['an empty entry', { entry: '' }, 'entry must not be empty, got ""'],
  ] as Array<[string, Partial<SwitchyardFunctionProps>, string]>)('rejects %s', (_name, bad, message) => {
    const s = testStack(undefined, 'Bad');
    expect(() => new SwitchyardFunction(s, 'Fn', { entry: ENTRY, serviceName: 'x', ...bad })).toThrow(`Bad/Fn: ${message}`);
  });
});
