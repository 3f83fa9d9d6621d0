import { GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  DATA_KEY_BYTES,
  DATA_KEY_ENCRYPTION_CONTEXT,
  DEFAULT_DATA_KEY_MAX_AGE_MS,
  DEFAULT_DATA_KEY_MAX_USES,
} from './constants';
import { KeyProviderError } from './errors';
import type { Clock, DataKey, DataKeySource } from './types';

export interface DataKeyCacheOptions {
  /** The client GenerateDataKey is sent with (emulator-bound locally). */
  kms: KMSClient;
  /** The KMS key (id, ARN or alias) that wraps the data keys. */
  keyId: string;
  /** How long one data key is used, from when KMS returned it. @default 300000 (5 minutes) */
  maxAgeMs?: number;
  /** How many events one data key seals. @default 50000 */
  maxUses?: number;
  /** KMS encryption context of the wrapped keys; reading must use the same. @default DATA_KEY_ENCRYPTION_CONTEXT */
  encryptionContext?: Readonly<Record<string, string>>;
  /** Told of each new data key, e.g. to seed the unwrapped-key cache so fresh events read without KMS. */
  onNewKey?: (key: DataKey) => void;
  /** @default Date.now */
  clock?: Clock;
}

interface CachedKey {
  key: DataKey;
  expiresAt: number;
  usesLeft: number;
}

/**
 * Hands out the current data key for sealing, so KMS is called once per data key, never once per event.
 * A key is retired after `maxAgeMs` or `maxUses`, whichever comes first; concurrent callers that find no
 * usable key share one in-flight GenerateDataKey.
 */
export class DataKeyCache implements DataKeySource {
  private readonly kms: KMSClient;
  private readonly keyId: string;
  private readonly maxAgeMs: number;
  private readonly maxUses: number;
  private readonly encryptionContext: Record<string, string>;
  private readonly onNewKey?: (key: DataKey) => void;
  private readonly clock: Clock;
  private current?: CachedKey;
  private inFlight?: Promise<void>;

  constructor(options: DataKeyCacheOptions) {
    this.kms = options.kms;
    this.keyId = options.keyId;
    this.maxAgeMs = options.maxAgeMs ?? DEFAULT_DATA_KEY_MAX_AGE_MS;
    this.maxUses = options.maxUses ?? DEFAULT_DATA_KEY_MAX_USES;
    this.encryptionContext = { ...(options.encryptionContext ?? DATA_KEY_ENCRYPTION_CONTEXT) };
    this.onNewKey = options.onNewKey;
    this.clock = options.clock ?? Date.now;
    if (!this.keyId) throw new RangeError('DataKeyCache: keyId is required, got an empty string');
    if (!(this.maxAgeMs > 0)) throw new RangeError(`DataKeyCache: maxAgeMs must be > 0, got ${this.maxAgeMs}`);
    if (!Number.isInteger(this.maxUses) || this.maxUses < 1) {
      throw new RangeError(`DataKeyCache: maxUses must be an integer >= 1, got ${this.maxUses}`);
    }
  }

  /** The data key for one event; counts as one use. */
  async acquire(): Promise<DataKey> {
    // Loop: after waiting on a shared GenerateDataKey the new key may already be used up by other waiters.
    for (;;) {
      const current = this.current;
      if (current && current.usesLeft > 0 && this.clock() < current.expiresAt) {
        current.usesLeft -= 1;
        return current.key;
      }
      this.inFlight ??= this.generate().finally(() => {
        this.inFlight = undefined;
      });
      await this.inFlight;
    }
  }

  /** Drops the current key, so the next event gets a new one (e.g. after the master key changed). */
  retire(): void {
    this.current = undefined;
  }

  private async generate(): Promise<void> {
    let response;
    try {
      response = await this.kms.send(
        new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: this.encryptionContext }),
      );
    } catch (error) {
      throw new KeyProviderError(`GenerateDataKey failed for key ${this.keyId}: ${(error as Error).message}`, 'GenerateDataKey', this.keyId, {
        cause: error,
      });
    }
    const { Plaintext, CiphertextBlob, KeyId } = response;
    if (!Plaintext || Plaintext.length !== DATA_KEY_BYTES || !CiphertextBlob) {
      throw new KeyProviderError(`GenerateDataKey for key ${this.keyId} returned no ${DATA_KEY_BYTES}-byte data key`, 'GenerateDataKey', this.keyId);
    }
    const key: DataKey = { plaintext: Buffer.from(Plaintext), wrappedKey: Buffer.from(CiphertextBlob), keyId: KeyId ?? this.keyId };
    this.current = { key, expiresAt: this.clock() + this.maxAgeMs, usesLeft: this.maxUses };
    this.onNewKey?.(key);
  }
}
