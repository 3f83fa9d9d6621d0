import type { LocalKeyStore } from './LocalKeyStore';
import { dryRunError } from './kmsError';
import { validate, type Rules } from './validate';

export const rules: Rules = {
  KeyId: { type: 'String', notNull: true, minLength: 1, maxLength: 2048 },
  Plaintext: { type: 'Blob', notNull: true, minLength: 1, maxLength: 4096 },
  EncryptionContext: { type: 'StringMap' },
  EncryptionAlgorithm: { type: 'String', enum: ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] },
  GrantTokens: { type: 'StringList', maxLength: 10 },
  DryRun: { type: 'Boolean' },
};

/** Encrypt: up to 4 KiB sealed under the master key, the EncryptionContext as AAD. */
export function encrypt(store: LocalKeyStore, data: unknown): Record<string, unknown> {
  const request = validate(data, rules);
  store.resolve(request.KeyId as string);
  store.requireAlgorithm(request.EncryptionAlgorithm as string | undefined);
  if (request.DryRun) throw dryRunError();
  const context = request.EncryptionContext as Record<string, string> | undefined;
  return {
    CiphertextBlob: store.seal(request.Plaintext as Buffer, context).toString('base64'),
    KeyId: store.keyArn,
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
}
