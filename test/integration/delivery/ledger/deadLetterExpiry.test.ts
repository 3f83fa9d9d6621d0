import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createEventKeys } from '../../../../src/crypto';
import { DEAD_REASON, DeliveryLedger, laneOf, type DeliveryRef } from '../../../../src/delivery';
import { deadPk, deadSk, lanePk, sequenceSk } from '../../../../src/delivery/ledger/keys';
import { ENV } from '../../../../src/wiring/environment';
import { deliveryRuntimeFromEnvironment } from '../../../../src/wiring/deliveryFromEnvironment';
import { makeEvent } from '../../../helpers/cloudEvents';
import { startTestEmulators, type TestEmulators } from '../../../helpers/emulators';

/**
 * Retention of dead letters (stage setting `deadLetterDays` → `DEAD_LETTER_DAYS`): a dead letter carries
 * `expiresAt`, the table's TTL attribute, that many days after it died; its redrive does not. dynalite ignores
 * TTL, so the tests read the items' values.
 */
describe('dead letter expiry (expiresAt on dead letters, dynalite)', () => {
  let bus: TestEmulators;
  const now = Date.UTC(2026, 11, 6, 9, 30, 0);
  let sequence = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000n;
  let counter = 0;

  beforeAll(async () => {
    bus = await startTestEmulators({ shards: 1 });
  });
  afterAll(() => bus?.close());

  const ledgerWith = (deadLetterDays?: number) =>
    new DeliveryLedger({
      documents: bus.clients.documents,
      tableName: bus.names.deliveryTable,
      keys: createEventKeys({ kms: bus.clients.kms, keyId: bus.emulators.kmsKeyId }),
      clock: () => now,
      ...(deadLetterDays !== undefined ? { deadLetterDays } : {}),
    });
  const item = async (pk: string, sk: string) =>
    (await bus.clients.documents.send(new GetCommand({ TableName: bus.names.deliveryTable, Key: { pk, sk }, ConsistentRead: true }))).Item;

  function deadOne(ledger: DeliveryLedger) {
    const event = makeEvent();
    const ref: DeliveryRef = { subscriptionId: `sub-${++counter}`, lane: laneOf({ delivery: { ordered: false } }, event, 'k'), sequence: String(++sequence) };
    return { event, ref, done: ledger.deadLetter(ref, event, DEAD_REASON.subscriptionRemoved) };
  }

  it('gives a dead letter expiresAt = death + deadLetterDays, in epoch seconds; its redrive carries none', async () => {
    const ledger = ledgerWith(14);
    const { ref, done } = deadOne(ledger);
    await done;
    const dead = await item(deadPk(ref.subscriptionId), deadSk(ref.lane, ref.sequence));
    expect(dead).toMatchObject({ state: 'dead', deadAt: now, expiresAt: now / 1000 + 14 * 86_400 });

    const redriven = await ledger.redrive(ref);
    expect(redriven).toBeDefined();
    const revived = await item(lanePk(redriven!.subscriptionId, redriven!.lane), sequenceSk(redriven!.sequence));
    expect(revived).toMatchObject({ state: 'pending' });
    expect(revived).not.toHaveProperty('expiresAt');
  });

  it('keeps dead letters without expiresAt when no deadLetterDays is set, and refuses one that is not a positive integer', async () => {
    const { ref, done } = deadOne(ledgerWith());
    await done;
    expect(await item(deadPk(ref.subscriptionId), deadSk(ref.lane, ref.sequence))).not.toHaveProperty('expiresAt');
    expect(() => ledgerWith(0)).toThrow('DeliveryLedger: deadLetterDays must be a positive integer, got 0');
  });

  it('takes deadLetterDays from DEAD_LETTER_DAYS in the delivery functions (router, redeliver)', async () => {
    const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const runtime = deliveryRuntimeFromEnvironment({ ...bus.env, [ENV.deadLetterDays]: '3' }, silent, undefined, bus.clients);
    const before = Math.floor(Date.now() / 1000);
    const { ref, done } = deadOne(runtime.ledger);
    await done;
    const dead = await item(deadPk(ref.subscriptionId), deadSk(ref.lane, ref.sequence));
    expect(dead?.expiresAt).toBe(Math.floor((dead?.deadAt as number) / 1000) + 3 * 86_400);
    expect(dead?.expiresAt).toBeGreaterThanOrEqual(before + 3 * 86_400);
  });
});
