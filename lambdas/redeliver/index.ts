import type { Context, ScheduledEvent } from 'aws-lambda';
import type { SweepResult } from '../../src/engine/Redeliverer';
import { countKmsRequests, countPendingDeliveries, FUNCTION_METRIC, functionTelemetry, SERVICE } from '../../src/observability';
import type { ReplayRunResult } from '../../src/replay/ReplayRunner';
import { createAwsClients } from '../../src/wiring/awsClients';
import { redeliverSweepSeconds, redelivererFromEnvironment, replayRunnerFromEnvironment } from '../../src/wiring/deliveryFromEnvironment';
import { ENV, requireEnv } from '../../src/wiring/environment';
import { redeliverWorkFromEnvironment } from '../../src/wiring/redeliverWorkFromEnvironment';

const telemetry = functionTelemetry(SERVICE.redeliver);
const clients = createAwsClients(process.env);
countKmsRequests(clients.kms, telemetry.metrics);
const redeliverer = redelivererFromEnvironment(process.env, telemetry.log, telemetry.metrics, clients);
const replays = replayRunnerFromEnvironment(process.env, telemetry.log, telemetry.metrics, clients);
const work = redeliverWorkFromEnvironment(process.env, telemetry.log, telemetry.metrics, clients);
const sweepMs = redeliverSweepSeconds(process.env) * 1000;
const deliveryTable = requireEnv(ENV.deliveryTableName, process.env);
/** The local bus calls this handler every second with metrics off: no backlog queries there. */
const metricsDisabled = process.env.POWERTOOLS_METRICS_DISABLED === 'true';

/**
 * Time kept free at the end of the invocation: no round starts later than this before the function's timeout,
 * so deliveries already started can finish (one that cannot is retried when its lease runs out).
 */
const SAFETY_MARGIN_MS = 20_000;

/** What an invocation with nothing to do did. */
const NOTHING_DONE = { rounds: 0, delivered: 0, failed: 0, deadLettered: 0, replay: { pages: 0, delivered: 0, failed: 0 } };

/**
 * Started every minute by a schedule: sweeps due deliveries about every second for `REDELIVER_SWEEP_SECONDS`
 * (bounded by the time the invocation has left), so short backoffs are honoured to within about a second; beside
 * the sweep, runs the replay jobs there are (`switchyard replay`), apart from the router so live traffic never waits.
 * Each start first records the retry backlog (`PendingDeliveries`) for the dashboard. When nothing falls due before
 * the sweep would end and no replay job can be taken, it returns at once (`idle`): an idle stage pays for a few
 * milliseconds a minute, not a 55-second sweep; what falls due later is taken by the next minute's start.
 */
export const handler = async (
  _event?: Partial<ScheduledEvent>,
  context?: Context,
): Promise<SweepResult & { replay: ReplayRunResult; idle: boolean }> => {
  telemetry.begin(context);
  const now = Date.now();
  const remaining = context ? context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS : sweepMs;
  const untilMs = now + Math.max(0, Math.min(sweepMs, remaining));
  try {
    await recordBacklog();
    if (!(await work.anyBefore(untilMs))) return { ...NOTHING_DONE, idle: true };
    const [sweep, replay] = await Promise.all([redeliverer.sweep({ untilMs }), replays.run({ untilMs })]);
    return { ...sweep, replay, idle: false };
  } finally {
    telemetry.flush();
  }
};

/** The backlog gauge; a failure to count is logged, never a reason to skip the sweep. */
async function recordBacklog(): Promise<void> {
  if (metricsDisabled) return;
  try {
    const pending = await countPendingDeliveries({ documents: clients.documents, tableName: deliveryTable });
    telemetry.metrics.addMetric(FUNCTION_METRIC.pendingDeliveries, 'Count', pending);
  } catch (error) {
    telemetry.logger.warn('could not count the pending deliveries', { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
  }
}
