import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventStream } from '../../lib/EventStream';
import { resolveStageConfig, type StageConfig } from '../../lib/resolveStageConfig';
import { resolveCostOptions } from '../../lib/StageCostOptions';
import { SwitchyardStage } from '../../lib/SwitchyardStage';
import { cdkJsonContext, nagFindings, testApp, testStack } from './helpers';

const ENV = { account: '123456789012', region: 'us-east-1' };
const BASE: StageConfig = { shardCount: 2, retentionHours: 24 };

/** A stage stack without bundling (the handlers' code is not what these tests look at). */
function stageStack(config: StageConfig, stage = 'opts'): SwitchyardStage {
  return new SwitchyardStage(testApp({ bundle: false }), `Switchyard-${stage}`, { stage, config, env: ENV });
}

function only(template: Template, type: string): { Properties: Record<string, any> } {
  const all = Object.values(template.findResources(type));
  expect(all).toHaveLength(1);
  return all[0] as { Properties: Record<string, any> };
}

describe('stage latency and cost options', () => {
  describe('defaults (no option set)', () => {
    let stack: SwitchyardStage;
    let template: Template;
    beforeAll(() => {
      stack = stageStack(BASE);
      template = Template.fromStack(stack);
    });

    test('provisioned stream of shardCount shards, polled by the router (no enhanced fan-out consumer)', () => {
      expect(only(template, 'AWS::Kinesis::Stream').Properties).toMatchObject({ ShardCount: 2, StreamModeDetails: { StreamMode: 'PROVISIONED' } });
      template.resourceCountIs('AWS::Kinesis::StreamConsumer', 0);
      const mapping = only(template, 'AWS::Lambda::EventSourceMapping').Properties;
      expect(mapping.EventSourceArn).toEqual(stack.resolve(stack.eventStream.streamArn));
    });

    test('every table on demand', () => {
      const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
      expect(tables.length).toBe(4);
      for (const table of tables) {
        expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
        expect(table.Properties.ProvisionedThroughput).toBeUndefined();
      }
    });

    test('ingest behind the HTTP API, no function URL; ApiUrl is the API\'s', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
      template.resourceCountIs('AWS::Lambda::Url', 0);
      expect(stack.ingestFunctionUrl).toBeUndefined();
      expect(template.toJSON().Outputs.ApiUrl.Value).toEqual(stack.resolve(stack.api!.url));
    });

    test('each function gets SDK timeouts below its own timeout (ingest, 29 s: 1.1 s to connect, 3.4 s quiet)', () => {
      const env = (fn: { function: { node: { defaultChild?: unknown } } }) =>
        template.toJSON().Resources[stack.getLogicalId(fn.function.node.defaultChild as never)].Properties.Environment.Variables;
      expect(env(stack.ingest)).toMatchObject({ SWITCHYARD_SDK_CONNECTION_TIMEOUT_MS: '1125', SWITCHYARD_SDK_REQUEST_TIMEOUT_MS: '3375' });
      expect(env(stack.router)).toMatchObject({ SWITCHYARD_SDK_CONNECTION_TIMEOUT_MS: '3000', SWITCHYARD_SDK_REQUEST_TIMEOUT_MS: '30000' });
      expect(env(stack.redeliver)).toMatchObject({ SWITCHYARD_SDK_CONNECTION_TIMEOUT_MS: '3000', SWITCHYARD_SDK_REQUEST_TIMEOUT_MS: '30000' });
    });

    test('no function reserves concurrency', () => {
      for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
        expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
      }
    });
  });

  test('lowLatency: the router reads through an enhanced fan-out consumer of the stream, allowed to subscribe to it', () => {
    const stack = stageStack({ ...BASE, lowLatency: true });
    const template = Template.fromStack(stack);
    const consumer = only(template, 'AWS::Kinesis::StreamConsumer').Properties;
    expect(consumer).toMatchObject({ ConsumerName: 'switchyard-opts-router', StreamARN: stack.resolve(stack.eventStream.streamArn) });
    const consumerId = Object.keys(template.findResources('AWS::Kinesis::StreamConsumer'))[0];
    const mapping = only(template, 'AWS::Lambda::EventSourceMapping').Properties;
    expect(mapping.EventSourceArn).toEqual({ 'Fn::GetAtt': [consumerId, 'ConsumerARN'] });
    expect(mapping).toMatchObject({ StartingPosition: 'TRIM_HORIZON', BisectBatchOnFunctionError: true, ParallelizationFactor: 1 });
    const routerPolicies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(routerPolicies).toContain('kinesis:SubscribeToShard');
    expect(routerPolicies).toContain(consumerId);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('billing.tables provisioned: every table and index gets the read and write units', () => {
    const template = Template.fromStack(stageStack({ ...BASE, billing: { tables: { provisioned: { read: 3, write: 4 } } } }));
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(tables.length).toBe(4);
    let indexes = 0;
    for (const table of tables) {
      // PROVISIONED is CloudFormation's default billing mode: CDK leaves it out.
      expect(table.Properties.BillingMode ?? 'PROVISIONED').toBe('PROVISIONED');
      expect(table.Properties.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 3, WriteCapacityUnits: 4 });
      for (const index of table.Properties.GlobalSecondaryIndexes ?? []) {
        indexes += 1;
        expect(index.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 3, WriteCapacityUnits: 4 });
      }
    }
    expect(indexes).toBeGreaterThan(0);
  });

  test('billing.stream onDemand: an on-demand stream with no shard count', () => {
    const template = Template.fromStack(stageStack({ ...BASE, billing: { stream: 'onDemand' } }));
    const stream = only(template, 'AWS::Kinesis::Stream').Properties;
    expect(stream.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
    expect(stream.ShardCount).toBeUndefined();
  });

  test('ingest functionUrl: a function URL (auth NONE, the bearer checked by ingest) on the ingest function instead of the HTTP API', () => {
    const stack = stageStack({ ...BASE, ingest: 'functionUrl' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
    const url = only(template, 'AWS::Lambda::Url').Properties;
    expect(url).toMatchObject({ AuthType: 'NONE', InvokeMode: 'BUFFERED', TargetFunctionArn: stack.resolve(stack.ingest.function.functionArn) });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      FunctionUrlAuthType: 'NONE',
      Principal: '*',
      FunctionName: stack.resolve(stack.ingest.function.functionArn),
    });
    expect(template.toJSON().Outputs.ApiUrl.Value).toEqual(stack.resolve(stack.ingestFunctionUrl!.url));
    expect(stack.api).toBeUndefined();
    expect(nagFindings(stack)).toEqual([]);
  });

  test('reserved concurrency of each function is a stage setting', () => {
    const stack = stageStack({ ...BASE, ingestReservedConcurrency: 7, routerReservedConcurrency: 2, redeliverReservedConcurrency: 1 });
    const template = Template.fromStack(stack);
    const reserved = (fn: { function: { node: { defaultChild?: unknown } } }) =>
      template.toJSON().Resources[stack.getLogicalId(fn.function.node.defaultChild as never)].Properties.ReservedConcurrentExecutions;
    expect([reserved(stack.ingest), reserved(stack.router), reserved(stack.redeliver)]).toEqual([7, 2, 1]);
  });

  describe('checks', () => {
    test('resolveStageConfig takes the options and refuses a mistyped one, naming it', () => {
      const stages = { s: { ...BASE, lowLatency: true, ingest: 'functionUrl', billing: { stream: 'onDemand' }, redeliverReservedConcurrency: 1 } };
      expect(resolveStageConfig(stages, 's')).toMatchObject({ lowLatency: true, ingest: 'functionUrl' });
      expect(() => resolveStageConfig({ s: { ...BASE, lowLatency: 'yes' } }, 's')).toThrow('stages.s.lowLatency must be true or false, got "yes"');
      expect(() => resolveStageConfig({ s: { ...BASE, billing: 'cheap' } }, 's')).toThrow('stages.s.billing must be an object, got "cheap"');
    });

    test.each([
      [{ ingest: 'alb' }, 'config.ingest must be one of "httpApi", "functionUrl", got "alb"'],
      [{ billing: { stream: 'fast' } }, 'config.billing.stream must be "provisioned" or "onDemand", got "fast"'],
      [{ billing: { table: 'onDemand' } }, 'config.billing: unknown key "table"; known keys are tables, stream'],
      [{ billing: { tables: 'provisioned' } }, 'config.billing.tables must be "onDemand" or { "provisioned": { "read": <units>, "write": <units> } }, got "provisioned"'],
      [{ billing: { tables: { provisioned: { read: 0, write: 1 } } } }, 'config.billing.tables.provisioned.read must be an integer from 1 to 40000 capacity units, got 0'],
      [{ billing: { tables: { provisioned: { read: 1 } } } }, 'config.billing.tables.provisioned.write must be an integer from 1 to 40000 capacity units, got undefined'],
    ])('resolveCostOptions(%j) is refused: %s', (options, message) => {
      expect(() => resolveCostOptions(options)).toThrow(message);
      expect(() => stageStack({ ...BASE, ...(options as object) })).toThrow(message);
    });

    test('an on-demand EventStream refuses a shard count, saying what to do', () => {
      expect(() => new EventStream(testStack(testApp({ bundle: false })), 'Stream', { billing: 'onDemand', shardCount: 2 })).toThrow(
        'Test/Stream: shardCount is not used by an on-demand stream (billing "onDemand"); leave it out or bill the stream as "provisioned"',
      );
    });

    test('defaults', () => {
      expect(resolveCostOptions({})).toEqual({ lowLatency: false, tables: 'onDemand', stream: 'provisioned', ingest: 'httpApi' });
    });

    test('every stage of cdk.json resolves its options', () => {
      const stages = cdkJsonContext().stages as Record<string, StageConfig>;
      for (const name of Object.keys(stages)) expect(() => resolveCostOptions(resolveStageConfig(stages, name), name)).not.toThrow();
    });
  });

  test('every option at once synthesizes, cdk-nag clean', () => {
    const stack = stageStack({ ...BASE, lowLatency: true, ingest: 'functionUrl', billing: { tables: { provisioned: { read: 1, write: 1 } }, stream: 'onDemand' } });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Kinesis::Stream', { StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
    template.hasResourceProperties('AWS::DynamoDB::Table', { BillingMode: Match.absent(), ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
    template.hasResourceProperties('AWS::Kinesis::StreamConsumer', { ConsumerName: Match.stringLikeRegexp('router') });
    expect(nagFindings(stack)).toEqual([]);
  });
});
