import { DeliveryLedger, laneOf, type DeliveryRef } from '../../../../src/delivery/ledger';
import { makeEvent } from '../../../helpers/cloudEvents';
import { MemoryLedgerStore } from './support/MemoryLedgerStore';
import { memoryEventKeys } from './support/memoryEventKeys';

// `recentAttempts`: one subscription's logged attempts since a time (the console's last-hour figures), over the
// in-memory store as the other ledger unit tests.

const T0 = Date.UTC(2026, 11, 6, 9, 0, 0);
let now = T0;
let sequence = 1000n;
const ledger = new DeliveryLedger({ store: new MemoryLedgerStore(), keys: memoryEventKeys(), clock: () => now });
const refOf = (subscriptionId: string, event: ReturnType<typeof makeEvent>): DeliveryRef => ({
  subscriptionId,
  lane: laneOf({ delivery: { ordered: false } }, event, '-'),
  sequence: String(++sequence),
});

test("answers only that subscription's attempts at or after the time, oldest first, with their event's source and id", async () => {
  const old = makeEvent({ source: '/a' });
  const recent = makeEvent({ source: '/b' });
  const other = makeEvent({ source: '/c' });
  await ledger.recordFailure(refOf('billing', old), old, { at: T0, status: 500, reason: 'http_status', error: 'e', durationMs: 5 }, 3);
  now = T0 + 120_000;
  await ledger.recordFailure(refOf('billing', recent), recent, { at: now, status: 503, reason: 'throttled', error: 'e', durationMs: 9 }, 3);
  await ledger.recordFailure(refOf('billing-2', other), other, { at: now, status: 500, reason: 'http_status', error: 'e', durationMs: 1 }, 3);

  const { attempts, more } = await ledger.recentAttempts('billing', T0 + 60_000);
  expect(more).toBe(false);
  expect(attempts.map((a) => [a.source, a.id, a.status, a.durationMs, a.outcome])).toEqual([['/b', recent.id, 503, 9, 'retry']]);
  expect((await ledger.recentAttempts('billing', T0)).attempts.map((a) => a.source)).toEqual(['/a', '/b']);
  expect(await ledger.recentAttempts('billing', T0, 1)).toMatchObject({ more: true, attempts: [expect.anything()] });
  await expect(ledger.recentAttempts('bad#id', T0)).rejects.toThrow(RangeError);
});
