import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { ENV } from '../src/wiring/environment';
import type { EventStore } from './EventStore';
import { checkIntegerInRange } from './propChecks';
import { SwitchyardFunction, type SwitchyardFunctionProps } from './SwitchyardFunction';

/** Props of {@link EventTrim}. */
export interface EventTrimProps extends Pick<SwitchyardFunctionProps, 'logEncryptionKey' | 'logRetention' | 'logRemovalPolicy'> {
  /** The event store to trim. */
  readonly eventStore: EventStore;
  /** Most events kept per type (1 to 100,000,000): the oldest beyond it are deleted. */
  readonly maxEventsPerType: number;
  /** Name of the stage, for descriptions. */
  readonly stage: string;
  /**
   * How often the trim runs; between runs a type may hold more than the maximum.
   * @default Duration.hours(1)
   */
  readonly every?: Duration;
  /**
   * Handler module, relative to the repository root.
   * @default 'lambdas/trim/index.ts'
   */
  readonly entry?: string;
}

/**
 * The per-type maximum of stored events (CHEFS `max_msgs`): a small function started on a schedule that deletes
 * each type's oldest events beyond `maxEventsPerType` (`trimEventsPerType`: Query and COUNT, never a scan). It
 * exists only on stages that set the maximum; idle, it costs one short invocation per run.
 */
export class EventTrim extends Construct {
  /** The trim function. */
  public readonly fn: SwitchyardFunction;
  /** Its schedule. */
  public readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: EventTrimProps) {
    super(scope, id);
    checkIntegerInRange(this, 'maxEventsPerType', props.maxEventsPerType, 1, 100_000_000);
    this.fn = new SwitchyardFunction(this, 'Function', {
      entry: props.entry ?? 'lambdas/trim/index.ts',
      serviceName: 'switchyard-trim',
      description: `Switchyard ${props.stage}: keeps at most ${props.maxEventsPerType} stored events per type (the oldest beyond it deleted)`,
      memorySize: 256,
      timeout: Duration.minutes(5),
      environment: {
        [ENV.eventTableName]: props.eventStore.tableName,
        [ENV.maxEventsPerType]: String(props.maxEventsPerType),
      },
      logEncryptionKey: props.logEncryptionKey,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    props.eventStore.grantTrim(this.fn);
    this.schedule = new events.Rule(this, 'Schedule', {
      description: `Switchyard ${props.stage}: starts the trim of stored events per type`,
      schedule: events.Schedule.rate(props.every ?? Duration.hours(1)),
      targets: [new eventTargets.LambdaFunction(this.fn.function, { retryAttempts: 0 })],
    });
  }
}
