import type { Context } from 'aws-lambda';
import { ENGINE_METRIC } from '../../../src/engine/types';
import { functionTelemetry } from '../../../src/observability/functionTelemetry';
import { captureOutput } from './captureOutput';

/** A Lambda context as the runtime hands it over. */
const CONTEXT = {
  functionName: 'Switchyard-test-RouterFunction-abc',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:Switchyard-test-RouterFunction-abc',
  memoryLimitInMB: '1024',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/x',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

// AWS_LAMBDA_INITIALIZATION_TYPE: Lambda's own variable; without it Powertools never sees a cold start.
const ENV = { POWERTOOLS_METRICS_NAMESPACE: 'Switchyard/test', POWERTOOLS_LOG_LEVEL: 'DEBUG', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' };

describe('functionTelemetry', () => {
  let output: ReturnType<typeof captureOutput>;
  const saved = { ...process.env };
  beforeEach(() => {
    // Powertools reads its switches from process.env when built; the test's own (dev, disabled) are not the point here.
    for (const name of Object.keys(process.env)) if (name.startsWith('POWERTOOLS_')) delete process.env[name];
    Object.assign(process.env, ENV);
    output = captureOutput();
  });
  afterEach(() => {
    output.restore();
    process.env = { ...saved };
  });

  test('emits EMF in the stage namespace with the service as dimension, and a cold start only on the first invocation', () => {
    const telemetry = functionTelemetry('switchyard-router', process.env);
    telemetry.begin(CONTEXT);
    telemetry.metrics.addMetric(ENGINE_METRIC.delivered, 'Count', 2);
    telemetry.flush();
    telemetry.begin(CONTEXT);
    telemetry.flush();

    const emf = output.lines().filter((line) => line._aws);
    const names = emf.map((line) => line._aws.CloudWatchMetrics[0].Metrics.map((metric: { Name: string }) => metric.Name)).flat();
    expect(names).toEqual(['ColdStart', 'Delivered']);
    for (const line of emf) {
      expect(line._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Switchyard/test', Dimensions: [['service']] });
      expect(line.service).toBe('switchyard-router');
    }
    expect(emf[1].Delivered).toBe(2);
  });

  test('POWERTOOLS_SERVICE_NAME, which the stage sets, names the service', () => {
    process.env.POWERTOOLS_SERVICE_NAME = 'switchyard-worker-projection';
    const telemetry = functionTelemetry('switchyard-worker-', process.env);
    telemetry.logger.info('started');
    expect(output.lines()[0]).toMatchObject({ service: 'switchyard-worker-projection', message: 'started', level: 'INFO' });
  });

  test('flush without metrics prints nothing', () => {
    const telemetry = functionTelemetry('switchyard-redeliver', process.env);
    telemetry.flush();
    expect(output.lines()).toEqual([]);
  });

  test('a log line about one event carries its id as correlation_id, and never its data or a secret', () => {
    const telemetry = functionTelemetry('switchyard-router', process.env);
    telemetry.begin(CONTEXT);
    telemetry.log.warn('delivery failed; it will be retried', {
      eventId: 'order-42',
      eventType: 'com.example.order.created',
      data: { email: 'ada@example.com' },
      token: 'bearer-secret',
      clientSecret: 'oauth-secret',
    });
    const [line] = output.lines().filter((entry) => entry.message);
    expect(line).toMatchObject({
      level: 'WARN',
      service: 'switchyard-router',
      correlation_id: 'order-42',
      eventId: 'order-42',
      eventType: 'com.example.order.created',
      function_request_id: 'req-1',
    });
    const text = JSON.stringify(line);
    for (const secret of ['ada@example.com', 'bearer-secret', 'oauth-secret']) expect(text).not.toContain(secret);
  });

  test('a line about no event has no correlation id', () => {
    const telemetry = functionTelemetry('switchyard-router', process.env);
    telemetry.log.error('could not read subscriptions.json', { bucket: 'b' });
    const [line] = output.lines();
    expect(line).toMatchObject({ message: 'could not read subscriptions.json', bucket: 'b' });
    expect(line).not.toHaveProperty('correlation_id');
  });
});
