import type { DeliveryAttempt, LedgerEntry } from '../../delivery/ledger/types';
import { ACTIVITY_WINDOW_MS, keyOf } from '../subscriptionActivity';
import type { ConsoleDeps, ConsoleRequest } from '../types';

const LISTED = 100;

/** A ledger entry as the page shows it: the event's attributes, never its data. */
function entryOf(entry: LedgerEntry) {
  return {
    subscriptionId: entry.subscriptionId,
    lane: entry.lane,
    sequence: entry.sequence,
    state: entry.state,
    id: entry.event.id,
    source: entry.event.source,
    type: entry.event.type,
    attempts: entry.attempts,
    ...(entry.nextAttemptAt ? { nextAttemptAt: new Date(entry.nextAttemptAt).toISOString() } : {}),
    ...(entry.deadAt ? { deadAt: new Date(entry.deadAt).toISOString(), deadReason: entry.deadReason } : {}),
    ...(entry.last ? { lastError: entry.last.error, lastStatus: entry.last.status } : {}),
  };
}

/**
 * `GET /subscriptions/:id/deliveries`: the subscription's pending and dead deliveries in the ledger, each with
 * every logged attempt, then those of the last hour that a retry delivered (they have left the ledger).
 */
export async function subscriptionDeliveries(deps: ConsoleDeps, _request: ConsoleRequest, id: string) {
  const now = (deps.now ?? Date.now)();
  const [ledger, recent] = await Promise.all([
    deps.ledger.listDeliveries(id, { limit: LISTED }),
    deps.ledger.recentAttempts(id, now - ACTIVITY_WINDOW_MS),
  ]);
  const logged = new Map<string, DeliveryAttempt[]>();
  const identity = new Map<string, { source: string; id: string }>();
  for (const attempt of recent.attempts) {
    const key = keyOf(attempt.source, attempt.id);
    logged.set(key, [...(logged.get(key) ?? []), attempt]);
    identity.set(key, { source: attempt.source, id: attempt.id });
  }
  const inLedger = new Set<string>();
  const entries = await Promise.all(
    ledger.entries.map(async (entry) => {
      const key = keyOf(entry.event.source, entry.event.id);
      inLedger.add(key);
      const attempts = logged.get(key) ?? (await deps.ledger.attempts(id, entry.event.source, entry.event.id));
      return { ...entryOf(entry), history: attempts.map(attemptOf) };
    }),
  );
  const deliveredAfterRetry = [...logged.entries()]
    .filter(([key, attempts]) => !inLedger.has(key) && attempts.at(-1)?.outcome === 'delivered')
    .map(([key, attempts]) => ({ ...identity.get(key)!, state: 'delivered_after_retry', history: attempts.map(attemptOf) }));
  return { subscriptionId: id, entries, more: ledger.more, deliveredAfterRetry };
}

/** `GET /dead?cursor=`: dead letters across every subscription (a filtered scan of the ledger). */
export async function deadLetters(deps: ConsoleDeps, request: ConsoleRequest) {
  const cursor = request.query.get('cursor') ?? undefined;
  const page = await deps.ledger.listDead({ limit: LISTED, ...(cursor ? { cursor } : {}) });
  return { entries: page.entries.map(entryOf), ...(page.cursor ? { cursor: page.cursor } : {}) };
}

function attemptOf(attempt: DeliveryAttempt) {
  return {
    attempt: attempt.attempt,
    at: new Date(attempt.at).toISOString(),
    outcome: attempt.outcome,
    ...(attempt.status !== undefined ? { status: attempt.status } : {}),
    ...(attempt.durationMs !== undefined ? { durationMs: attempt.durationMs } : {}),
    ...(attempt.error ? { error: attempt.error } : {}),
    ...(attempt.deadReason ? { deadReason: attempt.deadReason } : {}),
  };
}
