import type { KMSClient } from '@aws-sdk/client-kms';
import type { EngineMetrics } from '../engine/types';
import { FUNCTION_METRIC } from './constants';

const MIDDLEWARE_NAME = 'switchyardCountKmsRequests';

/**
 * Counts every request `kms` sends as `KmsRequests` (one per command, retries not counted again). AWS/KMS
 * publishes no per-key request metric, and CloudTrail would cost a trail and a query; the bus calls KMS only
 * through this client (data keys generated and unwrapped, cached), so counting here is exact. Idempotent.
 */
export function countKmsRequests(kms: KMSClient, metrics: EngineMetrics): void {
  if (kms.middlewareStack.identify().some((entry) => entry.startsWith(MIDDLEWARE_NAME))) return;
  kms.middlewareStack.add(
    (next) => async (args) => {
      metrics.addMetric(FUNCTION_METRIC.kmsRequests, 'Count', 1);
      return next(args);
    },
    { step: 'initialize', name: MIDDLEWARE_NAME },
  );
}
