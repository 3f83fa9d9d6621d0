import { randomBytes } from 'node:crypto';
import type { LocalKeyStore } from './LocalKeyStore';
import { dryRunError, kmsError } from './kmsError';
import { validate, type Rules } from './validate';

export const rules: Rules = {
  KeyId: { type: 'String', notNull: true, minLength: 1, maxLength: 2048 },
  EncryptionContext: { type: 'StringMap' },
  NumberOfBytes: { type: 'Integer', min: 1, max: 1024 },
  KeySpec: { type: 'String', enum: ['AES_256', 'AES_128'] },
  GrantTokens: { type: 'StringList', maxLength: 10 },
  DryRun: { type: 'Boolean' },
};

const KEY_SPEC_BYTES = { AES_256: 32, AES_128: 16 } as const;

/**
 * GenerateDataKey: a fresh random data key, returned in clear and sealed under the master key with the
 * request's EncryptionContext as AAD (Decrypt must present the same context).
 */
export function generateDataKey(store: LocalKeyStore, data: unknown): Record<string, unknown> {
  const request = validate(data, rules);
  const keySpec = request.KeySpec as keyof typeof KEY_SPEC_BYTES | undefined;
  const numberOfBytes = request.NumberOfBytes as number | undefined;
  // AWS's cross-field rule: exactly one of the two sizes.
  if ((keySpec === undefined) === (numberOfBytes === undefined)) {
    throw kmsError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  store.resolve(request.KeyId as string);
  if (request.DryRun) throw dryRunError();
  const plaintext = randomBytes(keySpec ? KEY_SPEC_BYTES[keySpec] : numberOfBytes!);
  const context = request.EncryptionContext as Record<string, string> | undefined;
  return {
    CiphertextBlob: store.seal(plaintext, context).toString('base64'),
    Plaintext: plaintext.toString('base64'),
    KeyId: store.keyArn,
  };
}
