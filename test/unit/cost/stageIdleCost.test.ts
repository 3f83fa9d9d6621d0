import { idleCostOf, type IdleCost } from '../../../tools/cost/idleCost';
import { cdkJsonStages, synthStageTemplate } from '../../../tools/cost/synthStageTemplate';

// The idle bill of cdk.json's prod stage, read from its template synthesized in this process: it follows whatever
// the stage builds (another alarm, a second key, a setting changed in cdk.json).

describe('the idle cost of the prod stage of cdk.json', () => {
  let idle: IdleCost;
  beforeAll(() => {
    idle = idleCostOf(synthStageTemplate('prod', cdkJsonStages().prod));
  }, 120_000);

  const sum = (kinds: string[]) => idle.lines.filter((line) => kinds.includes(line.kind)).reduce((total, line) => total + line.usdPerMonth, 0);

  test('is at most $15 a month at zero traffic for a prod stage alone in its account (CloudWatch always-free tier applied)', () => {
    expect(idle.usdPerMonth - idle.cloudWatchFreeTierUsd).toBeLessThanOrEqual(15);
  });

  test('what the stage itself adds (stream, keys, secrets, the idle schedule) is at most $15 a month at list price', () => {
    expect(sum(['stream', 'consumer', 'table', 'key', 'secret', 'schedule'])).toBeLessThanOrEqual(15);
  });

  test('one shard kept 24 hours: no extended retention, no consumer, no provisioned tables', () => {
    const stream = idle.lines.filter((line) => line.kind === 'stream');
    expect(stream.map((line) => line.what)).toEqual(['1 shard(s) × 730 h']);
    expect(sum(['consumer', 'table'])).toBe(0);
  });

  test('the redeliver schedule costs cents, not a 55-second sweep a minute (about $32)', () => {
    expect(sum(['schedule'])).toBeLessThan(1);
  });

  test('the list figure is the sum of its lines', () => {
    expect(idle.usdPerMonth).toBeCloseTo(idle.lines.reduce((total, line) => total + line.usdPerMonth, 0), 9);
  });
});
