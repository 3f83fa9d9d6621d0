import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DeliveryTargetAccess } from '../../lib/DeliveryTargetAccess';
import { allowedPairs, grantee, nagFindings, pair, testApp, testStack } from './helpers';

const ACCOUNT_ARN = 'arn:aws:lambda:ap-southeast-2:123456789012:function';

describe('DeliveryTargetAccess', () => {
  describe('by default', () => {
    let stack: Stack;
    let access: DeliveryTargetAccess;
    let role: iam.Role;
    let template: Template;
    beforeAll(() => {
      stack = testStack();
      access = new DeliveryTargetAccess(stack, 'Targets', { stage: 'prod' });
      role = grantee(stack);
      access.grantDeliver(role);
      template = Template.fromStack(stack);
    });

    test('scopes secrets to switchyard/<stage>/, parameters to /switchyard/<stage>/, functions to switchyard-<stage>-*', () => {
      expect(stack.resolve(access.secretArnPattern)).toBe('arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:switchyard/prod/*');
      expect(stack.resolve(access.parameterArnPattern)).toBe('arn:aws:ssm:ap-southeast-2:123456789012:parameter/switchyard/prod/*');
      expect(access.functionArnPatterns.map((a) => stack.resolve(a))).toEqual([`${ACCOUNT_ARN}:switchyard-prod-*`]);
      expect(access.configuredFunctions).toBe(false);
    });

    test('grantDeliver allows GetSecretValue, GetParameter and InvokeFunction on those — and nothing more', () => {
      expect(allowedPairs(template, stack, role)).toEqual(
        new Set([
          pair(stack, 'secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:switchyard/prod/*'),
          pair(stack, 'ssm:GetParameter', 'arn:aws:ssm:ap-southeast-2:123456789012:parameter/switchyard/prod/*'),
          pair(stack, 'lambda:InvokeFunction', `${ACCOUNT_ARN}:switchyard-prod-*`),
        ]),
      );
    });

    test('the three wildcards are acknowledged to cdk-nag on the role, each with a reason', () => {
      expect(nagFindings(stack)).toEqual([]);
      const acknowledged = role.node.metadata
        .filter((m) => m.type === 'aws:cdk:acknowledged-rules')
        .flatMap((m) => Object.entries(m.data as Record<string, string>));
      expect(acknowledged.map(([id]) => id.replace(/^annotation::/i, '')).sort()).toEqual([
        'AwsSolutions-IAM5[Resource::arn:aws:lambda:ap-southeast-2:123456789012:function:switchyard-prod-*]',
        'AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:switchyard/prod/*]',
        'AwsSolutions-IAM5[Resource::arn:aws:ssm:ap-southeast-2:123456789012:parameter/switchyard/prod/*]',
      ]);
      for (const [, reason] of acknowledged) expect(reason.length).toBeGreaterThan(60);
    });
  });

  test('the acknowledgements cover only those resources, on that role only', () => {
    const stack = testStack();
    const access = new DeliveryTargetAccess(stack, 'Targets', { stage: 'prod' });
    const role = grantee(stack);
    access.grantDeliver(role);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:other/*'] }));
    const other = grantee(stack, 'Other');
    other.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [access.parameterArnPattern] }));
    Template.fromStack(stack);
    const findings = nagFindings(stack);
    expect(findings).toHaveLength(2);
    expect(findings.join('\n')).toContain('AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:other/*] at Test/Grantee/DefaultPolicy');
    expect(findings.join('\n')).toContain('AwsSolutions-IAM5[Resource::arn:aws:ssm:ap-southeast-2:123456789012:parameter/switchyard/prod/*] at Test/Other/DefaultPolicy');
  });

  test('in an environment-agnostic stack the patterns use the stack\'s region and account, still acknowledged', () => {
    const stack = new Stack(testApp(), 'Agnostic');
    const access = new DeliveryTargetAccess(stack, 'Targets', { stage: 'dev' });
    access.grantDeliver(grantee(stack));
    const template = Template.fromStack(stack);
    expect(JSON.stringify(stack.resolve(access.secretArnPattern))).toContain('"AWS::Region"');
    expect(JSON.stringify(template.toJSON())).toContain(':function:switchyard-dev-*');
    expect(nagFindings(stack)).toEqual([]);
  });

  test('lambdaTargets replace the default; unqualified ARNs also cover their versions and aliases', () => {
    const stack = testStack();
    const targets = [`${ACCOUNT_ARN}:audit`, `${ACCOUNT_ARN}:billing:live`, 'arn:aws:lambda:us-east-1:210987654321:function:partner-*'];
    const access = new DeliveryTargetAccess(stack, 'Targets', { stage: 'prod', lambdaTargets: targets });
    const role = grantee(stack);
    access.grantDeliver(role);
    const template = Template.fromStack(stack);
    expect(access.configuredFunctions).toBe(true);
    const invoke = [...allowedPairs(template, stack, role)].filter((p) => p.startsWith('lambda:'));
    expect(invoke.sort()).toEqual(
      [
        pair(stack, 'lambda:InvokeFunction', `${ACCOUNT_ARN}:audit`),
        pair(stack, 'lambda:InvokeFunction', `${ACCOUNT_ARN}:audit:*`),
        pair(stack, 'lambda:InvokeFunction', `${ACCOUNT_ARN}:billing:live`),
        pair(stack, 'lambda:InvokeFunction', 'arn:aws:lambda:us-east-1:210987654321:function:partner-*'),
      ].sort(),
    );
    expect(invoke.some((p) => p.includes('switchyard-prod-*'))).toBe(false);
    expect(nagFindings(stack)).toEqual([]);
  });

  test.each([
    [[], 'lambdaTargets must list at least one function ARN'],
    [['*'], 'lambdaTargets[0] must be a Lambda function ARN'],
    [['arn:aws:lambda:ap-southeast-2:*:function:x'], 'lambdaTargets[0] must be a Lambda function ARN'],
    [['arn:aws:s3:::bucket'], 'lambdaTargets[0] must be a Lambda function ARN'],
    [[`${ACCOUNT_ARN}:ok`, 'audit'], 'lambdaTargets[1] must be a Lambda function ARN'],
    [[`${ACCOUNT_ARN}:*`], 'lambdaTargets[0] must name functions, not every function of an account'],
    [[`${ACCOUNT_ARN}:*:live`], 'lambdaTargets[0] must name functions, not every function of an account'],
  ] as Array<[string[], string]>)('rejects lambdaTargets %p', (lambdaTargets, message) => {
    expect(() => new DeliveryTargetAccess(testStack(), 'Targets', { stage: 'prod', lambdaTargets })).toThrow(`Test/Targets: ${message}`);
  });

  test('rejects an empty stage', () => {
    expect(() => new DeliveryTargetAccess(testStack(), 'Targets', { stage: '' })).toThrow('Test/Targets: stage must not be empty, got ""');
  });
});
