import { GetItemCommand, ScanCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createEventKeys, DecryptionError } from '../../../../src/crypto';
import {
  DEAD_REASON,
  DeliveryLedger,
  laneOf,
  type DeliveryRef,
  type FailedAttempt,
  type LedgerEntry,
} from '../../../../src/delivery';
import { deadSk, lanePk, sequenceSk } from '../../../../src/delivery/ledger/keys';
import type { CloudEventJson } from '../../../../src/events/types';
import { makeEvent } from '../../../helpers/cloudEvents';
import { startTestEmulators, type TestEmulators } from '../../../helpers/emulators';

const S = 1000;
const H = 3600 * S;
const LEASE_MS = 60 * S;
const SECRET = 'ada.lovelace@example.com';

describe('DeliveryLedger on dynalite and the local KMS', () => {
  let bus: TestEmulators;
  let now = Date.UTC(2026, 10, 22, 7, 0, 0);
  const clock = () => now;
  let ledger: DeliveryLedger;
  let counter = 0;
  let sequence = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000n;

  beforeAll(async () => {
    bus = await startTestEmulators({ shards: 1 });
    ledger = newLedger();
  });
  afterAll(async () => {
    await bus?.close();
  });

  /** Another process on the same table (a second sweeper), with its own key caches. */
  function newLedger(options: { onUnreadable?: (ref: DeliveryRef, error: unknown) => void } = {}) {
    return new DeliveryLedger({
      documents: bus.clients.documents,
      tableName: bus.names.deliveryTable,
      keys: createEventKeys({ kms: bus.clients.kms, keyId: bus.emulators.kmsKeyId }),
      clock,
      ...options,
    });
  }

  const subscription = () => `sub-${++counter}`;
  const nextSequence = () => String(++sequence);

  function orderedRef(subscriptionId: string, event: CloudEventJson, key = 'customer-7'): DeliveryRef {
    return { subscriptionId, lane: laneOf({ delivery: { ordered: true } }, event, key), sequence: nextSequence() };
  }
  function unorderedRef(subscriptionId: string, event: CloudEventJson): DeliveryRef {
    return { subscriptionId, lane: laneOf({ delivery: { ordered: false } }, event, 'ignored'), sequence: nextSequence() };
  }
  const failure = (extra: Partial<FailedAttempt> = {}): FailedAttempt => ({ at: now, status: 500, reason: 'http_status', error: 'HTTP 500', ...extra });
  const secretEvent = (extra: Partial<CloudEventJson> = {}) =>
    makeEvent({ subject: `customer ${SECRET}`, data: { email: SECRET, total: 250, nested: [1, null, 'x'] }, partitionkey: 'customer-7', ...extra });

  async function dueFor(subscriptionId: string, at = now): Promise<LedgerEntry[]> {
    return (await ledger.due(at, 1000)).filter((entry) => entry.subscriptionId === subscriptionId);
  }
  async function lane(subscriptionId: string): Promise<LedgerEntry[]> {
    const { entries } = await ledger.listPending({ subscriptionId, limit: 1000 });
    return entries.sort((a, b) => (sequenceSk(a.sequence) < sequenceSk(b.sequence) ? -1 : 1));
  }
  /** Claims and fails the subscription's one due entry at `now`; answers the outcome. */
  async function failDue(subscriptionId: string, maxAttempts: number, extra: Partial<FailedAttempt> = {}) {
    const [entry] = await dueFor(subscriptionId);
    expect(entry).toBeDefined();
    expect(await ledger.claim(entry!, LEASE_MS)).toBe(true);
    return ledger.markFailed(entry!, failure(extra), maxAttempts);
  }
  async function rawItem(pk: string, sk: string): Promise<Record<string, AttributeValue>> {
    const { Item } = await bus.clients.dynamodb.send(
      new GetItemCommand({ TableName: bus.names.deliveryTable, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }),
    );
    return Item!;
  }
  /** Every string and the UTF-8 reading of every binary in a raw item, to search for plaintext. */
  function rawText(item: Record<string, AttributeValue>): string {
    return JSON.stringify(item, (_, value) => (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : value));
  }

  it('records a first failure as its lane head, due 5 s later, and due() returns it only then', async () => {
    const sub = subscription();
    const event = secretEvent();
    const ref = unorderedRef(sub, event);
    expect(await ledger.recordFailure(ref, event, failure({ retryAfterMs: 0 }), 12)).toBe('pending');

    expect(await dueFor(sub, now + 5 * S - 1)).toEqual([]);
    const [entry, ...others] = await dueFor(sub, now + 5 * S);
    expect(others).toEqual([]);
    expect(entry).toEqual({
      ...ref,
      state: 'pending',
      event,
      attempts: 1,
      firstFailedAt: now,
      nextAttemptAt: now + 5 * S,
      last: { at: now, status: 500, reason: 'http_status', error: 'HTTP 500' },
    });
  });

  it('replays of the same record leave the existing item as it is', async () => {
    const sub = subscription();
    const event = secretEvent();
    const ref = unorderedRef(sub, event);
    await ledger.recordFailure(ref, event, failure(), 12);
    now += 5 * S;
    expect(await failDue(sub, 12)).toBe('pending');
    await ledger.recordFailure(ref, event, failure(), 12);
    expect((await lane(sub)).map((entry) => entry.attempts)).toEqual([2]);
  });

  it('lets one of two overlapping claims win, and a lapsed lease be claimed again', async () => {
    const sub = subscription();
    const event = secretEvent();
    await ledger.recordFailure(unorderedRef(sub, event), event, failure(), 12);
    now += 5 * S;
    const other = newLedger();
    const [mine] = await dueFor(sub);
    const [theirs] = (await other.due(now, 1000)).filter((entry) => entry.subscriptionId === sub);
    const wins = await Promise.all([ledger.claim(mine!, LEASE_MS), other.claim(theirs!, LEASE_MS)]);
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect(await ledger.claim(mine!, LEASE_MS)).toBe(false);

    // Held: not due during the lease...
    now += LEASE_MS - 1;
    expect(await dueFor(sub)).toEqual([]);
    // ...due again once it lapsed (the claimer died), and claimable once more, with its attempts unchanged.
    now += 1;
    const [again] = await dueFor(sub);
    expect(again).toMatchObject({ attempts: 1, leaseUntil: now });
    expect(await other.claim(again!, LEASE_MS)).toBe(true);
    // The first claimer's stale copy cannot take it back.
    expect(await ledger.claim(mine!, LEASE_MS)).toBe(false);
  });

  it('keeps an ordered lane in stream order: waiting behind the head, promoted on delivery and on dead-lettering', async () => {
    const sub = subscription();
    const [e1, e2, e3, e4] = [secretEvent(), secretEvent(), secretEvent(), secretEvent()];
    const [r1, r2, r3, r4] = [e1, e2, e3, e4].map((event) => orderedRef(sub, event));
    expect(await ledger.isLaneOccupied(sub, r1!.lane)).toBe(false);
    await ledger.recordFailure(r1!, e1!, failure(), 2);
    expect(await ledger.isLaneOccupied(sub, r1!.lane)).toBe(true);
    expect(await ledger.enqueueWaiting(r2!, e2!)).toBe('waiting');
    expect(await ledger.enqueueWaiting(r3!, e3!)).toBe('waiting');
    expect(await ledger.enqueueWaiting(r4!, e4!)).toBe('waiting');
    expect((await lane(sub)).map((entry) => [entry.event.id, entry.state])).toEqual([
      [e1!.id, 'pending'],
      [e2!.id, 'waiting'],
      [e3!.id, 'waiting'],
      [e4!.id, 'waiting'],
    ]);

    // Only the head is ever due, however late it is.
    now += 5 * S;
    expect((await dueFor(sub, now + 48 * H)).map((entry) => entry.event.id)).toEqual([e1!.id]);
    const [head] = await dueFor(sub);
    expect(await ledger.claim(head!, LEASE_MS)).toBe(true);
    await ledger.markDelivered(head!);

    // e2 is the head now, due at once, never attempted.
    const [second, ...rest] = await dueFor(sub);
    expect(rest).toEqual([]);
    expect(second).toMatchObject({ event: e2, state: 'pending', attempts: 0, nextAttemptAt: now });
    expect(second!.firstFailedAt).toBeUndefined();

    // e2 fails twice (maxAttempts 2): dead, and e3 takes its place.
    expect(await failDue(sub, 2)).toBe('pending');
    now += 5 * S;
    expect(await failDue(sub, 2)).toBe('dead');
    expect((await lane(sub)).map((entry) => [entry.event.id, entry.state])).toEqual([
      [e3!.id, 'pending'],
      [e4!.id, 'waiting'],
    ]);
    const [third] = await dueFor(sub);
    expect(third!.event).toEqual(e3);
    const { entries: dead } = await ledger.listDead({ subscriptionId: sub });
    expect(dead).toEqual([expect.objectContaining({ event: e2, state: 'dead', attempts: 2, deadReason: DEAD_REASON.exhausted })]);

    // A head dead-lettered directly (the engine's path, e.g. 410) promotes the next too.
    await ledger.deadLetter(third!, third!.event, DEAD_REASON.subscriptionDisabled, failure({ status: 410, reason: 'gone' }));
    expect((await dueFor(sub)).map((entry) => entry.event.id)).toEqual([e4!.id]);
    const [fourth] = await dueFor(sub);
    expect(await ledger.claim(fourth!, LEASE_MS)).toBe(true);
    await ledger.markDelivered(fourth!);
    expect(await ledger.isLaneOccupied(sub, r1!.lane)).toBe(false);
    expect((await ledger.listDead({ subscriptionId: sub })).entries.map((entry) => entry.event.id)).toEqual([e2!.id, e3!.id]);
  });

  it('an append racing the lane being emptied promotes itself', async () => {
    const sub = subscription();
    const [e1, e2] = [secretEvent(), secretEvent()];
    const [r1, r2] = [orderedRef(sub, e1!), orderedRef(sub, e2!)];
    await ledger.recordFailure(r1!, e1!, failure(), 12);
    // The engine saw the lane occupied...
    expect(await ledger.isLaneOccupied(sub, r1!.lane)).toBe(true);
    // ...then the redeliverer delivered the head and found nothing to promote...
    now += 5 * S;
    const [head] = await dueFor(sub);
    await ledger.claim(head!, LEASE_MS);
    await ledger.markDelivered(head!);
    expect(await ledger.isLaneOccupied(sub, r1!.lane)).toBe(false);
    // ...then the engine appended: first in its lane, so it made itself the head, due now.
    expect(await ledger.enqueueWaiting(r2!, e2!)).toBe('pending');
    expect(await dueFor(sub)).toEqual([expect.objectContaining({ event: e2, attempts: 0, nextAttemptAt: now })]);
  });

  it('under concurrent delivery and append, the appended event always ends up due exactly once', async () => {
    const sub = subscription();
    for (let round = 0; round < 8; round++) {
      const [e1, e2] = [secretEvent(), secretEvent()];
      const [r1, r2] = [orderedRef(sub, e1!, `key-${round}`), orderedRef(sub, e2!, `key-${round}`)];
      await ledger.recordFailure(r1!, e1!, failure(), 12);
      const head = (await ledger.due(now + 5 * S, 1000)).find((entry) => entry.event.id === e1!.id)!;
      await Promise.all([ledger.markDelivered(head), ledger.enqueueWaiting(r2!, e2!)]);
      const items = (await lane(sub)).filter((entry) => entry.lane === r2!.lane);
      expect(items).toEqual([expect.objectContaining({ event: e2, state: 'pending', nextAttemptAt: now })]);
      await ledger.markDelivered(items[0]!);
    }
  });

  it('dead-letters after maxAttempts, and straight away when maxAttempts is 1', async () => {
    const sub = subscription();
    const event = secretEvent();
    await ledger.recordFailure(unorderedRef(sub, event), event, failure(), 3);
    now += 5 * S;
    expect(await failDue(sub, 3)).toBe('pending');
    now += 30 * S;
    expect(await failDue(sub, 3, { status: 503, reason: 'throttled', error: 'HTTP 503' })).toBe('dead');
    expect(await lane(sub)).toEqual([]);
    const { entries } = await ledger.listDead({ subscriptionId: sub });
    expect(entries).toEqual([
      expect.objectContaining({
        event,
        state: 'dead',
        attempts: 3,
        deadAt: now,
        deadReason: 'exhausted',
        last: { at: now, status: 503, reason: 'throttled', error: 'HTTP 503' },
      }),
    ]);

    const once = secretEvent();
    expect(await ledger.recordFailure(unorderedRef(sub, once), once, failure(), 1)).toBe('dead');
    expect((await ledger.listDead({ subscriptionId: sub })).entries.map((entry) => [entry.event.id, entry.attempts])).toContainEqual([once.id, 1]);
  });

  it('dead-letters once the next attempt would fall past 24 h after the first failure', async () => {
    const sub = subscription();
    const event = secretEvent();
    const firstFailedAt = now;
    await ledger.recordFailure(unorderedRef(sub, event), event, failure(), 100);
    const attemptTimes = [now];
    for (;;) {
      const [entry] = await dueFor(sub, now + 48 * H);
      now = entry!.nextAttemptAt!;
      attemptTimes.push(now);
      if ((await failDue(sub, 100)) === 'dead') break;
    }
    expect(attemptTimes).toHaveLength(10);
    expect(now - firstFailedAt).toBe(81_755 * S);
    expect((await ledger.listDead({ subscriptionId: sub })).entries).toEqual([
      expect.objectContaining({ attempts: 10, firstFailedAt, deadReason: 'exhausted' }),
    ]);
  });

  it('honours Retry-After longer than the schedule, on the first failure and on later ones', async () => {
    const sub = subscription();
    const event = secretEvent();
    await ledger.recordFailure(unorderedRef(sub, event), event, failure({ status: 429, reason: 'throttled', retryAfterMs: 120 * S }), 12);
    expect(await dueFor(sub, now + 120 * S - 1)).toEqual([]);
    now += 120 * S;
    expect(await failDue(sub, 12, { status: 503, reason: 'throttled', retryAfterMs: 3 * H })).toBe('pending');
    const [entry] = await dueFor(sub, now + 3 * H);
    expect(entry!.nextAttemptAt).toBe(now + 3 * H);
    expect(entry!.last).toEqual({ at: now, status: 503, reason: 'throttled', error: 'HTTP 500' });
  });

  it('disables and re-enables a subscription, redriving the dead letters the disablement caused', async () => {
    const sub = subscription();
    const sibling = subscription();
    await ledger.disableSubscription(sub, 'HTTP 410 from https://hooks.example.com');
    now += S;
    await ledger.disableSubscription(sub, 'by hand');
    await ledger.disableSubscription(sibling, 'by hand');
    const disabledAt = now - S;
    expect(await ledger.disabledSubscriptions()).toEqual(
      expect.arrayContaining([{ subscriptionId: sub, disabledAt, reason: 'HTTP 410 from https://hooks.example.com' }]),
    );

    const [gone, arrivedWhileDisabled, exhausted] = [secretEvent(), secretEvent(), secretEvent()];
    await ledger.deadLetter(orderedRef(sub, gone), gone, DEAD_REASON.subscriptionDisabled, failure({ status: 410, reason: 'gone' }));
    await ledger.deadLetter(orderedRef(sub, arrivedWhileDisabled), arrivedWhileDisabled, DEAD_REASON.subscriptionDisabled);
    await ledger.deadLetter(unorderedRef(sub, exhausted), exhausted, DEAD_REASON.exhausted, failure());
    expect((await ledger.listDead({ subscriptionId: sub })).entries.find((e) => e.event.id === arrivedWhileDisabled.id)!.attempts).toBe(0);

    expect(await ledger.enableSubscription(sub, { redrive: true })).toEqual({ redriven: 2 });
    expect((await ledger.disabledSubscriptions()).map((d) => d.subscriptionId)).not.toContain(sub);
    expect((await ledger.disabledSubscriptions()).map((d) => d.subscriptionId)).toContain(sibling);
    expect((await ledger.listDead({ subscriptionId: sub })).entries.map((entry) => entry.event.id)).toEqual([exhausted.id]);
    const due = await dueFor(sub);
    expect(due.map((entry) => entry.event.id).sort()).toEqual([gone.id, arrivedWhileDisabled.id].sort());
    for (const entry of due) {
      expect(entry).toMatchObject({ attempts: 0, nextAttemptAt: now, redrivenFrom: 'key:customer-7' });
      expect(entry.lane).toMatch(/^redrive:/);
    }
    expect(await ledger.enableSubscription(sibling)).toEqual({ redriven: 0 });
  });

  it('lists dead letters page by page, and redrives one with its event intact', async () => {
    const sub = subscription();
    const events = [
      secretEvent(),
      secretEvent({ data: undefined, data_base64: Buffer.from('\u0000binary\u00ff').toString('base64'), datacontenttype: 'application/octet-stream' }),
      secretEvent({ data: 'plain text', datacontenttype: 'text/plain', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }),
      secretEvent({ data: null }),
      secretEvent({ source: `/a/${'x'.repeat(300)}`, id: 'id with spaces & émoji 🚀' }),
    ];
    for (const event of events) await ledger.deadLetter(orderedRef(sub, event), event, DEAD_REASON.exhausted, failure());

    const seen: LedgerEntry[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await ledger.listDead({ subscriptionId: sub, limit: 2, cursor });
      expect(page.entries.length).toBeLessThanOrEqual(2);
      seen.push(...page.entries);
      cursor = page.cursor;
      pages++;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.map((entry) => entry.event).sort(byId)).toEqual([...events].sort(byId));

    // Across subscriptions (a Scan): this subscription's dead letters are among them.
    const all: LedgerEntry[] = [];
    cursor = undefined;
    do {
      const page = await ledger.listDead({ limit: 7, cursor });
      all.push(...page.entries);
      cursor = page.cursor;
    } while (cursor);
    expect(all.filter((entry) => entry.subscriptionId === sub)).toHaveLength(events.length);
    expect(new Set(all.map((entry) => `${entry.subscriptionId} ${entry.lane} ${entry.sequence}`)).size).toBe(all.length);

    const target = seen.find((entry) => entry.event.id === events[1]!.id)!;
    const moved = await ledger.redrive(target);
    expect(moved).toEqual({ subscriptionId: sub, lane: expect.stringMatching(/^redrive:/), sequence: target.sequence });
    expect(await ledger.redrive(target)).toBeUndefined();
    const [redriven] = (await dueFor(sub)).filter((entry) => entry.lane === moved!.lane);
    expect(redriven!.event).toEqual(events[1]);
    expect(await ledger.claim(redriven!, LEASE_MS)).toBe(true);
    await ledger.markDelivered(redriven!);
    expect((await ledger.listDead({ subscriptionId: sub })).entries).toHaveLength(events.length - 1);
    expect((await lane(sub)).filter((entry) => entry.lane === moved!.lane)).toEqual([]);
  });

  it('refuses a cursor from another listing', async () => {
    const sub = subscription();
    for (let n = 0; n < 2; n++) {
      const event = secretEvent();
      await ledger.deadLetter(unorderedRef(sub, event), event, DEAD_REASON.exhausted, failure());
    }
    const { cursor } = await ledger.listDead({ subscriptionId: sub, limit: 1 });
    expect(cursor).toBeDefined();
    await expect(ledger.listDead({ subscriptionId: subscription(), cursor })).rejects.toThrow(/another listing/);
    await expect(ledger.listDead({ cursor: 'not-a-cursor' })).rejects.toThrow(/cursor/);
  });

  it('stores no event data, subject or extension in clear, in lane items and dead letters alike', async () => {
    const sub = subscription();
    const event = secretEvent({ partitionkey: `pk-${SECRET}` });
    const ref = unorderedRef(sub, event);
    await ledger.recordFailure(ref, event, failure(), 12);
    const laneItem = await rawItem(lanePk(sub, ref.lane), sequenceSk(ref.sequence));
    expect(laneItem.sealed!.M!.alg!.S).toBe('AES-256-GCM');
    expect(laneItem.source!.S).toBe(event.source);
    expect(laneItem.id!.S).toBe(event.id);
    expect(rawText(laneItem)).not.toContain(SECRET);
    expect(rawText(laneItem)).not.toContain('"total"');

    await ledger.deadLetter(ref, event, DEAD_REASON.exhausted, failure());
    const deadItem = await rawItem(`DEAD#${sub}`, deadSk(ref.lane, ref.sequence));
    expect(rawText(deadItem)).not.toContain(SECRET);
    expect((await ledger.listDead({ subscriptionId: sub })).entries[0]!.event).toEqual(event);
  });

  it("reports an item whose sealed event was swapped for another subscription's, and keeps serving the rest", async () => {
    const [victimSub, donorSub] = [subscription(), subscription()];
    const event = secretEvent();
    const victim = unorderedRef(victimSub, event);
    const donor = unorderedRef(donorSub, event);
    await ledger.recordFailure(victim, event, failure(), 12);
    await ledger.recordFailure(donor, event, failure(), 12);
    const good = secretEvent();
    await ledger.recordFailure(unorderedRef(victimSub, good), good, failure(), 12);
    // Same event, so same source and id: only the subscription in the AAD tells the two apart.
    const donorItem = await rawItem(lanePk(donorSub, donor.lane), sequenceSk(donor.sequence));
    await bus.clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: bus.names.deliveryTable,
        Key: { pk: { S: lanePk(victimSub, victim.lane) }, sk: { S: sequenceSk(victim.sequence) } },
        UpdateExpression: 'SET sealed = :sealed',
        ExpressionAttributeValues: { ':sealed': donorItem.sealed! },
      }),
    );
    const unreadable: Array<[DeliveryRef, unknown]> = [];
    const reporting = newLedger({ onUnreadable: (ref, error) => unreadable.push([ref, error]) });
    const due = (await reporting.due(now + 5 * S, 1000)).filter((entry) => entry.subscriptionId === victimSub);
    expect(due.map((entry) => entry.event.id)).toEqual([good.id]);
    expect(unreadable).toEqual([[victim, expect.any(DecryptionError)]]);
    await expect(newLedger().listPending({ subscriptionId: victimSub })).rejects.toBeInstanceOf(DecryptionError);
    // Clean up so other tests' sweeps over the whole table are not disturbed.
    await ledger.markDelivered(victim);
  });

  it('keeps everything in the one table, keyed as documented', async () => {
    await ledger.disableSubscription(subscription(), 'by hand');
    const { Items = [] } = await bus.clients.dynamodb.send(new ScanCommand({ TableName: bus.names.deliveryTable }));
    const prefixes = new Set(Items.map((item) => item.pk!.S!.split('#')[0]));
    expect([...prefixes].sort()).toEqual(['ATTEMPTS', 'DEAD', 'LANE', 'RECENT', 'SUBSCRIPTIONS']);
    // Every logged attempt has its copy under RECENT#<subscription>#<hour of its time>, with the same sort key.
    const logged = Items.filter((i) => i.pk!.S!.startsWith('ATTEMPTS#'));
    const copies = Items.filter((i) => i.pk!.S!.startsWith('RECENT#'));
    expect(copies).toHaveLength(logged.length);
    for (const item of logged) {
      const hour = new Date(Number(item.at!.N)).toISOString().slice(0, 13);
      expect(copies).toContainEqual({ ...item, pk: { S: `RECENT#${item.subscriptionId!.S}#${hour}` } });
    }
    for (const item of Items.filter((i) => i.pk!.S!.startsWith('LANE#'))) {
      expect(item.state!.S === 'pending').toBe(item.dueAt !== undefined && item.dueBucket !== undefined);
    }
  });
});

function byId(a: CloudEventJson, b: CloudEventJson): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
