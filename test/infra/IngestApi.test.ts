import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Stack } from 'aws-cdk-lib';
import { IngestApi, type IngestApiProps } from '../../lib/IngestApi';
import { nagFindings, testStack } from './helpers';

/** An unbundled function: the API is under test, not the handler's build. */
function handlerIn(stack: Stack): lambda.Function {
  return new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
  });
}

function synth(props: Partial<IngestApiProps> = {}) {
  const stack = testStack();
  const handler = handlerIn(stack);
  const api = new IngestApi(stack, 'Api', { handler, ...props });
  return { stack, api, handler, template: Template.fromStack(stack) };
}

describe('IngestApi', () => {
  test('routes POST /events, POST /iam/events, GET /events, GET /events/{id}, GET /feeds/{pattern}, GET /types and GET /health to the handler', () => {
    const { stack, handler, template } = synth();
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(routeKeys.sort()).toEqual(['GET /events', 'GET /events/{id}', 'GET /feeds/{pattern}', 'GET /health', 'GET /types', 'POST /events', 'POST /iam/events']);
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: stack.resolve(handler.functionArn),
    });
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Permission',
      { Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' },
      7,
    );
    // Every route goes to the one integration. Bearer routes have no authorizer of API Gateway's (the function checks
    // the token and the rights); POST /iam/events has the IAM authorizer, so only SigV4-signed calls reach it.
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(new Set(routes.map((route) => JSON.stringify(route.Properties.Target))).size).toBe(1);
    const authorization = Object.fromEntries(routes.map((route) => [route.Properties.RouteKey, route.Properties.AuthorizationType ?? 'NONE']));
    expect(authorization).toEqual({
      'POST /events': 'NONE',
      'GET /events': 'NONE',
      'GET /events/{id}': 'NONE',
      'GET /feeds/{pattern}': 'NONE',
      'GET /types': 'NONE',
      'GET /health': 'NONE',
      'POST /iam/events': 'AWS_IAM',
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  test('grantIamPublish lets a role invoke POST /iam/events only', () => {
    const stack = testStack();
    const api = new IngestApi(stack, 'Api', { handler: handlerIn(stack) });
    const role = new iam.Role(stack, 'OrderService', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    api.grantIamPublish(role);
    const policy = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const statements = Object.values(policy).flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('execute-api:Invoke');
    // The resource ends with the stage wildcard and the one route: */POST/iam/events.
    expect(JSON.stringify(statements[0].Resource)).toMatch(/\/\*\/POST\/iam\/events"/);
  });

  test('has one auto-deployed $default stage throttled at 500 rps / 1000 burst by default', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 500, ThrottlingBurstLimit: 1000 },
    });
  });

  test('takes throttling and the API name from props', () => {
    const { template } = synth({ throttle: { rateLimit: 20, burstLimit: 40 }, apiName: 'switchyard-test' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'switchyard-test' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
  });

  test('writes JSON access logs with the request id to a KMS-encrypted log group kept a month', () => {
    const { stack, api, template } = synth();
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 30,
      KmsKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
    });
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const settings = stage.Properties.AccessLogSettings;
    expect(settings.DestinationArn).toEqual(stack.resolve(api.accessLogGroup.logGroupArn));
    expect(JSON.parse(settings.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('takes access-log retention from props', () => {
    const { template } = synth({ accessLogRetention: logs.RetentionDays.ONE_YEAR });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('exposes the stage URL', () => {
    const { stack, api } = synth();
    expect(stack.resolve(api.url)).toEqual(stack.resolve(api.stage.url));
  });

  test.each([0, 10001])('rejects throttle.rateLimit %p', (rateLimit) => {
    const stack = testStack();
    expect(() => new IngestApi(stack, 'Api', { handler: handlerIn(stack), throttle: { rateLimit, burstLimit: 10 } })).toThrow(
      `Test/Api: throttle.rateLimit must be between 1 and 10000 requests per second, got ${rateLimit}`,
    );
  });

  test.each([0, 5001, 1.5])('rejects throttle.burstLimit %p', (burstLimit) => {
    const stack = testStack();
    expect(() => new IngestApi(stack, 'Api', { handler: handlerIn(stack), throttle: { rateLimit: 10, burstLimit } })).toThrow(
      `Test/Api: throttle.burstLimit must be an integer between 1 and 5000, got ${burstLimit}`,
    );
  });

  test('rejects an empty apiName', () => {
    const stack = testStack();
    expect(() => new IngestApi(stack, 'Api', { handler: handlerIn(stack), apiName: '' })).toThrow(
      'Test/Api: apiName must not be empty, got ""',
    );
  });

  test('leaves no unacknowledged cdk-nag finding on the API (APIG4 acknowledged per route)', () => {
    const { stack, api } = synth();
    expect(nagFindings(api)).toEqual([]);
    expect(stack).toBeDefined();
  });
});
