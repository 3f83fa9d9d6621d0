import { createDecipheriv } from 'node:crypto';
import { EVENT_DATA_ALG, IV_BYTES, TAG_BYTES } from './constants';
import { DecryptionError, DecryptionFailure } from './errors';
import type { EventKeys, SealedEventData } from './types';

/**
 * Decrypts what `sealEventData` produced, given the same AAD. Any altered byte (ciphertext, iv, tag,
 * wrapped key or AAD) is a `DecryptionError`; a KMS outage is a `KeyProviderError`.
 */
export async function openEventData(
  sealed: SealedEventData<Uint8Array>,
  aad: Buffer,
  keys: Pick<EventKeys, 'unwrappedKeys'>,
): Promise<Buffer> {
  if (sealed.alg !== EVENT_DATA_ALG) {
    throw new DecryptionError(`unsupported algorithm ${JSON.stringify(sealed.alg)}, expected ${EVENT_DATA_ALG}`, DecryptionFailure.unsupportedAlgorithm);
  }
  if (sealed.iv?.length !== IV_BYTES || sealed.tag?.length !== TAG_BYTES || !sealed.ciphertext || !sealed.wrappedKey?.length) {
    throw new DecryptionError(
      `sealed data is malformed: iv must be ${IV_BYTES} bytes, tag ${TAG_BYTES} bytes, ciphertext and wrapped key present`,
      DecryptionFailure.malformed,
    );
  }
  const key = await keys.unwrappedKeys.unwrap(sealed.wrappedKey, sealed.keyId);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch (error) {
    throw new DecryptionError('event data failed authentication: altered, or opened with the wrong AAD or key', DecryptionFailure.authenticationFailed, {
      cause: error,
    });
  }
}
