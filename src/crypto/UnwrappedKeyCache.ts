import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DATA_KEY_BYTES, DATA_KEY_ENCRYPTION_CONTEXT, DEFAULT_UNWRAPPED_KEY_CACHE_SIZE } from './constants';
import { DecryptionError, DecryptionFailure, KeyProviderError } from './errors';
import type { UnwrappedKeySource } from './types';

export interface UnwrappedKeyCacheOptions {
  /** The client Decrypt is sent with. */
  kms: KMSClient;
  /** Most plaintext data keys kept; the least recently used goes first. @default 1000 */
  maxEntries?: number;
  /** KMS encryption context the keys were wrapped with. @default DATA_KEY_ENCRYPTION_CONTEXT */
  encryptionContext?: Readonly<Record<string, string>>;
}

/** KMS answers that mean the wrapped key itself is bad (altered, or not for this key or context). */
const REFUSALS = new Set(['InvalidCiphertextException', 'IncorrectKeyException', 'NotFoundException']);

/**
 * Unwraps data keys for reading: a bounded LRU keyed by the wrapped key, so reading many events costs one
 * KMS Decrypt per distinct data key. Concurrent reads of one wrapped key share one Decrypt; failures are
 * not cached.
 */
export class UnwrappedKeyCache implements UnwrappedKeySource {
  private readonly kms: KMSClient;
  private readonly maxEntries: number;
  private readonly encryptionContext: Record<string, string>;
  /** Map order is recency order: the first entry is the least recently used. */
  private readonly entries = new Map<string, Buffer>();
  private readonly inFlight = new Map<string, Promise<Buffer>>();

  constructor(options: UnwrappedKeyCacheOptions) {
    this.kms = options.kms;
    this.maxEntries = options.maxEntries ?? DEFAULT_UNWRAPPED_KEY_CACHE_SIZE;
    this.encryptionContext = { ...(options.encryptionContext ?? DATA_KEY_ENCRYPTION_CONTEXT) };
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError(`UnwrappedKeyCache: maxEntries must be an integer >= 1, got ${this.maxEntries}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  async unwrap(wrappedKey: Uint8Array, keyId?: string): Promise<Buffer> {
    const cacheKey = Buffer.from(wrappedKey.buffer, wrappedKey.byteOffset, wrappedKey.byteLength).toString('base64');
    const cached = this.entries.get(cacheKey);
    if (cached) {
      this.entries.delete(cacheKey);
      this.entries.set(cacheKey, cached);
      return cached;
    }
    let pending = this.inFlight.get(cacheKey);
    if (!pending) {
      pending = this.decrypt(wrappedKey, keyId).finally(() => this.inFlight.delete(cacheKey));
      this.inFlight.set(cacheKey, pending);
    }
    const plaintext = await pending;
    this.remember(wrappedKey, plaintext);
    return plaintext;
  }

  /** Adds a key known in clear already (a data key just generated), saving its first Decrypt. */
  remember(wrappedKey: Uint8Array, plaintext: Buffer): void {
    const cacheKey = Buffer.from(wrappedKey.buffer, wrappedKey.byteOffset, wrappedKey.byteLength).toString('base64');
    this.entries.delete(cacheKey);
    this.entries.set(cacheKey, plaintext);
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  private async decrypt(wrappedKey: Uint8Array, keyId: string | undefined): Promise<Buffer> {
    let response;
    try {
      response = await this.kms.send(
        // KeyId pins the key, as AWS recommends, so a blob wrapped under another key is refused.
        new DecryptCommand({ CiphertextBlob: wrappedKey, KeyId: keyId, EncryptionContext: this.encryptionContext }),
      );
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (REFUSALS.has(name)) {
        throw new DecryptionError(`KMS refused to unwrap the data key (${name})`, DecryptionFailure.keyUnwrapRefused, { cause: error });
      }
      throw new KeyProviderError(`Decrypt of a data key failed: ${(error as Error).message}`, 'Decrypt', keyId, { cause: error });
    }
    if (!response.Plaintext || response.Plaintext.length !== DATA_KEY_BYTES) {
      throw new DecryptionError(`the unwrapped data key is not ${DATA_KEY_BYTES} bytes`, DecryptionFailure.malformed);
    }
    return Buffer.from(response.Plaintext);
  }
}
