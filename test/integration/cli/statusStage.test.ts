import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../../src/cli/program';
import type { StageStatus } from '../../../src/cli/status/types';
import type { CliContext } from '../../../src/cli/types';

/**
 * `switchyard status --stage`: no emulator exists for CloudWatch, so GetMetricData is answered by
 * aws-sdk-client-mock, which also shows the queries the command sends (namespace, dimensions, statistic,
 * period). The stack's outputs come from a reader standing in for CloudFormation DescribeStacks.
 */
const cloudwatch = mockClient(CloudWatchClient);

const OUTPUT = {
  namespace: 'Switchyard/prod',
  functions: { ingest: 'Switchyard-prod-Ingest', router: 'Switchyard-prod-Router', redeliver: 'Switchyard-prod-Redeliver' },
  apiId: 'a1b2c3',
  dashboard: 'switchyard-prod',
  alarmTopicArn: 'arn:aws:sns:ap-southeast-2:123456789012:alarms',
};

function context(outputs: Record<string, string>): CliContext & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    env: { AWS_REGION: 'ap-southeast-2', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' },
    cwd: process.cwd(),
    applyEnv: () => undefined,
    waitForStop: () => new Promise(() => undefined),
    readStackOutputs: async (stackName) => {
      expect(stackName).toBe('Switchyard-prod');
      return outputs;
    },
  };
}

/** What CloudWatch answers per query id (its value in the window's one period; the pending gauge per 5 minutes). */
const ANSWERS: Record<string, number[]> = {
  eventspublished: [1200],
  duplicatesanswered: [3],
  rejected: [4],
  throttled: [2],
  errors: [1],
  apirequests: [450],
  api4xx: [6],
  api5xx: [1],
  iteratoragerouter: [850],
  delivered_router: [1100],
  delivered_redeliver: [40],
  failed_router: [50],
  failed_redeliver: [8],
  deadlettered_router: [1],
  deadlettered_redeliver: [2],
  p50_router: [120],
  p99_router: [900],
  p50_redeliver: [150],
  p99_redeliver: [2000],
  pending: [7, 9],
  kms_0: [2],
  kms_1: [10],
  kms_2: [4],
  invocations_router: [300],
  fnerrors_router: [1],
  throttles_ingest: [5],
};

beforeEach(() => {
  cloudwatch.reset();
  cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
    const results: MetricDataResult[] = (input.MetricDataQueries ?? []).map((query) => {
      const values = ANSWERS[query.Id!] ?? [];
      // Newest first (ScanBy TimestampDescending): the pending gauge's 9 is 5 minutes older than its 7.
      const timestamps = values.map((_, index) => new Date(Date.UTC(2026, 11, 6, 12, 0, 0) - index * 300_000));
      return { Id: query.Id, Values: values, Timestamps: timestamps, StatusCode: 'Complete' };
    });
    return { MetricDataResults: results };
  });
});

test('asks CloudWatch for the dashboard figures of the last hour and prints them as JSON', async () => {
  const cli = context({ StatusMetrics: JSON.stringify(OUTPUT) });
  expect(await runCli(['status', '--stage', 'prod', '--json'], cli)).toBe(0);
  expect(cli.stderr).toEqual([]);

  const [call] = cloudwatch.commandCalls(GetMetricDataCommand);
  const input = call!.args[0].input;
  expect(input.EndTime!.getTime() - input.StartTime!.getTime()).toBe(3_600_000);
  const queries = new Map(input.MetricDataQueries!.map((query) => [query.Id, query.MetricStat]));
  expect(queries.get('eventspublished')).toEqual({
    Metric: { Namespace: 'Switchyard/prod', MetricName: 'EventsPublished', Dimensions: [{ Name: 'service', Value: 'switchyard-ingest' }] },
    Period: 3600,
    Stat: 'Sum',
  });
  expect(queries.get('iteratoragerouter')).toEqual({
    Metric: { Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Dimensions: [{ Name: 'FunctionName', Value: 'Switchyard-prod-Router' }] },
    Period: 3600,
    Stat: 'Maximum',
  });
  expect(queries.get('p99_redeliver')).toMatchObject({ Metric: { MetricName: 'DeliveryLatency', Dimensions: [{ Name: 'service', Value: 'switchyard-redeliver' }] }, Stat: 'p99' });
  expect(queries.get('api5xx')).toMatchObject({ Metric: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: 'a1b2c3' }] } });
  expect(queries.get('pending')).toMatchObject({ Metric: { MetricName: 'PendingDeliveries' }, Period: 300, Stat: 'Maximum' });

  const status = JSON.parse(cli.stdout.join('\n')) as StageStatus;
  expect(status).toMatchObject({
    kind: 'stage',
    target: 'stage prod (Switchyard-prod)',
    publish: { eventsPublished: 1200, duplicatesAnswered: 3, rejected: 4, throttled: 2, errors: 1, apiRequests: 450, api4xx: 6, api5xx: 1 },
    consumers: [{ name: 'router', iteratorAgeMs: 850 }],
    deliveries: {
      delivered: 1140,
      failed: 58,
      deferred: 0,
      deadLettered: 3,
      latency: { router: { p50Ms: 120, p99Ms: 900 }, redeliver: { p50Ms: 150, p99Ms: 2000 } },
    },
    pendingDeliveries: 7,
    kmsRequests: 16,
  });
  expect(status.functions).toEqual([
    { name: 'ingest', invocations: 0, errors: 0, throttles: 5 },
    { name: 'router', invocations: 300, errors: 1, throttles: 0 },
    { name: 'redeliver', invocations: 0, errors: 0, throttles: 0 },
  ]);
});

test('prints them as text, with - where CloudWatch has no data', async () => {
  cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
  const cli = context({ StatusMetrics: JSON.stringify({ ...OUTPUT, apiId: undefined }) });
  expect(await runCli(['status', '--stage', 'prod'], cli)).toBe(0);
  expect(cli.stdout[0]).toMatch(/^stage prod \(Switchyard-prod\): \S+ to \S+$/);
  expect(cli.stdout).toEqual(expect.arrayContaining(['Publish', 'Deliveries', 'Backlog']));
  expect(cli.stdout.find((line) => line.includes('pending deliveries'))).toMatch(/pending deliveries\s+-$/);
  expect(cli.stdout.find((line) => line.trim().startsWith('router') && line.includes('ms') === false)).toMatch(/router\s+-$/);
  expect(cli.stdout.some((line) => line.includes('API requests'))).toBe(false);
});

test('a stage deployed before StatusMetrics existed is told to redeploy (exit 1)', async () => {
  const cli = context({ ApiUrl: 'https://x.execute-api.ap-southeast-2.amazonaws.com/' });
  expect(await runCli(['status', '--stage', 'prod'], cli)).toBe(1);
  expect(cli.stderr).toEqual(['switchyard: stack Switchyard-prod has no output StatusMetrics: redeploy the stage with this version']);
  expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(0);
});

test('CloudWatch refusing the call is one line naming the permission (exit 1)', async () => {
  cloudwatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('User is not authorized to perform: cloudwatch:GetMetricData'), { name: 'AccessDenied' }));
  const cli = context({ StatusMetrics: JSON.stringify(OUTPUT) });
  expect(await runCli(['status', '--stage', 'prod'], cli)).toBe(1);
  expect(cli.stderr).toHaveLength(1);
  expect(cli.stderr[0]).toMatch(/^switchyard: CloudWatch GetMetricData for Switchyard-prod failed \(AccessDenied: .*\): check your AWS credentials and cloudwatch:GetMetricData permission$/);
});
