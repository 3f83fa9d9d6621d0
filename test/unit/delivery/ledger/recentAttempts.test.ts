import { DeliveryLedger, DeliveryLog, MAX_RECENT_HOURS, laneOf, type AttemptItem, type DeliveryRef, type ListScope } from '../../../../src/delivery/ledger';
import { webhookIdOf } from '../../../../src/delivery/webhookIdOf';
import { makeEvent } from '../../../helpers/cloudEvents';
import { MemoryLedgerStore } from './support/MemoryLedgerStore';
import { memoryEventKeys } from './support/memoryEventKeys';

// `recentAttempts`: one subscription's logged attempts since a time (the console's last-hour figures), over the
// in-memory store as the other ledger unit tests. It reads the `RECENT#<subscription>#<hour>` copies the log
// writes beside each attempt, one Query per hour: never a Scan of the table (a `pkPrefix` listing).

const T0 = Date.UTC(2026, 11, 6, 9, 0, 0);
const MINUTE = 60_000;
let now: number;
let sequence: bigint;
let store: MemoryLedgerStore;
let ledger: DeliveryLedger;
let scopes: ListScope[];
beforeEach(() => {
  now = T0;
  sequence = 1000n;
  store = new MemoryLedgerStore();
  ledger = new DeliveryLedger({ store, keys: memoryEventKeys(), clock: () => now });
  scopes = [];
  const listPage = store.listPage.bind(store);
  jest.spyOn(store, 'listPage').mockImplementation((scope, limit, startKey) => {
    scopes.push(scope);
    return listPage(scope, limit, startKey);
  });
});

const refOf = (subscriptionId: string, event: ReturnType<typeof makeEvent>): DeliveryRef => ({
  subscriptionId,
  lane: laneOf({ delivery: { ordered: false } }, event, '-'),
  sequence: String(++sequence),
});
const fail = (at: number, status = 500) => ({ at, status, reason: 'http_status' as const, error: 'e', durationMs: 5 });

test("answers only that subscription's attempts at or after the time, oldest first, with their event's source and id", async () => {
  const old = makeEvent({ source: '/a' });
  const recent = makeEvent({ source: '/b' });
  const other = makeEvent({ source: '/c' });
  await ledger.recordFailure(refOf('billing', old), old, { at: T0, status: 500, reason: 'http_status', error: 'e', durationMs: 5 }, 3);
  now = T0 + 2 * MINUTE;
  await ledger.recordFailure(refOf('billing', recent), recent, { at: now, status: 503, reason: 'throttled', error: 'e', durationMs: 9 }, 3);
  await ledger.recordFailure(refOf('billing-2', other), other, { at: now, status: 500, reason: 'http_status', error: 'e', durationMs: 1 }, 3);

  const { attempts, more } = await ledger.recentAttempts('billing', T0 + MINUTE);
  expect(more).toBe(false);
  expect(attempts.map((a) => [a.source, a.id, a.status, a.durationMs, a.outcome, a.attempt, a.error])).toEqual([['/b', recent.id, 503, 9, 'retry', 1, 'e']]);
  expect((await ledger.recentAttempts('billing', T0)).attempts.map((a) => a.source)).toEqual(['/a', '/b']);
  expect(await ledger.recentAttempts('billing', T0, 1)).toMatchObject({ more: true, attempts: [{ source: '/a' }] });
  await expect(ledger.recentAttempts('bad#id', T0)).rejects.toThrow(RangeError);
  // Queries of the subscription's hour partition from `since` on, never a Scan.
  expect(scopes.length).toBeGreaterThan(0);
  for (const scope of scopes) expect(scope).toEqual({ pk: 'RECENT#billing#2026-12-06T09', skFrom: expect.any(String) });
});

test('reads every hour from since to now, oldest first across them, and refuses more than 48 hours', async () => {
  const [a, b, c] = [makeEvent({ source: '/a' }), makeEvent({ source: '/b' }), makeEvent({ source: '/c' })];
  await ledger.recordFailure(refOf('billing', a), a, fail(T0 + 10 * MINUTE), 3); // 09:10, before the window
  await ledger.recordFailure(refOf('billing', b), b, fail(T0 + 50 * MINUTE), 3); // 09:50
  await ledger.recordFailure(refOf('billing', c), c, fail(T0 + 70 * MINUTE), 3); // 10:10
  now = T0 + 80 * MINUTE; // 10:20: the console's last hour starts at 09:20

  const { attempts, more } = await ledger.recentAttempts('billing', now - 60 * MINUTE);
  expect(more).toBe(false);
  expect(attempts.map((x) => x.source)).toEqual(['/b', '/c']);
  expect(new Set(scopes.map((scope) => ('pk' in scope ? scope.pk : scope.pkPrefix)))).toEqual(new Set(['RECENT#billing#2026-12-06T09', 'RECENT#billing#2026-12-06T10']));
  expect(await ledger.recentAttempts('billing', now - 60 * MINUTE, 1)).toMatchObject({ more: true, attempts: [{ source: '/b' }] });

  const hour = 60 * MINUTE;
  const oldest = (Math.floor(now / hour) - (MAX_RECENT_HOURS - 1)) * hour;
  expect((await ledger.recentAttempts('billing', oldest)).attempts.map((x) => x.source)).toEqual(['/a', '/b', '/c']);
  await expect(ledger.recentAttempts('billing', oldest - 1)).rejects.toThrow(/since must be within the last 48 hours/);
  await expect(ledger.recentAttempts('billing', now, 0)).rejects.toThrow(/limit/);
});

test('writes each logged attempt twice with the same TTL, and writing the same attempt again adds nothing', async () => {
  const log = new DeliveryLog(store, () => now);
  const event = makeEvent({ source: '/shop' });
  const ref = { ...refOf('billing', event), source: event.source, id: event.id };
  const attempt = { at: T0 + 5 * MINUTE, attempt: 2, outcome: 'delivered' as const, status: 200, durationMs: 12 };
  await log.record(ref, attempt);
  await log.record(ref, attempt);
  expect(store.count('ATTEMPTS#')).toBe(1);
  expect(store.count('RECENT#')).toBe(1);
  const [logged, copy] = [...store.items.values()].sort((x, y) => (x.pk < y.pk ? -1 : 1)) as AttemptItem[];
  expect(logged!.pk).toBe(`ATTEMPTS#billing#${webhookIdOf('/shop', event.id)}`);
  expect(copy).toEqual({ ...logged, pk: 'RECENT#billing#2026-12-06T09' });
  expect(copy!.sk).toMatch(new RegExp(`^${String(T0 + 5 * MINUTE).padStart(15, '0')}#0002#[\\w-]{16}$`));

  // Another delivery of the same event (a redrive's lane) in the same millisecond is an entry of its own.
  await log.record({ ...ref, lane: 'redrive:1', sequence: '1' }, attempt);
  expect((await log.recentAttempts('billing', T0)).attempts.map((x) => [x.outcome, x.lane])).toEqual(
    expect.arrayContaining([
      ['delivered', ref.lane],
      ['delivered', 'redrive:1'],
    ]),
  );
  expect(store.count('RECENT#')).toBe(2);
});

test('attempts logged before the RECENT# copy existed are not counted, though their history still reads', async () => {
  const event = makeEvent({ source: '/legacy' });
  const pk = `ATTEMPTS#billing#${webhookIdOf(event.source, event.id)}`;
  const legacy: AttemptItem = {
    pk,
    sk: `${String(T0 + MINUTE).padStart(15, '0')}#0001#0badc0de`,
    subscriptionId: 'billing',
    source: event.source,
    id: event.id,
    lane: 'event:x',
    sequence: '7',
    attempt: 1,
    at: T0 + MINUTE,
    outcome: 'retry',
    status: 500,
    expiresAt: 1,
  };
  await store.put(legacy);
  now = T0 + 2 * MINUTE;
  expect(await ledger.recentAttempts('billing', T0)).toEqual({ attempts: [], more: false });
  expect((await ledger.attempts('billing', event.source, event.id)).map((a) => a.status)).toEqual([500]);
});
