import { createHash } from 'node:crypto';
import type { CloudEventJson } from '../../events/types';
import type { DeliveryOptions } from '../../routing/subscriptionTypes';

/** Lane name prefixes: one lane per partition key (ordered), per event (unordered), per redriven dead letter. */
export const LANE_PREFIX = { key: 'key:', event: 'event:', redrive: 'redrive:' } as const;

/**
 * The lane of a delivery (see `types.ts`): `key:<partitionKey>` for an ordered subscription, so the events of
 * one key wait behind each other; otherwise `event:<sha256 of source + id>`, a lane of its own that holds
 * nothing back. `partitionKey` is `partitionKeyOf(event)`, already bounded to 256 characters.
 */
export function laneOf(
  subscription: { delivery: Pick<DeliveryOptions, 'ordered'> },
  event: Pick<CloudEventJson, 'source' | 'id'>,
  partitionKey: string,
): string {
  if (subscription.delivery.ordered) return `${LANE_PREFIX.key}${partitionKey}`;
  return `${LANE_PREFIX.event}${digest([event.source, event.id])}`;
}

/**
 * The lane a redriven dead letter moves to: its own, derived from where it died, so redriving the same dead
 * letter twice lands on the same item (idempotent), and an ordered key's later events are not held behind it.
 */
export function redriveLaneOf(deadLane: string, sequence: string): string {
  return `${LANE_PREFIX.redrive}${digest([deadLane, sequence])}`;
}

/** JSON-quoted so no two tuples share a digest whatever characters they hold. */
function digest(parts: string[]): string {
  return createHash('sha256').update(JSON.stringify(parts), 'utf8').digest('base64url');
}
