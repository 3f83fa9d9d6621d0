import type { KMSClient } from '@aws-sdk/client-kms';
import { DataKeyCache, type DataKeyCacheOptions } from './DataKeyCache';
import type { EventKeys } from './types';
import { UnwrappedKeyCache, type UnwrappedKeyCacheOptions } from './UnwrappedKeyCache';

export interface EventKeysOptions
  extends Omit<DataKeyCacheOptions, 'kms' | 'onNewKey'>,
    Omit<UnwrappedKeyCacheOptions, 'kms'> {
  /** One client for both GenerateDataKey and Decrypt. */
  kms: KMSClient;
}

/**
 * The store's two key caches, wired so every data key generated here is also known to the read side:
 * events written by this process read back without a KMS Decrypt.
 */
export function createEventKeys(options: EventKeysOptions): EventKeys & { dataKeys: DataKeyCache; unwrappedKeys: UnwrappedKeyCache } {
  const unwrappedKeys = new UnwrappedKeyCache(options);
  const dataKeys = new DataKeyCache({ ...options, onNewKey: (key) => unwrappedKeys.remember(key.wrappedKey, key.plaintext) });
  return { dataKeys, unwrappedKeys };
}
