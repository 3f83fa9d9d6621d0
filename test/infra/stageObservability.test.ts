import { Template } from 'aws-cdk-lib/assertions';
import { OrderedWorkerFunction } from '../../lib/OrderedWorkerFunction';
import type { StageConfig } from '../../lib/resolveStageConfig';
import { SwitchyardStage } from '../../lib/SwitchyardStage';
import { EMITTED_METRIC_NAMES, metricsNamespaceOf } from '../../src/observability/constants';
import { nagFindings, testApp } from './helpers';

const ENV = { account: '123456789012', region: 'ap-southeast-2' };
const CONFIG: StageConfig = { shardCount: 2, retentionHours: 24 };

function stageStack(config: StageConfig = CONFIG, options: { bundle?: boolean } = {}): SwitchyardStage {
  return new SwitchyardStage(testApp({ bundle: options.bundle ?? false }), 'Switchyard-test', { stage: 'test', config, env: ENV });
}

type Json = Record<string, any>;

/** The dashboard body as the JSON CloudWatch receives, with the stack's tokens left as their `Ref`/`GetAtt` text. */
function dashboardBody(stack: SwitchyardStage, template: Template): Json {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Json[];
  const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  const text = parts.map((part) => (typeof part === 'string' ? part : `"${JSON.stringify(stack.resolve(part)).replace(/"/g, "'")}"`)).join('');
  return JSON.parse(text.replace(/""/g, '"')) as Json;
}

/** Each widget's title and its metric arrays (`[namespace, name, dimension, value, …, options]`). */
function widgetsOf(body: Json): Array<{ title?: string; metrics: unknown[][] }> {
  return (body.widgets as Json[]).map((widget) => ({ title: widget.properties.title, metrics: widget.properties.metrics ?? [] }));
}

function alarmNamed(template: Template, name: string): Json {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((alarm: Json) => alarm.Properties.AlarmName === name);
  expect(found).toHaveLength(1);
  return found[0] as Json;
}

function logicalIdOf(stack: SwitchyardStage, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

describe('stage observability', () => {
  const stack = stageStack();
  const template = Template.fromStack(stack);
  const body = dashboardBody(stack, template);
  const widgets = widgetsOf(body);
  const topicId = logicalIdOf(stack, stack.observability.alarms.topic);
  const keyId = logicalIdOf(stack, stack.key.key);

  test('every function emits its metrics in the stage namespace Switchyard/<stage>', () => {
    for (const fn of [stack.ingest, stack.router, stack.redeliver]) {
      const resource = template.toJSON().Resources[logicalIdOf(stack, fn.function)] as Json;
      expect(resource.Properties.Environment.Variables).toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: 'Switchyard/test' });
    }
    expect(stack.observability.namespace).toBe(metricsNamespaceOf('test'));
  });

  test('the dashboard switchyard-<stage> has the publish, consumer, delivery, backlog, dead letter and KMS widgets', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'switchyard-test' });
    const titles = widgets.map((widget) => widget.title).filter(Boolean);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Publish rate (events per 5 min)',
        'Publish errors',
        'Iterator age per consumer (ms, max)',
        'Deliveries by outcome (per 5 min)',
        'Delivery latency (ms)',
        'Retry backlog (pending deliveries)',
        'Dead letters (new per 5 min)',
        'KMS requests (per 5 min)',
        'Function errors and throttles',
      ]),
    );
    const metricsOf = (title: string) => widgets.find((widget) => widget.title === title)!.metrics.map((metric) => metric.filter((part) => typeof part === 'string'));
    expect(metricsOf('Publish errors')).toEqual(expect.arrayContaining([expect.arrayContaining(['AWS/ApiGateway', '5xx']), expect.arrayContaining(['AWS/ApiGateway', '4xx'])]));
    expect(metricsOf('Iterator age per consumer (ms, max)')).toEqual([expect.arrayContaining(['AWS/Lambda', 'IteratorAge'])]);
    const latency = widgets.find((widget) => widget.title === 'Delivery latency (ms)')!.metrics;
    expect(latency.map((metric) => (metric.at(-1) as Json).stat)).toEqual(['p50', 'p99', 'p50', 'p99']);
  });

  test('the dashboard and the alarms use only metric names the code emits', () => {
    const ownNames = new Set<string>();
    for (const widget of widgets) {
      for (const metric of widget.metrics) {
        const namespaceAt = metric.indexOf('Switchyard/test');
        if (namespaceAt >= 0) ownNames.add(metric[namespaceAt + 1] as string);
      }
    }
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[]) {
      for (const query of alarm.Properties.Metrics ?? []) {
        if (query.MetricStat?.Metric.Namespace === 'Switchyard/test') ownNames.add(query.MetricStat.Metric.MetricName);
      }
    }
    expect(ownNames.size).toBeGreaterThanOrEqual(10);
    expect([...ownNames].filter((name) => !EMITTED_METRIC_NAMES.includes(name))).toEqual([]);
    // And the dashboard does show what matters most of them.
    expect([...ownNames]).toEqual(expect.arrayContaining(['EventsPublished', 'Delivered', 'DeliveryLatency', 'DeadLettered', 'PendingDeliveries', 'KmsRequests']));
  });

  test('the router iterator age alarm uses the stage threshold (default 300 s) and notifies the topic', () => {
    const alarm = alarmNamed(template, 'switchyard-test-router-iterator-age');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'IteratorAge',
      Statistic: 'Maximum',
      Threshold: 300_000,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
    expect(alarm.Properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: logicalIdOf(stack, stack.router.function) } }]);
  });

  test('dead letters alarm at more than 0 in 5 minutes, summed over the router and the redeliver function', () => {
    const alarm = alarmNamed(template, 'switchyard-test-dead-letters');
    expect(alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: [{ Ref: topicId }] });
    const stats = (alarm.Properties.Metrics as Json[]).filter((query) => query.MetricStat).map((query) => query.MetricStat);
    expect(stats.map((stat) => [stat.Metric.Namespace, stat.Metric.MetricName, stat.Metric.Dimensions[0].Value, stat.Stat, stat.Period])).toEqual([
      ['Switchyard/test', 'DeadLettered', 'switchyard-router', 'Sum', 300],
      ['Switchyard/test', 'DeadLettered', 'switchyard-redeliver', 'Sum', 300],
    ]);
  });

  test.each(['ingest', 'router', 'redeliver'] as const)('%s has an errors and a throttles alarm on its own function', (name) => {
    const fnRef = { Ref: logicalIdOf(stack, stack[name].function) };
    for (const [kind, metricName] of [['errors', 'Errors'], ['throttles', 'Throttles']] as const) {
      const alarm = alarmNamed(template, `switchyard-test-${name}-${kind}`);
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: topicId }],
      });
      expect(alarm.Properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: fnRef }]);
    }
  });

  test('API 5xx alarms at 5 by default on the HTTP API', () => {
    const alarm = alarmNamed(template, 'switchyard-test-api-5xx');
    expect(alarm.Properties).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5xx', Threshold: 5, AlarmActions: [{ Ref: topicId }] });
    expect(alarm.Properties.Dimensions).toEqual([{ Name: 'ApiId', Value: { Ref: logicalIdOf(stack, stack.api!.api) } }]);
  });

  test('the topic is encrypted with the stage key, TLS only, publishable by this account\'s alarms; the key lets CloudWatch use it', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as Json[];
    const statements = policy.Properties.PolicyDocument.Statement as Json[];
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({
          Effect: 'Allow',
          Action: 'sns:Publish',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:ap-southeast-2:123456789012:alarm:*' }, StringEquals: { 'aws:SourceAccount': '123456789012' } },
        }),
      ]),
    );
    const key = template.toJSON().Resources[keyId] as Json;
    expect(key.Properties.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
      ]),
    );
  });

  test('without alarmEmail the topic has no subscription', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  test('the StatusMetrics output names the namespace, the functions, the API and the dashboard', () => {
    const output = template.toJSON().Outputs.StatusMetrics as Json;
    const text = JSON.stringify(output.Value);
    for (const part of ['Switchyard/test', logicalIdOf(stack, stack.router.function), logicalIdOf(stack, stack.api!.api), topicId]) expect(text).toContain(part);
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged in the observability constructs', () => {
    expect(nagFindings(stack).filter((finding) => finding.includes('/Observability/'))).toEqual([]);
  });
});

describe('stage observability settings', () => {
  test('alarmEmail subscribes that address to the topic', () => {
    const stack = stageStack({ ...CONFIG, alarmEmail: 'ops@example.com' });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: logicalIdOf(stack, stack.observability.alarms.topic) },
    });
  });

  test('thresholds come from the stage settings', () => {
    const template = Template.fromStack(
      stageStack({ ...CONFIG, alarmIteratorAgeSeconds: 60, alarmFunctionErrors: 3, alarmFunctionThrottles: 7, alarmApi5xx: 11 }),
    );
    expect(alarmNamed(template, 'switchyard-test-router-iterator-age').Properties.Threshold).toBe(60_000);
    expect(alarmNamed(template, 'switchyard-test-router-errors').Properties.Threshold).toBe(3);
    expect(alarmNamed(template, 'switchyard-test-ingest-throttles').Properties.Threshold).toBe(7);
    expect(alarmNamed(template, 'switchyard-test-api-5xx').Properties.Threshold).toBe(11);
  });

  test.each([
    [{ alarmIteratorAgeSeconds: 0 }, /iteratorAgeSeconds/],
    [{ alarmFunctionErrors: 1.5 }, /functionErrors/],
    [{ alarmApi5xx: -1 }, /api5xx/],
    [{ alarmEmail: 'not-an-address' }, /alarmEmail must be an e-mail address, got "not-an-address"/],
  ])('refuses %j naming the setting', (setting, message) => {
    expect(() => stageStack({ ...CONFIG, ...setting })).toThrow(message);
  });

  test('behind a function URL, the 5xx alarm is on the ingest function URL', () => {
    const stack = stageStack({ ...CONFIG, ingest: 'functionUrl' });
    const alarm = alarmNamed(Template.fromStack(stack), 'switchyard-test-api-5xx');
    expect(alarm.Properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Url5xxCount' });
  });

  test('addWorker puts a Lambda worker in the namespace, on the dashboard and under alarms', () => {
    const stack = stageStack();
    const worker = new OrderedWorkerFunction(stack, 'Projection', {
      entry: 'examples/worker/lambda.ts',
      consumer: 'projection',
      eventStream: stack.eventStream,
      idempotencyTable: stack.idempotencyTable,
      encryptionKey: stack.key.key,
    });
    stack.observability.addWorker('projection', worker);
    const template = Template.fromStack(stack);
    const fnRef = { Ref: logicalIdOf(stack, worker.worker.function) };
    expect(alarmNamed(template, 'switchyard-test-worker-projection-iterator-age').Properties).toMatchObject({ MetricName: 'IteratorAge', Threshold: 300_000 });
    expect(alarmNamed(template, 'switchyard-test-worker-projection-errors').Properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: fnRef }]);
    const resource = template.toJSON().Resources[logicalIdOf(stack, worker.worker.function)] as Json;
    expect(resource.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('Switchyard/test');
    const iteratorAge = widgetsOf(dashboardBody(stack, template)).find((widget) => widget.title === 'Iterator age per consumer (ms, max)')!;
    expect(iteratorAge.metrics).toHaveLength(2);
    expect(nagFindings(stack).filter((finding) => finding.includes('/Observability/'))).toEqual([]);
  });
});
