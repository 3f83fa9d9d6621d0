import { resolveStageConfig } from '../../lib/resolveStageConfig';
import { cdkJsonContext } from './helpers';

const STAGES = {
  dev: { shardCount: 1, retentionHours: 24, removalPolicy: 'destroy' },
  prod: { shardCount: 4, retentionHours: 168, apiThrottle: { rateLimit: 100, burstLimit: 200 } },
};

describe('resolveStageConfig', () => {
  test('returns the named stage', () => {
    expect(resolveStageConfig(STAGES, 'prod')).toEqual(STAGES.prod);
  });

  test('without a stage, says to pass -c stage=<name> and lists the stages', () => {
    expect(() => resolveStageConfig(STAGES, undefined)).toThrow(
      'no stage given: run cdk with -c stage=<name>, where <name> is one of: dev, prod',
    );
  });

  test('rejects an unknown stage, listing the known ones', () => {
    expect(() => resolveStageConfig(STAGES, 'staging')).toThrow(
      'unknown stage "staging": known stages are dev, prod (cdk.json context.stages)',
    );
  });

  test('rejects a stage name that cannot be part of a stack name', () => {
    expect(() => resolveStageConfig({ ...STAGES, 'my stage': STAGES.dev }, 'my stage')).toThrow(
      'stage must be a letter followed by up to 63 letters, digits or hyphens, got "my stage"',
    );
  });

  test('rejects a missing stages object', () => {
    expect(() => resolveStageConfig(undefined, 'dev')).toThrow('cdk.json has no stages');
  });

  test('accepts the delivery settings: lambdaTargets as a list of ARNs, maxSubscriptions, router concurrency', () => {
    const dev = {
      ...STAGES.dev,
      lambdaTargets: ['arn:aws:lambda:ap-southeast-2:123456789012:function:audit'],
      maxSubscriptions: 50,
      routerReservedConcurrency: 4,
    };
    expect(resolveStageConfig({ dev }, 'dev')).toEqual(dev);
  });

  test.each(['engineRetryAttempts', 'engineMaxRecordAgeHours', 'archiveRetryAttempts', 'archiveMaxRecordAgeHours', 'archiveReservedConcurrency', 'dedupeWindowSeconds'])(
    'tells a stage that still sets %s that it was removed, and why',
    (key) => {
      expect(() => resolveStageConfig({ dev: { ...STAGES.dev, [key]: 3 } }, 'dev')).toThrow(new RegExp(`stages\\.dev: "${key}" was removed \\(.+\\); delete it from cdk\\.json`));
    },
  );

  test('rejects a missing required key', () => {
    expect(() => resolveStageConfig({ dev: { shardCount: 1 } }, 'dev')).toThrow('stages.dev.retentionHours is required');
  });

  test('rejects an unknown key (a typo is not a silent default)', () => {
    expect(() => resolveStageConfig({ dev: { ...STAGES.dev, shardcount: 2 } }, 'dev')).toThrow(
      'stages.dev: unknown key "shardcount"; known keys are shardCount, retentionHours,',
    );
  });

  test.each([
    [{ shardCount: '2' }, 'stages.dev.shardCount must be a number, got "2"'],
    [{ removalPolicy: 'snapshot' }, 'stages.dev.removalPolicy must be one of "retain", "destroy", got "snapshot"'],
    [{ apiThrottle: { rateLimit: 1 } }, 'stages.dev.apiThrottle must be { "rateLimit": <number>, "burstLimit": <number> }, got {"rateLimit":1}'],
    [{ region: '' }, 'stages.dev.region must be a non-empty string, got ""'],
    [{ lambdaTargets: 'arn:aws:lambda:ap-southeast-2:123456789012:function:audit' }, 'stages.dev.lambdaTargets must be an array of non-empty strings, got "arn:aws:lambda:ap-southeast-2:123456789012:function:audit"'],
    [{ lambdaTargets: [''] }, 'stages.dev.lambdaTargets must be an array of non-empty strings, got [""]'],
  ])('rejects mistyped %p', (override, message) => {
    expect(() => resolveStageConfig({ dev: { ...STAGES.dev, ...override } }, 'dev')).toThrow(message);
  });

  test('accepts every stage of cdk.json, which has dev, ci and prod', () => {
    const { stages } = cdkJsonContext() as { stages: Record<string, unknown> };
    expect(Object.keys(stages)).toEqual(expect.arrayContaining(['dev', 'ci', 'prod']));
    for (const name of Object.keys(stages)) {
      expect(() => resolveStageConfig(stages, name)).not.toThrow();
    }
  });
});
