import { DynamoLedgerStore } from '../../../../src/delivery/ledger/DynamoLedgerStore';
import type { LedgerItem, LedgerStore } from '../../../../src/delivery/ledger/LedgerStore';
import { startTestEmulators, type TestEmulators } from '../../../helpers/emulators';
import { MemoryLedgerStore } from '../../../unit/delivery/ledger/support/MemoryLedgerStore';

// The storage hooks' contract, held to by the DynamoDB implementation (on dynalite) and by the in-memory one the
// unit tests run the ledger over: if the two ever disagree, the unit tests would prove nothing.

let bus: TestEmulators;
let run = 0;
beforeAll(async () => {
  bus = await startTestEmulators({ shards: 1 });
});
afterAll(async () => {
  await bus?.close();
});

const implementations: Array<[string, () => LedgerStore]> = [
  ['DynamoLedgerStore on dynalite', () => new DynamoLedgerStore({ documents: bus.clients.documents, tableName: bus.names.deliveryTable })],
  ['MemoryLedgerStore', () => new MemoryLedgerStore()],
];

function item(pk: string, sk: string, extra: Partial<LedgerItem> = {}): LedgerItem {
  return {
    pk,
    sk,
    subscriptionId: 'billing',
    lane: 'event:x',
    sequence: sk,
    state: 'pending',
    source: '/shop',
    id: `evt-${sk}`,
    type: 'com.example.orders.created',
    sealed: { ciphertext: new Uint8Array([1]), iv: new Uint8Array([2]), tag: new Uint8Array([3]), wrappedKey: new Uint8Array([4]), keyId: 'k', alg: 'AES-256-GCM' },
    attempts: 1,
    recordedAt: 1,
    ...extra,
  };
}

describe.each(implementations)('%s', (_name, create) => {
  let store: LedgerStore;
  let prefix: string;
  beforeEach(() => {
    store = create();
    prefix = `LANE#contract-${++run}#`;
  });

  it('puts an item only when absent, and overwrites with put', async () => {
    const key = { pk: `${prefix}a`, sk: '1' };
    expect(await store.putIfAbsent(item(key.pk, key.sk, { attempts: 1 }))).toBe(true);
    expect(await store.putIfAbsent(item(key.pk, key.sk, { attempts: 2 }))).toBe(false);
    expect((await store.get<LedgerItem>(key))?.attempts).toBe(1);
    await store.put(item(key.pk, key.sk, { attempts: 3, firstFailedAt: undefined }));
    const stored = await store.get<LedgerItem>(key);
    expect(stored?.attempts).toBe(3);
    expect(stored).not.toHaveProperty('firstFailedAt');
    await store.delete(key);
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
  });

  it('updates only when every condition holds: state, due time equal and at most, attempts', async () => {
    const key = { pk: `${prefix}b`, sk: '1' };
    await store.put(item(key.pk, key.sk, { dueAt: '000000000000100', dueBucket: '0', leaseUntil: 5 }));
    expect(await store.updateIf(key, { attempts: 9 }, [], { state: 'waiting' })).toBe(false);
    expect(await store.updateIf(key, { attempts: 9 }, [], { state: 'pending', dueAt: '000000000000099' })).toBe(false);
    expect(await store.updateIf(key, { attempts: 9 }, [], { state: 'pending', dueAtOrBefore: '000000000000099' })).toBe(false);
    expect(await store.updateIf(key, { attempts: 9 }, [], { state: 'pending', attempts: 2 })).toBe(false);
    expect(await store.updateIf({ pk: `${prefix}b`, sk: 'missing' }, { attempts: 9 }, [], { state: 'pending' })).toBe(false);
    expect(await store.updateIf(key, { attempts: 2, state: 'dead' }, ['leaseUntil'], { state: 'pending', dueAt: '000000000000100', dueAtOrBefore: '000000000000100', attempts: 1 })).toBe(true);
    const updated = await store.get<LedgerItem>(key);
    expect(updated).toMatchObject({ attempts: 2, state: 'dead', dueAt: '000000000000100' });
    expect(updated).not.toHaveProperty('leaseUntil');
  });

  it("answers a partition's first item in sort-key order, and pages a partition (from a sort key on) and a prefix in order", async () => {
    const pk = `${prefix}c`;
    for (const sk of ['3', '1', '2', '5', '4']) await store.put(item(pk, sk, { state: sk === '1' ? 'waiting' : 'pending' }));
    await store.put(item(`${prefix}d`, '1'));
    expect(await store.firstOf(pk)).toEqual({ sk: '1', state: 'waiting' });
    expect(await store.firstOf(`${prefix}none`)).toBeUndefined();

    const partition: string[] = [];
    for await (const page of store.partitionPages(pk)) partition.push(...page.map((raw) => String(raw.sk)));
    expect(partition).toEqual(['1', '2', '3', '4', '5']);

    const read = async (scope: { pk: string; skFrom?: string } | { pkPrefix: string }) => {
      const keys: string[] = [];
      let startKey;
      do {
        const page = await store.listPage(scope, 2, startKey);
        keys.push(...page.items.map((raw) => `${String(raw.pk).slice(prefix.length)}/${String(raw.sk)}`));
        startKey = page.lastKey;
      } while (startKey);
      return keys;
    };
    expect(await read({ pk })).toEqual(['c/1', 'c/2', 'c/3', 'c/4', 'c/5']);
    expect(await read({ pk, skFrom: '3' })).toEqual(['c/3', 'c/4', 'c/5']);
    expect(await read({ pk, skFrom: '25' })).toEqual(['c/3', 'c/4', 'c/5']);
    expect(await read({ pk, skFrom: '6' })).toEqual([]);
    expect((await read({ pkPrefix: prefix })).sort()).toEqual(['c/1', 'c/2', 'c/3', 'c/4', 'c/5', 'd/1']);
  });

  it('queries one due bucket up to a time, earliest first', async () => {
    const bucket = `contract-${run}`;
    await store.put(item(`${prefix}e`, '1', { dueBucket: bucket, dueAt: '000000000000300' }));
    await store.put(item(`${prefix}f`, '1', { dueBucket: bucket, dueAt: '000000000000100' }));
    await store.put(item(`${prefix}g`, '1', { dueBucket: bucket, dueAt: '000000000000900' }));
    await store.put(item(`${prefix}h`, '1', { dueBucket: `${bucket}-other`, dueAt: '000000000000100' }));
    expect((await store.queryDue(bucket, '000000000000300', 10)).map((i) => i.pk.slice(prefix.length))).toEqual(['f', 'e']);
    expect((await store.queryDue(bucket, '000000000000300', 1)).map((i) => i.pk.slice(prefix.length))).toEqual(['f']);
  });
});
