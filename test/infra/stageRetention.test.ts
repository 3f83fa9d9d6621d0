import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { EventTrim } from '../../lib/EventTrim';
import { resolveStageConfig, type StageConfig } from '../../lib/resolveStageConfig';
import { SwitchyardStage } from '../../lib/SwitchyardStage';
import { EVENT_TTL_ATTRIBUTE } from '../../src/store/constants';
import { DEFAULT_MAX_WORKER_CONSUMERS } from '../../src/worker/ConsumerRegistry';
import { ENV } from '../../src/wiring/environment';
import { KEY_DECRYPT_ACTIONS } from '../../lib/perms';
import { allowedPairs, cdkJsonContext, nagFindings, pairs, testApp } from './helpers';

/**
 * Retention and limits of a stage (issue 11 items 2 and 3): TTL attributes on the event store and the ledger,
 * `retentionDays` and `deadLetterDays` to the functions that write those items, the stream's `retentionHours`,
 * `maxWorkerConsumers` as an output, and the range checks of each. The code is not bundled here.
 */
const ENV_OF_STACK = { account: '123456789012', region: 'ap-southeast-2' };
const BASE: StageConfig = { shardCount: 1, retentionHours: 48 };

function synth(config: StageConfig) {
  const stack = new SwitchyardStage(testApp({ bundle: false }), 'Switchyard-ret', { stage: 'ret', config, env: ENV_OF_STACK });
  return { stack, template: Template.fromStack(stack) };
}

function tableOf(stack: SwitchyardStage, template: Template, table: { table: { node: { defaultChild?: unknown } } }) {
  return template.toJSON().Resources[stack.getLogicalId(table.table.node.defaultChild as never)].Properties;
}

function environmentOf(stack: SwitchyardStage, template: Template, fn: { function: { node: { defaultChild?: unknown } } }): Record<string, string> {
  return template.toJSON().Resources[stack.getLogicalId(fn.function.node.defaultChild as never)].Properties.Environment.Variables;
}

describe('stage retention and limits', () => {
  describe('with retentionDays, deadLetterDays and maxWorkerConsumers', () => {
    let stack: SwitchyardStage;
    let template: Template;
    beforeAll(() => {
      ({ stack, template } = synth({ ...BASE, retentionDays: 90, deadLetterDays: 30, maxWorkerConsumers: 5 }));
    });

    test('the event store expires items by ttl, the ledger by expiresAt', () => {
      expect(tableOf(stack, template, stack.eventStore).TimeToLiveSpecification).toEqual({ AttributeName: EVENT_TTL_ATTRIBUTE, Enabled: true });
      expect(tableOf(stack, template, stack.deliveryLedger).TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    });

    test('the router stamps events with EVENT_RETENTION_DAYS; router and redeliver stamp dead letters with DEAD_LETTER_DAYS; ingest neither', () => {
      const router = environmentOf(stack, template, stack.router);
      expect(router).toMatchObject({ [ENV.eventRetentionDays]: '90', [ENV.deadLetterDays]: '30' });
      expect(environmentOf(stack, template, stack.redeliver)).toMatchObject({ [ENV.deadLetterDays]: '30' });
      expect(environmentOf(stack, template, stack.redeliver)).not.toHaveProperty(ENV.eventRetentionDays);
      const ingest = environmentOf(stack, template, stack.ingest);
      expect(ingest).not.toHaveProperty(ENV.eventRetentionDays);
      expect(ingest).not.toHaveProperty(ENV.deadLetterDays);
    });

    test('the stream keeps records for retentionHours', () => {
      template.hasResourceProperties('AWS::Kinesis::Stream', { RetentionPeriodHours: 48 });
    });

    test('maxWorkerConsumers is an output, for worker processes (MAX_WORKER_CONSUMERS)', () => {
      template.hasOutput('MaxWorkerConsumers', { Value: '5' });
    });
  });

  test('without them: the TTLs are on (items without the attribute never expire), nothing is stamped, the consumer limit is the default', () => {
    const { stack, template } = synth(BASE);
    expect(tableOf(stack, template, stack.eventStore).TimeToLiveSpecification).toEqual({ AttributeName: EVENT_TTL_ATTRIBUTE, Enabled: true });
    const router = environmentOf(stack, template, stack.router);
    expect(router).not.toHaveProperty(ENV.eventRetentionDays);
    expect(router).not.toHaveProperty(ENV.deadLetterDays);
    template.hasOutput('MaxWorkerConsumers', { Value: String(DEFAULT_MAX_WORKER_CONSUMERS) });
  });

  describe('maxEventsPerType', () => {
    let stack: SwitchyardStage;
    let template: Template;
    let trim: EventTrim;
    beforeAll(() => {
      ({ stack, template } = synth({ ...BASE, maxEventsPerType: 10_000 }));
      trim = stack.node.findChild('EventTrim') as EventTrim;
    });

    test('adds a trim function started every hour, with the table and the maximum', () => {
      expect(environmentOf(stack, template, trim.fn)).toMatchObject({ [ENV.eventTableName]: stack.resolve(stack.eventStore.tableName), [ENV.maxEventsPerType]: '10000' });
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 hour)',
        Targets: [{ Arn: stack.resolve(trim.fn.function.functionArn) }],
      });
    });

    test('the trim function may query the index and delete by key: no Scan, no item reads, no writes of items', () => {
      const table = stack.eventStore.table;
      const expected = [
        ...pairs(stack, ['dynamodb:Query'], [`${table.tableArn}/index/byTypeBucket`]),
        ...pairs(stack, ['dynamodb:BatchWriteItem'], [table.tableArn]),
        ...pairs(stack, [...KEY_DECRYPT_ACTIONS], [stack.key.key.keyArn]),
      ];
      const role = trim.fn.function.role as iam.IRole;
      const allowed = [...allowedPairs(template, stack, role)].filter((entry) => !entry.startsWith('xray:') && !entry.startsWith('logs:'));
      expect(allowed.sort()).toEqual(expected.sort());
    });

    test('is cdk-nag clean', () => {
      expect(nagFindings(stack)).toEqual([]);
    });

    test('is absent without the setting, and refused out of range', () => {
      const { stack: plain } = synth(BASE);
      expect(plain.node.tryFindChild('EventTrim')).toBeUndefined();
      expect(() => synth({ ...BASE, maxEventsPerType: 0 })).toThrow('Switchyard-ret/EventTrim: maxEventsPerType must be an integer between 1 and 100000000, got 0');
    });
  });

  test.each([
    [{ retentionDays: 0 }, 'Switchyard-ret: config.retentionDays must be an integer between 1 and 36500 days, got 0'],
    [{ retentionDays: 1.5 }, 'Switchyard-ret: config.retentionDays must be an integer between 1 and 36500 days, got 1.5'],
    [{ deadLetterDays: 4000 }, 'Switchyard-ret: config.deadLetterDays must be an integer between 1 and 3650 days, got 4000'],
    [{ maxWorkerConsumers: 0 }, 'Switchyard-ret: config.maxWorkerConsumers must be an integer between 1 and 1000, got 0'],
  ])('refuses %j', (settings, message) => {
    expect(() => synth({ ...BASE, ...settings })).toThrow(message);
  });

  test('refuses an event retention shorter than the stream keeps records (the store is the dedupe record)', () => {
    expect(() => synth({ ...BASE, retentionHours: 168, retentionDays: 3 })).toThrow(
      "Switchyard-ret: config.retentionDays (3 days) must cover the stream's retentionHours (168 h): the event store dedupes what the stream redelivers",
    );
  });

  test('resolveStageConfig refuses mistyped settings, naming them', () => {
    const stages = { s: { shardCount: 1, retentionHours: 24, retentionDays: '30', configWriters: 'arn' } };
    expect(() => resolveStageConfig(stages, 's')).toThrow('stages.s.retentionDays must be a number, got "30"');
    expect(() => resolveStageConfig({ s: { shardCount: 1, retentionHours: 24, configWriters: 'arn' } }, 's')).toThrow('stages.s.configWriters must be an array of non-empty strings, got "arn"');
    expect(() => resolveStageConfig({ s: { shardCount: 1, retentionHours: 24, allowedTargetHosts: [''] } }, 's')).toThrow('stages.s.allowedTargetHosts must be an array of non-empty strings');
  });

  test.each(['ci', 'prod'])("cdk.json's %s stage sets a retention for events and dead letters that covers its stream", (name) => {
    const config = resolveStageConfig(cdkJsonContext().stages, name);
    expect(config.retentionDays).toBeGreaterThanOrEqual(config.retentionHours / 24);
    expect(config.deadLetterDays).toBeGreaterThanOrEqual(1);
  });
});
