import { benchInputs, type BenchInputs } from '../../../tools/cost/benchInputs';
import { idleCostOf, invocationsPerMonth, type IdleCost } from '../../../tools/cost/idleCost';
import { eventBridgeUsdPerMillion, rateCost, routerInvocationsPerShard, shardsFor, tracesPerSecond } from '../../../tools/cost/perEventCost';
import { PRICES } from '../../../tools/cost/prices';
import type { CfnTemplate } from '../../../tools/cost/synthStageTemplate';
import type { BenchRow } from '../../../bench/types';

// Every expected figure below was computed by hand (a calculator, from the prices of tools/cost/prices.ts), not by
// the code under test: 730 h a month, 2,628,000 s.

/** A template of the prod stage as it was before issue 11: 4 shards kept 7 days, a redeliver started every minute. */
const BEFORE: CfnTemplate = {
  Resources: {
    Stream: { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: 4, RetentionPeriodHours: 168, StreamModeDetails: { StreamMode: 'PROVISIONED' } } },
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
    Secret: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
    Table: { Type: 'AWS::DynamoDB::Table', Properties: { BillingMode: 'PAY_PER_REQUEST' } },
    Redeliver: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 1024, TracingConfig: { Mode: 'Active' } } },
    Schedule: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 minute)', Targets: [{ Arn: { 'Fn::GetAtt': ['Redeliver', 'Arn'] } }] } },
  },
};

describe('idle cost from a template', () => {
  test('the prod stage before: 4 shards with 7-day retention and a 55 s sweep every minute come to about $137', () => {
    const idle = idleCostOf(BEFORE, PRICES, { billedMs: 55_000, readUnits: 9, logBytes: 800, customMetrics: 1 });
    const byWhat = Object.fromEntries(idle.lines.map((line) => [`${line.kind}:${line.resource}:${line.what.split(' ')[0]}`, line.usdPerMonth]));
    expect(byWhat['stream:Stream:4']).toBeCloseTo(43.8, 6); // 4 × 730 × 0.015
    expect(byWhat['stream:Stream:retention']).toBeCloseTo(58.4, 6); // 4 × 730 × 0.02
    expect(byWhat['key:Key:customer-managed']).toBe(1);
    expect(byWhat['secret:Secret:secret']).toBe(0.4);
    // 43,800 × (0.0000002 + 55 × 1 × 0.0000133334) + 43,800 × 0.000005 + 43,800 × 800 B at $0.50/GiB + 43,800 × 9 × 0.000000125
    expect(byWhat['schedule:Schedule:43,800']).toBeCloseTo(32.1289206 + 0.219 + 0.0163168 + 0.049275, 5);
    expect(byWhat['metric:Schedule:1']).toBe(0.3);
    expect(idle.usdPerMonth).toBeCloseTo(136.3135, 3);
    // The on-demand table costs nothing at idle.
    expect(idle.lines.some((line) => line.resource === 'Table')).toBe(false);
  });

  test('the idle path: the same schedule at 50 ms an invocation costs $0.32 a month', () => {
    const idle = idleCostOf(BEFORE, PRICES, { billedMs: 50, readUnits: 9, logBytes: 800, customMetrics: 1 });
    expect(idle.lines.find((line) => line.kind === 'schedule')!.usdPerMonth).toBeCloseTo(0.3225519, 6);
  });

  test('an on-demand stream costs its stream hour; an enhanced fan-out consumer a consumer-shard hour per shard; provisioned tables their units', () => {
    const template: CfnTemplate = {
      Resources: {
        OnDemand: { Type: 'AWS::Kinesis::Stream', Properties: { StreamModeDetails: { StreamMode: 'ON_DEMAND' } } },
        TwoShards: { Type: 'AWS::Kinesis::Stream', Properties: { ShardCount: 2, RetentionPeriodHours: 24 } },
        Consumer: { Type: 'AWS::Kinesis::StreamConsumer', Properties: { StreamARN: { 'Fn::GetAtt': ['TwoShards', 'Arn'] } } },
        Table: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 },
            GlobalSecondaryIndexes: [{ ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 4 } }],
          },
        },
        Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ Id: 'e', Expression: 'a+b' }, { Id: 'a', MetricStat: {} }, { Id: 'b', MetricStat: {} }] } },
        Dashboard: { Type: 'AWS::CloudWatch::Dashboard', Properties: {} },
      },
    };
    const idle = idleCostOf(template);
    const of = (resource: string) => idle.lines.filter((line) => line.resource === resource).reduce((sum, line) => sum + line.usdPerMonth, 0);
    expect(of('OnDemand')).toBeCloseTo(29.2, 6); // 730 × 0.04
    expect(of('TwoShards')).toBeCloseTo(21.9, 6); // 2 × 730 × 0.015, no extended retention at 24 h
    expect(of('Consumer')).toBeCloseTo(21.9, 6); // 2 × 730 × 0.015
    expect(of('Table')).toBeCloseTo(2 * (3 * 0.00013 + 4 * 0.00065) * 730, 6); // 4.3654
    expect(of('Alarm')).toBeCloseTo(0.2, 6); // a metric-math alarm is billed per metric it reads
    expect(of('Dashboard')).toBe(3);
    // CloudWatch's always-free tier takes the dashboard and both alarm metrics off.
    expect(idle.cloudWatchFreeTierUsd).toBeCloseTo(3.2, 6);
  });

  test.each([
    ['rate(1 minute)', 43_800],
    ['rate(5 minutes)', 8_760],
    ['rate(1 hour)', 730],
    ['rate(2 days)', 15.208333333],
  ])('%s is %d invocations a month', (expression, expected) => {
    expect(invocationsPerMonth(expression)).toBeCloseTo(expected, 6);
  });

  test('a schedule it cannot read is refused, naming it', () => {
    expect(() => invocationsPerMonth('cron(0 12 * * ? *)')).toThrow('cannot price schedule "cron(0 12 * * ? *)"');
  });
});

describe('cost per million events', () => {
  const bench: BenchInputs = { ingestMsPerEvent: 0.1, routerMsPerEvent: 0.7, writeUnitsPerEvent: 2, eventBytes: 1000, kmsCallsPerEvent: 0, sources: [] };
  const idle: IdleCost = { lines: [{ kind: 'key', resource: 'Key', what: 'key', usdPerMonth: 1 }], usdPerMonth: 1, cloudWatchFreeTierUsd: 0 };
  const memory = { ingestGb: 0.5, routerGb: 1 };
  const defaults = { lowLatency: false, tables: 'onDemand', stream: 'provisioned', ingest: 'httpApi', shardCount: 1, retentionHours: 24 } as const;

  test('10 events/s, prod defaults: each line and the total by hand', () => {
    const cost = rateCost(10, defaults, idle, memory, bench);
    const line = (prefix: string) => cost.lines.find((l) => l.item.startsWith(prefix))!.usdPerMonth;
    expect(line('fixed')).toBe(1);
    expect(line('Kinesis 1 shard')).toBeCloseTo(10.95, 6);
    expect(line('Kinesis PUT')).toBeCloseTo(0.36792, 6); // 26.28 M records × $0.014/M
    expect(line('Lambda ingest')).toBeCloseTo(3.5215376, 5); // 10 × 20.1 ms × 0.5 GB × 2,628,000 s × 0.0000133334
    expect(line('Lambda router')).toBeCloseTo(1.2964865, 5); // (1 × 30 + 10 × 0.7) ms × 1 GB, one poll a second
    expect(line('Lambda requests')).toBeCloseTo(5.7816, 6); // 11 a second
    expect(line('X-Ray')).toBeCloseTo(32.193, 6); // (1.45 + 1) traces a second × $5/M
    expect(line('CloudWatch Logs')).toBeCloseTo(15.6641006, 5); // (11 × 800 + 10 × 400) B a second at $0.50/GiB
    expect(line('HTTP API')).toBeCloseTo(26.28, 6);
    expect(line('DynamoDB write')).toBeCloseTo(32.85, 6); // 26.28 M × 2 × $0.625/M
    expect(line('DynamoDB read')).toBeCloseTo(3.285, 6);
    expect(line('data transfer')).toBeCloseTo(3.3041462, 5); // 26.28 M × 1,500 B at $0.09/GiB
    expect(cost.usdPerMonth).toBeCloseTo(136.493791, 4);
    expect(cost.usdPerMillionEvents).toBeCloseTo(5.193828, 5);
  });

  test('ingest behind a function URL drops the API charge and the access logs', () => {
    const api = rateCost(10, defaults, idle, memory, bench);
    const url = rateCost(10, { ...defaults, ingest: 'functionUrl' }, idle, memory, bench);
    expect(url.lines.some((l) => l.item.startsWith('HTTP API'))).toBe(false);
    // $26.28 of requests and 10 × 400 B a second of access logs ($4.8946).
    expect(api.usdPerMonth - url.usdPerMonth).toBeCloseTo(26.28 + (10 * 400 * 2_628_000 * 0.5) / 1024 ** 3, 5);
  });

  test('lowLatency adds a consumer-shard hour per shard and the enhanced fan-out reads, and more router invocations', () => {
    const polled = rateCost(100, defaults, idle, memory, bench);
    const pushed = rateCost(100, { ...defaults, lowLatency: true }, idle, memory, bench);
    const line = (cost: typeof pushed, prefix: string) => cost.lines.find((l) => l.item.startsWith(prefix))?.usdPerMonth;
    expect(line(pushed, 'enhanced fan-out consumer')).toBeCloseTo(10.95, 6);
    expect(line(pushed, 'enhanced fan-out data')).toBeCloseTo((262.8e6 * 1000 * 0.013) / 1024 ** 3, 6); // $3.1818
    // 31 invocations a second back to back: (1 s - 100 × 0.7 ms) / 30 ms, instead of one poll a second.
    expect(routerInvocationsPerShard(100, true, 0.7, 30, 100)).toBeCloseTo(31, 9);
    expect(routerInvocationsPerShard(100, false, 0.7, 30, 100)).toBe(1);
    expect(pushed.usdPerMonth).toBeGreaterThan(polled.usdPerMonth);
  });

  test('provisioned tables are sized to the rate (70%) unless configured larger; on-demand stream pays its hour and GBs', () => {
    const tables = rateCost(10, { ...defaults, tables: { provisioned: { read: 1, write: 1 } } }, idle, memory, bench);
    // ceil(20 / 0.7) = 29 WCU, ceil(10 / 0.7) = 15 RCU, for 730 h.
    expect(tables.lines.find((l) => l.item.startsWith('DynamoDB provisioned'))!.usdPerMonth).toBeCloseTo((29 * 0.00065 + 15 * 0.00013) * 730, 6);
    const onDemand = rateCost(10, { ...defaults, stream: 'onDemand' }, idle, memory, bench);
    const line = (prefix: string) => onDemand.lines.find((l) => l.item.startsWith(prefix))!.usdPerMonth;
    expect(line('Kinesis on-demand stream hours')).toBeCloseTo(29.2, 6);
    expect(line('Kinesis on-demand data in')).toBeCloseTo((26.28e6 * 1024 * 0.08) / 1024 ** 3, 6); // 1 KB units: $2.0050
    expect(line('Kinesis on-demand data out')).toBeCloseTo((26.28e6 * 1024 * 0.04) / 1024 ** 3, 6);
  });

  test('shards: at least the configured count, more at 80% of 1,000 records or 1 MiB a second', () => {
    expect(shardsFor(10, 1000, 1, 0.8)).toBe(1);
    expect(shardsFor(1000, 933, 1, 0.8)).toBe(2);
    expect(shardsFor(100, 100_000, 1, 0.8)).toBe(12); // 10 MB a second
    expect(shardsFor(10, 1000, 4, 0.8)).toBe(4);
  });

  test('X-Ray samples the first request each second, then 5%', () => {
    expect(tracesPerSecond(0)).toBe(0);
    expect(tracesPerSecond(0.5)).toBe(0.5);
    expect(tracesPerSecond(1001)).toBeCloseTo(51, 9);
  });

  test('EventBridge: $1.00 a million events published plus $0.20 a million API destination invocations', () => {
    expect(eventBridgeUsdPerMillion()).toBeCloseTo(1.2, 9);
  });
});

describe('bench inputs', () => {
  const row = (name: string, value: number): BenchRow => ({ name, value, unit: '', baseline: '', baselineValue: 1, ratio: 1, goal: '', met: true });

  test('Lambda ms per event are the inverse of the measured throughputs, and each figure says its row', () => {
    const inputs = benchInputs([
      row('ingest events/s (batches of 500, 4 in flight, duplicate check included) vs raw PutRecords', 8000),
      row('DynamoDB requests per event on the local bus hot path (ingest 0.010 + router 0.050; router stored 2500 events/s)', 0.06),
      row('webhook deliveries/s, one engine invocation of 2,000 records', 2000),
      row('DynamoDB write units per ~1 KB event in AWS terms, indexes included (events of 900 B, item ≤ 739 B)', 2),
      row('KMS calls per 100,000 stored events (3805 events/s)', 4),
    ]);
    expect(inputs.ingestMsPerEvent).toBeCloseTo(0.125, 9);
    expect(inputs.routerMsPerEvent).toBeCloseTo(0.4 + 0.5, 9);
    expect(inputs.writeUnitsPerEvent).toBe(2);
    expect(inputs.eventBytes).toBe(900);
    expect(inputs.kmsCallsPerEvent).toBeCloseTo(0.00004, 12);
    expect(inputs.sources[0]).toBe('ingest events/s: 8000 from bench row "ingest events/s (batches of 500, 4 in flight, duplicate check included) vs raw PutRecords"');
  });

  test('without results: the committed figures, saying so', () => {
    const inputs = benchInputs([]);
    expect(inputs.ingestMsPerEvent).toBeCloseTo(1000 / 9045, 9);
    expect(inputs.sources.every((source) => source.includes('no bench row'))).toBe(true);
  });
});
