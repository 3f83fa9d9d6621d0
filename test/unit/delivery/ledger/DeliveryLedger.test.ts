import { DeliveryLedger, laneOf, type DeliveryRef, type FailedAttempt, type LedgerEntry } from '../../../../src/delivery/ledger';
import type { CloudEventJson } from '../../../../src/events/types';
import { makeEvent } from '../../../helpers/cloudEvents';
import { MemoryLedgerStore } from './support/MemoryLedgerStore';
import { memoryEventKeys } from './support/memoryEventKeys';

// The lane state machine, the operator surface and the delivery log over an in-memory store: the ledger's
// behaviour lives above the storage hooks, so it runs the same over a fake (the DynamoDB implementation is
// tested against dynalite in test/integration/delivery/ledger).

const S = 1000;
const LEASE_MS = 60 * S;
const T0 = Date.UTC(2026, 11, 6, 9, 0, 0);

let now: number;
let store: MemoryLedgerStore;
let ledger: DeliveryLedger;
let sequence = 1000n;

beforeEach(() => {
  now = T0;
  store = new MemoryLedgerStore();
  ledger = new DeliveryLedger({ store, keys: memoryEventKeys(), clock: () => now });
});

const nextSequence = () => String(++sequence);
const ordered = (event: CloudEventJson, key = 'customer-7'): DeliveryRef => ({
  subscriptionId: 'billing',
  lane: laneOf({ delivery: { ordered: true } }, event, key),
  sequence: nextSequence(),
});
const unordered = (event: CloudEventJson): DeliveryRef => ({ subscriptionId: 'billing', lane: laneOf({ delivery: { ordered: false } }, event, '-'), sequence: nextSequence() });
const failure = (extra: Partial<FailedAttempt> = {}): FailedAttempt => ({ at: now, status: 500, reason: 'http_status', error: 'receiver answered 500', durationMs: 12, ...extra });

async function claimDue(): Promise<LedgerEntry> {
  const [entry, ...others] = await ledger.due(now, 100);
  expect(others).toEqual([]);
  expect(await ledger.claim(entry!, LEASE_MS)).toBe(true);
  return entry!;
}

describe('the lane state machine over in-memory storage hooks', () => {
  it('makes a first failure its lane head, due 5 s later, and logs that attempt with its status and latency', async () => {
    const event = makeEvent();
    const ref = unordered(event);
    expect(await ledger.recordFailure(ref, event, failure(), 5)).toBe('pending');

    expect(await ledger.due(now + 4_999, 100)).toEqual([]);
    const [entry] = await ledger.due(now + 5 * S, 100);
    expect(entry).toMatchObject({ ...ref, state: 'pending', attempts: 1, firstFailedAt: T0, nextAttemptAt: T0 + 5 * S, event });
    expect(entry!.last).toEqual({ at: T0, status: 500, reason: 'http_status', error: 'receiver answered 500' });
    expect(await ledger.attempts('billing', event.source, event.id)).toEqual([
      { at: T0, attempt: 1, outcome: 'retry', status: 500, durationMs: 12, reason: 'http_status', error: 'receiver answered 500', lane: ref.lane, sequence: ref.sequence },
    ]);
  });

  it('keeps an ordered lane in order: waiting behind its head, promoted when the head is delivered', async () => {
    const [first, second] = [makeEvent(), makeEvent()];
    const firstRef = ordered(first);
    const secondRef = { ...ordered(second), lane: firstRef.lane };
    await ledger.recordFailure(firstRef, first, failure(), 5);
    expect(await ledger.isLaneOccupied('billing', firstRef.lane)).toBe(true);
    expect(await ledger.enqueueWaiting(secondRef, second)).toBe('waiting');
    expect((await ledger.show('billing', second.source, second.id))?.status).toBe('waiting');

    now += 5 * S;
    const head = await claimDue();
    expect(head.event.id).toBe(first.id);
    await ledger.markDelivered(head, { at: now, status: 204, durationMs: 3 });

    const [promoted] = await ledger.due(now, 100);
    expect(promoted).toMatchObject({ ...secondRef, state: 'pending', attempts: 0, nextAttemptAt: now });
    await ledger.markDelivered(await claimDue());
    expect(await ledger.isLaneOccupied('billing', firstRef.lane)).toBe(false);
  });

  it('promotes an append that finds its lane emptied meanwhile', async () => {
    const event = makeEvent();
    expect(await ledger.enqueueWaiting(ordered(event, 'lonely'), event)).toBe('pending');
    expect((await ledger.due(now, 100)).map((entry) => entry.event.id)).toEqual([event.id]);
  });

  it('lets one of two overlapping claims win, and a lapsed lease be claimed again', async () => {
    const event = makeEvent();
    await ledger.recordFailure(unordered(event), event, failure(), 5);
    now += 5 * S;
    const [a] = await ledger.due(now, 100);
    const [b] = await ledger.due(now, 100);
    expect(await ledger.claim(a!, LEASE_MS)).toBe(true);
    expect(await ledger.claim(b!, LEASE_MS)).toBe(false);
    expect(await ledger.due(now, 100)).toEqual([]);
    now += LEASE_MS;
    const [again] = await ledger.due(now, 100);
    expect(await ledger.claim(again!, LEASE_MS)).toBe(true);
  });

  it('a delivery failing twice then succeeding has three attempts in its log, and shows as delivered after retry', async () => {
    const event = makeEvent();
    await ledger.recordFailure(unordered(event), event, failure({ status: 500, durationMs: 40 }), 5);
    now += 5 * S;
    expect(await ledger.markFailed(await claimDue(), failure({ status: 503, reason: 'throttled', error: 'receiver answered 503', durationMs: 25 }), 5)).toBe('pending');
    now += 30 * S;
    await ledger.markDelivered(await claimDue(), { at: now, status: 200, durationMs: 7 });

    const history = await ledger.show('billing', event.source, event.id);
    expect(history?.status).toBe('delivered_after_retry');
    expect(history?.entry).toBeUndefined();
    expect(history?.attempts.map((a) => [a.attempt, a.outcome, a.status, a.durationMs])).toEqual([
      [1, 'retry', 500, 40],
      [2, 'retry', 503, 25],
      [3, 'delivered', 200, 7],
    ]);
    expect(history?.attempts.map((a) => a.at)).toEqual([T0, T0 + 5 * S, T0 + 35 * S]);
  });

  it('dead-letters after maxAttempts; the last attempt is logged as dead with the reason', async () => {
    const event = makeEvent();
    const ref = unordered(event);
    await ledger.recordFailure(ref, event, failure(), 2);
    now += 5 * S;
    expect(await ledger.markFailed(await claimDue(), failure({ status: undefined, reason: 'timeout', error: 'timed out after 5000 ms' }), 2)).toBe('dead');

    const history = await ledger.show('billing', event.source, event.id);
    expect(history).toMatchObject({ status: 'dead', entry: { ...ref, state: 'dead', attempts: 2, deadReason: 'exhausted' } });
    expect(history?.attempts.at(-1)).toEqual({
      at: now,
      attempt: 2,
      outcome: 'dead',
      durationMs: 12,
      reason: 'timeout',
      error: 'timed out after 5000 ms',
      deadReason: 'exhausted',
      lane: ref.lane,
      sequence: ref.sequence,
    });
  });

  it('logs a final failure only when it was an attempt: a 410 is, a disabled subscription on arrival is not', async () => {
    const [gone, disabled] = [makeEvent(), makeEvent()];
    await ledger.deadLetter(unordered(gone), gone, 'subscription_disabled', failure({ status: 410, reason: 'gone' }), { attempted: true });
    await ledger.deadLetter(unordered(disabled), disabled, 'subscription_disabled');

    expect((await ledger.attempts('billing', gone.source, gone.id)).map((a) => [a.outcome, a.status, a.deadReason])).toEqual([['dead', 410, 'subscription_disabled']]);
    expect(await ledger.attempts('billing', disabled.source, disabled.id)).toEqual([]);
    // Found among the dead letters all the same.
    expect(await ledger.show('billing', disabled.source, disabled.id)).toMatchObject({ status: 'dead', attempts: [], entry: { attempts: 0 } });
    expect(await ledger.show('billing', disabled.source, 'no-such-id')).toBeUndefined();
  });

  it('a redriven dead letter keeps its history, and its new attempts add to it', async () => {
    const event = makeEvent();
    const ref = unordered(event);
    await ledger.recordFailure(ref, event, failure(), 1);
    const moved = await ledger.redrive(ref);
    expect(moved?.lane).toMatch(/^redrive:/);
    expect(await ledger.show('billing', event.source, event.id)).toMatchObject({ status: 'pending', entry: { lane: moved!.lane, attempts: 0 } });

    now += S;
    await ledger.markFailed(await claimDue(), failure({ status: 502 }), 5);
    const history = await ledger.show('billing', event.source, event.id);
    expect(history?.attempts.map((a) => [a.attempt, a.outcome, a.status, a.lane])).toEqual([
      [1, 'dead', 500, ref.lane],
      [1, 'retry', 502, moved!.lane],
    ]);
    expect(history).toMatchObject({ status: 'pending', entry: { attempts: 1 } });
  });

  it('stamps every logged attempt with a TTL 30 days out, in epoch seconds', async () => {
    const event = makeEvent();
    await ledger.recordFailure(unordered(event), event, failure(), 5);
    const [logged] = [...store.items.values()].filter((item) => item.pk.startsWith('ATTEMPTS#billing#evt_'));
    expect(logged).toMatchObject({ expiresAt: Math.floor(T0 / 1000) + 30 * 24 * 3600 });
  });
});

describe('the operator surface over in-memory storage hooks', () => {
  it("lists one subscription's deliveries by status and by when they got into trouble, up to a limit", async () => {
    const [early, late, dead] = [makeEvent(), makeEvent(), makeEvent()];
    await ledger.recordFailure(unordered(early), early, failure(), 5);
    now += 3_600 * S;
    await ledger.recordFailure(unordered(late), late, failure(), 5);
    await ledger.recordFailure(unordered(dead), dead, failure(), 1);
    const other = makeEvent();
    await ledger.recordFailure({ ...unordered(other), subscriptionId: 'crm' }, other, failure(), 5);

    const ids = async (options: Parameters<DeliveryLedger['listDeliveries']>[1]) => (await ledger.listDeliveries('billing', options)).entries.map((e) => e.event.id).sort();
    expect(await ids({})).toEqual([early.id, late.id, dead.id].sort());
    expect(await ids({ status: 'dead' })).toEqual([dead.id]);
    expect(await ids({ status: 'pending' })).toEqual([early.id, late.id].sort());
    expect(await ids({ since: now - 60 * S })).toEqual([late.id, dead.id].sort());
    const limited = await ledger.listDeliveries('billing', { limit: 2 });
    expect([limited.entries.length, limited.more]).toEqual([2, true]);
    expect((await ledger.listDeliveries('billing', { limit: 3 })).more).toBe(false);
  });

  it('redrives the dead letters that died within a window, and only those', async () => {
    const events = [makeEvent(), makeEvent(), makeEvent()];
    for (const event of events) {
      await ledger.recordFailure(unordered(event), event, failure(), 1);
      now += 60 * S;
    }
    expect(await ledger.redriveAll('billing', { since: T0 + 30 * S, until: T0 + 90 * S })).toBe(1);
    expect((await ledger.listDeliveries('billing', { status: 'pending' })).entries.map((e) => e.event.id)).toEqual([events[1]!.id]);
    expect(await ledger.redriveAll('billing')).toBe(2);
    expect((await ledger.listDead({ subscriptionId: 'billing' })).entries).toEqual([]);
  });

  it('disables and re-enables a subscription, redriving what the disablement killed', async () => {
    await ledger.disableSubscription('crm', 'HTTP 410 Gone');
    await ledger.disableSubscription('crm', 'again');
    expect(await ledger.disabledSubscriptions()).toEqual([{ subscriptionId: 'crm', disabledAt: T0, reason: 'HTTP 410 Gone' }]);
    const event = makeEvent();
    await ledger.deadLetter({ ...unordered(event), subscriptionId: 'crm' }, event, 'subscription_disabled');
    expect(await ledger.enableSubscription('crm', { redrive: true })).toEqual({ redriven: 1 });
    expect(await ledger.disabledSubscriptions()).toEqual([]);
  });
});
