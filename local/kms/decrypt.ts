import { decodeBlob } from './ciphertextBlob';
import type { LocalKeyStore } from './LocalKeyStore';
import { dryRunError, kmsError } from './kmsError';
import { validate, type Rules } from './validate';

export const rules: Rules = {
  CiphertextBlob: { type: 'Blob', notNull: true, minLength: 1, maxLength: 6144 },
  EncryptionContext: { type: 'StringMap' },
  KeyId: { type: 'String', minLength: 1, maxLength: 2048 },
  EncryptionAlgorithm: { type: 'String', enum: ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] },
  GrantTokens: { type: 'StringList', maxLength: 10 },
  DryRun: { type: 'Boolean' },
};

/**
 * Decrypt: KeyId is optional, as in AWS, since the blob names its key. When given it must name the key
 * the blob was sealed under (`IncorrectKeyException`); a wrong EncryptionContext or an altered byte is an
 * `InvalidCiphertextException`.
 */
export function decrypt(store: LocalKeyStore, data: unknown): Record<string, unknown> {
  const request = validate(data, rules);
  const keyId = request.KeyId as string | undefined;
  if (keyId !== undefined) store.resolve(keyId);
  store.requireAlgorithm(request.EncryptionAlgorithm as string | undefined);
  const blob = request.CiphertextBlob as Buffer;
  if (keyId !== undefined && decodeBlob(blob).keyId !== store.keyId) {
    throw kmsError('IncorrectKeyException', 'The key ID in the request does not identify a KMS key that can perform this operation.');
  }
  if (request.DryRun) throw dryRunError();
  const plaintext = store.open(blob, request.EncryptionContext as Record<string, string> | undefined);
  return { KeyId: store.keyArn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
}
