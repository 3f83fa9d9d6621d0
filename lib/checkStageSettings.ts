import { Annotations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { allowedHostPatternProblem } from '../src/routing/config/allowedTargetHosts';
import { checkIntegerInRange } from './propChecks';
import type { StageConfig } from './resolveStageConfig';

/** Default of `maxWorkerConsumers` (Chef Automate's `listener_limit`). */
export { DEFAULT_MAX_WORKER_CONSUMERS } from '../src/worker/ConsumerRegistry';

/**
 * Range checks of the retention, limit and routing-guard settings (issue 11), and a warning where the stage's
 * limits let a client see an answer without `Retry-After`. Messages name the setting, the rule and the value.
 */
export function checkStageSettings(scope: IConstruct, config: StageConfig): void {
  checkIntegerInRange(scope, 'config.retentionDays', config.retentionDays, 1, 36_500, 'days');
  if (config.retentionDays !== undefined && config.retentionDays * 24 < config.retentionHours) {
    // The event store is the dedupe record: an event it no longer holds, still in the stream, would be stored twice.
    throw new Error(
      `${scope.node.path}: config.retentionDays (${config.retentionDays} days) must cover the stream's retentionHours (${config.retentionHours} h): the event store dedupes what the stream redelivers`,
    );
  }
  checkIntegerInRange(scope, 'config.deadLetterDays', config.deadLetterDays, 1, 3650, 'days');
  checkIntegerInRange(scope, 'config.maxWorkerConsumers', config.maxWorkerConsumers, 1, 1000);
  config.allowedTargetHosts?.forEach((pattern, index) => {
    const problem = allowedHostPatternProblem(pattern);
    if (problem) throw new Error(`${scope.node.path}: config.allowedTargetHosts[${index}] ${problem}`);
  });
  if (config.allowedTargetHosts?.length === 0) {
    throw new Error(`${scope.node.path}: config.allowedTargetHosts must list at least one host (omit it to allow any public host)`);
  }
  warnOfThrottleWithoutRetryAfter(scope, config);
}

/**
 * Lambda throttles ingest once its concurrent requests pass its reserved concurrency, and API Gateway then answers
 * the client 5xx without `Retry-After`. API Gateway's own limiter lets `burstLimit` requests in at once, so a burst
 * larger than the reserved concurrency reaches that throttle: the stage is warned (the synth goes on).
 */
function warnOfThrottleWithoutRetryAfter(scope: IConstruct, config: StageConfig): void {
  const reserved = config.ingestReservedConcurrency;
  const burst = config.apiThrottle?.burstLimit;
  if (reserved === undefined || burst === undefined || burst <= reserved) return;
  Annotations.of(scope).addWarningV2(
    'switchyard:intake-burst-over-concurrency',
    `apiThrottle.burstLimit (${burst}) is above ingestReservedConcurrency (${reserved}): a burst can throttle ingest, and clients then get a 5xx without Retry-After; keep burstLimit at or below the reserved concurrency`,
  );
}
