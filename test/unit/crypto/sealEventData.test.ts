import {
  createEventKeys,
  DecryptionError,
  DecryptionFailure,
  eventAad,
  openEventData,
  sealEventData,
  type SealedEventData,
} from '../../../src/crypto';
import { fakeKms } from './fakeKms';

describe('sealEventData / openEventData', () => {
  const plaintext = Buffer.from(JSON.stringify({ orderId: 42, total: 199.5 }));
  const aad = eventAad('/shop', 'evt-1');

  async function fixture() {
    const kms = fakeKms();
    const keys = createEventKeys({ kms: kms.client, keyId: 'alias/switchyard' });
    const sealed = await sealEventData(plaintext, aad, keys);
    return { kms, keys, sealed };
  }

  /** One good fixture, one byte changed. */
  function flip(bytes: Buffer, index = 0): Buffer {
    const copy = Buffer.from(bytes);
    copy[index] ^= 0x01;
    return copy;
  }

  async function expectDecryptionError(promise: Promise<unknown>, reason: DecryptionFailure) {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as DecryptionError).reason).toBe(reason);
  }

  it('round-trips data under a KMS data key with AES-256-GCM', async () => {
    const { keys, sealed } = await fixture();
    expect(sealed.alg).toBe('AES-256-GCM');
    expect(sealed.iv).toHaveLength(12);
    expect(sealed.tag).toHaveLength(16);
    expect(sealed.keyId).toMatch(/^arn:aws:kms:/);
    expect(sealed.ciphertext.equals(plaintext)).toBe(false);
    await expect(openEventData(sealed, aad, keys)).resolves.toEqual(plaintext);
  });

  it('opens Uint8Array fields, as the DynamoDB document client returns them', async () => {
    const { keys, sealed } = await fixture();
    const asRead: SealedEventData<Uint8Array> = {
      ...sealed,
      ciphertext: new Uint8Array(sealed.ciphertext),
      iv: new Uint8Array(sealed.iv),
      tag: new Uint8Array(sealed.tag),
      wrappedKey: new Uint8Array(sealed.wrappedKey),
    };
    await expect(openEventData(asRead, aad, keys)).resolves.toEqual(plaintext);
  });

  it('round-trips empty data', async () => {
    const { keys } = await fixture();
    const sealed = await sealEventData(Buffer.alloc(0), aad, keys);
    await expect(openEventData(sealed, aad, keys)).resolves.toEqual(Buffer.alloc(0));
  });

  it('uses a fresh IV for every event, so equal data never gives equal ciphertext', async () => {
    const { keys, sealed } = await fixture();
    const again = await sealEventData(plaintext, aad, keys);
    expect(again.wrappedKey.equals(sealed.wrappedKey)).toBe(true);
    expect(again.iv.equals(sealed.iv)).toBe(false);
    expect(again.ciphertext.equals(sealed.ciphertext)).toBe(false);
  });

  it.each([0, 7, 'last'] as const)('refuses a flipped ciphertext byte (%s)', async (at) => {
    const { keys, sealed } = await fixture();
    const index = at === 'last' ? sealed.ciphertext.length - 1 : at;
    await expectDecryptionError(openEventData({ ...sealed, ciphertext: flip(sealed.ciphertext, index) }, aad, keys), DecryptionFailure.authenticationFailed);
  });

  it('refuses a flipped tag byte', async () => {
    const { keys, sealed } = await fixture();
    await expectDecryptionError(openEventData({ ...sealed, tag: flip(sealed.tag, 15) }, aad, keys), DecryptionFailure.authenticationFailed);
  });

  it('refuses a flipped IV byte', async () => {
    const { keys, sealed } = await fixture();
    await expectDecryptionError(openEventData({ ...sealed, iv: flip(sealed.iv, 3) }, aad, keys), DecryptionFailure.authenticationFailed);
  });

  it('refuses a flipped AAD byte', async () => {
    const { keys, sealed } = await fixture();
    await expectDecryptionError(openEventData(sealed, flip(aad, aad.length - 1), keys), DecryptionFailure.authenticationFailed);
  });

  it("refuses data moved to another event (that event's AAD)", async () => {
    const { keys, sealed } = await fixture();
    await expectDecryptionError(openEventData(sealed, eventAad('/shop', 'evt-2'), keys), DecryptionFailure.authenticationFailed);
    await expectDecryptionError(openEventData(sealed, eventAad('/shop2', 'evt-1'), keys), DecryptionFailure.authenticationFailed);
  });

  it('refuses a flipped wrapped-key byte (KMS will not unwrap it)', async () => {
    const { keys, sealed } = await fixture();
    await expectDecryptionError(openEventData({ ...sealed, wrappedKey: flip(sealed.wrappedKey, 5) }, aad, keys), DecryptionFailure.keyUnwrapRefused);
  });

  it('refuses a truncated tag or IV as malformed, before asking KMS', async () => {
    const { kms, keys, sealed } = await fixture();
    await expectDecryptionError(openEventData({ ...sealed, tag: sealed.tag.subarray(0, 12) }, aad, keys), DecryptionFailure.malformed);
    await expectDecryptionError(openEventData({ ...sealed, iv: Buffer.alloc(16) }, aad, keys), DecryptionFailure.malformed);
    expect(kms.decryptCalls()).toBe(0);
  });

  it('refuses an unknown algorithm', async () => {
    const { keys, sealed } = await fixture();
    const other = { ...sealed, alg: 'AES-128-CBC' } as unknown as SealedEventData;
    await expectDecryptionError(openEventData(other, aad, keys), DecryptionFailure.unsupportedAlgorithm);
  });

  it('opens in another process (cold read cache) with one Decrypt per data key', async () => {
    const { kms, sealed } = await fixture();
    const second = await sealEventData(plaintext, eventAad('/shop', 'evt-2'), createEventKeys({ kms: kms.client, keyId: 'k' }));
    const reader = createEventKeys({ kms: kms.client, keyId: 'k' });
    await Promise.all([openEventData(sealed, aad, reader), openEventData(sealed, aad, reader)]);
    await openEventData(second, eventAad('/shop', 'evt-2'), reader);
    await openEventData(sealed, aad, reader);
    expect(kms.decryptCalls()).toBe(2);
  });
});
