import { DecryptCommand } from '@aws-sdk/client-kms';
import {
  DATA_KEY_ENCRYPTION_CONTEXT,
  DataKeyCache,
  DecryptionError,
  DecryptionFailure,
  KeyProviderError,
  UnwrappedKeyCache,
} from '../../../src/crypto';
import { fakeKms, throttling } from './fakeKms';

describe('UnwrappedKeyCache', () => {
  async function setup(maxEntries?: number) {
    const kms = fakeKms();
    const writer = new DataKeyCache({ kms: kms.client, keyId: 'k', maxUses: 1 });
    const dataKeys = await Promise.all([writer.acquire(), writer.acquire(), writer.acquire()]);
    return { kms, dataKeys, cache: new UnwrappedKeyCache({ kms: kms.client, maxEntries }) };
  }

  it('unwraps with the data-key encryption context and the key id given', async () => {
    const { kms, dataKeys, cache } = await setup();
    await expect(cache.unwrap(dataKeys[0].wrappedKey, dataKeys[0].keyId)).resolves.toEqual(dataKeys[0].plaintext);
    expect(kms.mock.commandCalls(DecryptCommand)[0].args[0].input).toMatchObject({
      KeyId: dataKeys[0].keyId,
      EncryptionContext: DATA_KEY_ENCRYPTION_CONTEXT,
    });
  });

  it('calls Decrypt once per distinct data key', async () => {
    const { kms, dataKeys, cache } = await setup();
    for (let round = 0; round < 5; round++) {
      for (const key of dataKeys) expect(await cache.unwrap(key.wrappedKey)).toEqual(key.plaintext);
    }
    expect(kms.decryptCalls()).toBe(3);
  });

  it('shares one in-flight Decrypt among concurrent readers of one key', async () => {
    const { kms, dataKeys, cache } = await setup();
    await Promise.all(Array.from({ length: 50 }, () => cache.unwrap(dataKeys[0].wrappedKey)));
    expect(kms.decryptCalls()).toBe(1);
  });

  it('keys the cache by content, not by buffer identity', async () => {
    const { kms, dataKeys, cache } = await setup();
    await cache.unwrap(dataKeys[0].wrappedKey);
    await cache.unwrap(new Uint8Array(dataKeys[0].wrappedKey));
    expect(kms.decryptCalls()).toBe(1);
  });

  it('evicts the least recently used key beyond maxEntries', async () => {
    const { kms, dataKeys, cache } = await setup(2);
    const [a, b, c] = dataKeys;
    await cache.unwrap(a.wrappedKey);
    await cache.unwrap(b.wrappedKey);
    await cache.unwrap(a.wrappedKey); // a is now the most recent
    await cache.unwrap(c.wrappedKey); // evicts b
    expect(cache.size).toBe(2);
    expect(kms.decryptCalls()).toBe(3);
    await cache.unwrap(a.wrappedKey);
    expect(kms.decryptCalls()).toBe(3);
    await cache.unwrap(b.wrappedKey);
    expect(kms.decryptCalls()).toBe(4);
  });

  it('needs no Decrypt for a key it was told of', async () => {
    const { kms, dataKeys, cache } = await setup();
    cache.remember(dataKeys[0].wrappedKey, dataKeys[0].plaintext);
    await expect(cache.unwrap(dataKeys[0].wrappedKey)).resolves.toEqual(dataKeys[0].plaintext);
    expect(kms.decryptCalls()).toBe(0);
  });

  it('turns a refused unwrap into DecryptionError', async () => {
    const { cache } = await setup();
    const error = await cache.unwrap(Buffer.from('not a wrapped key')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).reason).toBe(DecryptionFailure.keyUnwrapRefused);
  });

  // Throttling is mocked: no emulator throttles.
  it('turns throttling into KeyProviderError and does not cache the failure', async () => {
    const { kms, dataKeys, cache } = await setup();
    kms.failNext('Decrypt', throttling());
    const error = await cache.unwrap(dataKeys[0].wrappedKey).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyProviderError);
    expect((error as KeyProviderError).operation).toBe('Decrypt');
    expect(cache.size).toBe(0);
  });

  it('rejects maxEntries below 1', () => {
    expect(() => new UnwrappedKeyCache({ kms: fakeKms().client, maxEntries: 0 })).toThrow(/maxEntries must be an integer >= 1, got 0/);
  });
});
