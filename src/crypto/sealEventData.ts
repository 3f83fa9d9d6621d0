import { createCipheriv, randomBytes } from 'node:crypto';
import { EVENT_DATA_ALG, IV_BYTES, TAG_BYTES } from './constants';
import type { EventKeys, SealedEventData } from './types';

/**
 * Encrypts one event's data with AES-256-GCM under the current data key and a fresh random 96-bit IV,
 * authenticating `aad` (see `eventAad`). The result carries the wrapped data key, so it opens anywhere
 * the KMS key can be used.
 */
export async function sealEventData(plaintext: Buffer, aad: Buffer, keys: Pick<EventKeys, 'dataKeys'>): Promise<SealedEventData> {
  const key = await keys.dataKeys.acquire();
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key.plaintext, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, iv, tag: cipher.getAuthTag(), wrappedKey: key.wrappedKey, keyId: key.keyId, alg: EVENT_DATA_ALG };
}
