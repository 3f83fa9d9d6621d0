import { createEventKeys } from '../../../src/crypto';
import { DeliveryLedger, laneOf } from '../../../src/delivery';
import { countPendingDeliveries } from '../../../src/observability/countPendingDeliveries';
import { makeEvent } from '../../helpers/cloudEvents';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';

describe('countPendingDeliveries (dynalite)', () => {
  let bus: TestEmulators;
  let ledger: DeliveryLedger;
  let sequence = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000n;
  beforeAll(async () => {
    bus = await startTestEmulators({ shards: 1 });
    ledger = new DeliveryLedger({
      documents: bus.clients.documents,
      tableName: bus.names.deliveryTable,
      keys: createEventKeys({ kms: bus.clients.kms, keyId: bus.emulators.kmsKeyId }),
    });
  });
  afterAll(async () => {
    await bus?.close();
  });

  const count = () => countPendingDeliveries({ documents: bus.clients.documents, tableName: bus.names.deliveryTable });
  const fail = (subscriptionId: string, key: string, maxAttempts = 5) => {
    const event = makeEvent({ partitionkey: key });
    const ref = { subscriptionId, lane: laneOf({ delivery: { ordered: false } }, event, key), sequence: String(++sequence) };
    return ledger.recordFailure(ref, event, { at: Date.now(), status: 500, reason: 'http_status', error: 'HTTP 500' }, maxAttempts);
  };

  test('counts lane heads waiting for a retry across every bucket, and not dead letters', async () => {
    expect(await count()).toBe(0);
    for (let index = 0; index < 12; index++) expect(await fail(`sub-${index % 3}`, `key-${index}`)).toBe('pending');
    expect(await fail('sub-dead', 'key-dead', 1)).toBe('dead');
    expect(await count()).toBe(12);
  });
});
