import { GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { DataKeyCache, DATA_KEY_ENCRYPTION_CONTEXT, KeyProviderError } from '../../../src/crypto';
import { fakeKms, manualClock, throttling } from './fakeKms';

describe('DataKeyCache', () => {
  it('asks KMS for an AES-256 key under the configured key and encryption context', async () => {
    const kms = fakeKms();
    const key = await new DataKeyCache({ kms: kms.client, keyId: 'alias/switchyard' }).acquire();
    expect(key.plaintext).toHaveLength(32);
    expect(kms.mock.commandCalls(GenerateDataKeyCommand)[0].args[0].input).toEqual({
      KeyId: 'alias/switchyard',
      KeySpec: 'AES_256',
      EncryptionContext: DATA_KEY_ENCRYPTION_CONTEXT,
    });
  });

  it('reuses one data key for maxUses events, then takes a new one', async () => {
    const kms = fakeKms();
    const cache = new DataKeyCache({ kms: kms.client, keyId: 'k', maxUses: 3 });
    const keys = [];
    for (let i = 0; i < 7; i++) keys.push(await cache.acquire());
    expect(kms.generateCalls()).toBe(3);
    expect(keys[0]).toBe(keys[2]);
    expect(keys[3]).not.toBe(keys[2]);
    expect(keys[3]).toBe(keys[5]);
    expect(keys[6]).not.toBe(keys[5]);
  });

  it('by default seals 50,000 events per data key', async () => {
    const kms = fakeKms();
    const cache = new DataKeyCache({ kms: kms.client, keyId: 'k' });
    for (let i = 0; i < 50_000; i++) await cache.acquire();
    expect(kms.generateCalls()).toBe(1);
    await cache.acquire();
    expect(kms.generateCalls()).toBe(2);
  });

  it('retires a data key maxAgeMs after KMS returned it', async () => {
    const kms = fakeKms();
    const clock = manualClock();
    const cache = new DataKeyCache({ kms: kms.client, keyId: 'k', maxAgeMs: 60_000, clock: clock.now });
    const first = await cache.acquire();
    clock.advance(59_999);
    expect(await cache.acquire()).toBe(first);
    clock.advance(1);
    const second = await cache.acquire();
    expect(second).not.toBe(first);
    expect(kms.generateCalls()).toBe(2);
  });

  it('by default retires a data key after 5 minutes', async () => {
    const kms = fakeKms();
    const clock = manualClock();
    const cache = new DataKeyCache({ kms: kms.client, keyId: 'k', clock: clock.now });
    const first = await cache.acquire();
    clock.advance(5 * 60_000 - 1);
    expect(await cache.acquire()).toBe(first);
    clock.advance(1);
    expect(await cache.acquire()).not.toBe(first);
  });

  it('shares one in-flight GenerateDataKey among concurrent callers', async () => {
    const kms = fakeKms();
    const cache = new DataKeyCache({ kms: kms.client, keyId: 'k' });
    const keys = await Promise.all(Array.from({ length: 200 }, () => cache.acquire()));
    expect(kms.generateCalls()).toBe(1);
    expect(new Set(keys).size).toBe(1);
  });

  it('still honours maxUses when more callers wait than one key may serve', async () => {
    const kms = fakeKms();
    const cache = new DataKeyCache({ kms: kms.client, keyId: 'k', maxUses: 10 });
    const keys = await Promise.all(Array.from({ length: 25 }, () => cache.acquire()));
    expect(kms.generateCalls()).toBe(3);
    const uses = new Map<unknown, number>();
    for (const key of keys) uses.set(key, (uses.get(key) ?? 0) + 1);
    expect([...uses.values()].sort()).toEqual([10, 10, 5]);
  });

  // Throttling is mocked: no emulator throttles.
  it('turns a KMS failure into KeyProviderError for every waiter, and retries on the next call', async () => {
    const kms = fakeKms();
    kms.failNext('GenerateDataKey', throttling());
    const cache = new DataKeyCache({ kms: kms.client, keyId: 'k' });
    const results = await Promise.allSettled([cache.acquire(), cache.acquire(), cache.acquire()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const error = (results[0] as PromiseRejectedResult).reason as KeyProviderError;
    expect(error).toBeInstanceOf(KeyProviderError);
    expect(error.operation).toBe('GenerateDataKey');
    expect((error.cause as Error).name).toBe('ThrottlingException');
    expect(kms.generateCalls()).toBe(1);
    await expect(cache.acquire()).resolves.toHaveProperty('plaintext');
    expect(kms.generateCalls()).toBe(2);
  });

  it('tells onNewKey of each new key', async () => {
    const kms = fakeKms();
    const seen: unknown[] = [];
    const cache = new DataKeyCache({ kms: kms.client, keyId: 'k', maxUses: 1, onNewKey: (key) => seen.push(key) });
    const a = await cache.acquire();
    const b = await cache.acquire();
    expect(seen).toEqual([a, b]);
  });

  it('retire() makes the next caller take a new key', async () => {
    const kms = fakeKms();
    const cache = new DataKeyCache({ kms: kms.client, keyId: 'k' });
    const first = await cache.acquire();
    cache.retire();
    expect(await cache.acquire()).not.toBe(first);
  });

  it.each([
    [{ keyId: '' }, /keyId/],
    [{ maxAgeMs: 0 }, /maxAgeMs must be > 0, got 0/],
    [{ maxUses: 0 }, /maxUses must be an integer >= 1, got 0/],
    [{ maxUses: 1.5 }, /maxUses/],
  ])('rejects options %j', (options, message) => {
    expect(() => new DataKeyCache({ kms: fakeKms().client, keyId: 'k', ...options })).toThrow(message);
  });
});
