import type { Context, ScheduledEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SweepResult } from '../../src/engine/Redeliverer';
import type { ReplayRunResult } from '../../src/replay/ReplayRunner';
import { redeliverSweepSeconds, redelivererFromEnvironment, replayRunnerFromEnvironment } from '../../src/wiring/deliveryFromEnvironment';

const logger = new Logger({ serviceName: 'switchyard-redeliver' });
const metrics = new Metrics({ namespace: 'Switchyard', serviceName: 'switchyard-redeliver' });
const redeliverer = redelivererFromEnvironment(process.env, logger, metrics);
const replays = replayRunnerFromEnvironment(process.env, logger, metrics);
const sweepMs = redeliverSweepSeconds(process.env) * 1000;

/**
 * Time kept free at the end of the invocation: no round starts later than this before the function's timeout,
 * so deliveries already started can finish (one that cannot is retried when its lease runs out).
 */
const SAFETY_MARGIN_MS = 20_000;

/**
 * Started every minute by a schedule: sweeps due deliveries about every second for `REDELIVER_SWEEP_SECONDS`
 * (bounded by the time the invocation has left), so short backoffs are honoured to within about a second; beside
 * the sweep, runs the replay jobs there are (`switchyard replay`), apart from the router so live traffic never waits.
 */
export const handler = async (
  _event?: Partial<ScheduledEvent>,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<SweepResult & { replay: ReplayRunResult }> => {
  const now = Date.now();
  const remaining = context ? context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS : sweepMs;
  const untilMs = now + Math.max(0, Math.min(sweepMs, remaining));
  try {
    const [sweep, replay] = await Promise.all([redeliverer.sweep({ untilMs }), replays.run({ untilMs })]);
    return { ...sweep, replay };
  } finally {
    // Only when there is something: Powertools warns on every empty publish.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
