import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { StageConfig } from '../../lib/resolveStageConfig';
import { SwitchyardStage } from '../../lib/SwitchyardStage';
import { ENV } from '../../src/wiring/environment';
import { allowedPairs, nagFindings, pairs, testApp } from './helpers';

const CONFIG: StageConfig = { shardCount: 1, retentionHours: 24 };

function stageStack(config: StageConfig = CONFIG): SwitchyardStage {
  return new SwitchyardStage(testApp({ bundle: false }), 'Switchyard-creds', { stage: 'creds', config, env: { account: '123456789012', region: 'ap-southeast-2' } });
}

describe('stage credentials (producers and readers)', () => {
  let stack: SwitchyardStage;
  let template: Template;
  beforeAll(() => {
    stack = stageStack();
    template = Template.fromStack(stack);
  });

  test('the template carries no token and no token hash: the secret starts as the empty document', () => {
    const text = JSON.stringify(template.toJSON());
    expect(text).not.toMatch(/sha256:[0-9a-f]{8}/);
    expect(text).not.toMatch(/sy_[A-Za-z0-9_-]{20}/);
    expect(text).not.toContain('GenerateSecretString');
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(1);
    expect(JSON.parse(secrets[0].Properties.SecretString)).toEqual({ producers: {}, readers: {} });
    // Kept across deploys: its logical id is the one stages deployed before had.
    expect(stack.getLogicalId(stack.producerTokens.node.defaultChild as never)).toMatch(/^ProducerTokens/);
  });

  test('only ingest reads the secret, by ARN, and is told where it is', () => {
    const ingestEnv = template.toJSON().Resources[stack.getLogicalId(stack.ingest.function.node.defaultChild as never)].Properties.Environment.Variables;
    expect(ingestEnv[ENV.producerTokensSecretId]).toEqual(stack.resolve(stack.producerTokens.secretArn));
    const readers = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue') &&
      JSON.stringify(policy.Properties.PolicyDocument).includes(JSON.stringify(stack.resolve(stack.producerTokens.secretArn))),
    );
    expect(readers).toHaveLength(1);
    const ingestPairs = allowedPairs(template, stack, stack.ingest.function.role!);
    for (const expected of pairs(stack, ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], [stack.producerTokens.secretArn])) {
      expect(ingestPairs.has(expected)).toBe(true);
    }
    // Ingest never writes it: only `switchyard producers` does, with the operator's credentials.
    expect([...ingestPairs].some((p) => p.startsWith('secretsmanager:PutSecretValue') || p.startsWith('secretsmanager:UpdateSecret'))).toBe(false);
  });

  test('POST /iam/events has the IAM authorizer; every other route is checked by ingest', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    const iamRoutes = routes.filter((route) => route.Properties.AuthorizationType === 'AWS_IAM').map((route) => route.Properties.RouteKey);
    expect(iamRoutes).toEqual(['POST /iam/events']);
  });

  test('outputs the secret and the ARN a SigV4 producer role must be allowed to invoke', () => {
    template.hasOutput('ProducerTokensSecretArn', { Value: stack.resolve(stack.producerTokens.secretArn) });
    const arn = JSON.stringify(template.findOutputs('IamEventsRouteArn').IamEventsRouteArn.Value);
    expect(arn).toContain('arn:');
    expect(arn).toContain(':execute-api:');
    expect(arn).toContain(JSON.stringify(stack.resolve(stack.api!.api.apiId)));
    expect(arn).toMatch(/\/\*\/POST\/iam\/events"/);
  });

  test('a function-URL stage has no IAM route and no such output (SigV4 publishing needs the HTTP API)', () => {
    const urlStack = stageStack({ ...CONFIG, ingest: 'functionUrl' } as StageConfig);
    expect(Template.fromStack(urlStack).findOutputs('IamEventsRouteArn')).toEqual({});
  });

  test('grantIamPublish gives a role execute-api:Invoke on POST /iam/events of this API only', () => {
    const s = stageStack();
    const role = new iam.Role(s, 'OrderService', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    s.api!.grantIamPublish(role);
    const granted = [...allowedPairs(Template.fromStack(s), s, role)];
    expect(granted).toHaveLength(1);
    expect(granted[0]).toMatch(/^execute-api:Invoke /);
    expect(granted[0]).toContain(JSON.stringify(s.resolve(s.api!.api.apiId)).slice(1, -1));
    expect(granted[0]).toMatch(/\/\*\/POST\/iam\/events"/);
  });

  test('cdk-nag finds nothing unacknowledged on the secret and the API', () => {
    expect(nagFindings(stack.producerTokens)).toEqual([]);
    expect(nagFindings(stack.api!)).toEqual([]);
  });
});
