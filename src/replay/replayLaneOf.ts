import type { CloudEventJson } from '../events/types';
import { laneOf } from '../delivery/ledger/laneOf';
import type { DeliveryOptions } from '../routing/subscriptionTypes';

/** Prefix of every ledger lane a replay writes to. */
export const REPLAY_LANE_PREFIX = 'replay:';

/**
 * The ledger lane of a replayed delivery that failed: `replay:<jobId>:` before the lane a live delivery of the event
 * would take (`key:<partitionKey>` for an ordered subscription, `event:<hash>` otherwise). So a replay's failures
 * wait and are retried apart from live traffic: a failing replayed event never holds back a live one of its key,
 * and within one replay an ordered key's later events queue behind it, in stream order.
 */
export function replayLaneOf(
  jobId: string,
  subscription: { delivery: Pick<DeliveryOptions, 'ordered'> },
  event: Pick<CloudEventJson, 'source' | 'id'>,
  partitionKey: string,
): string {
  return `${REPLAY_LANE_PREFIX}${jobId}:${laneOf(subscription, event, partitionKey)}`;
}
