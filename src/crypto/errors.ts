/** Base of every error from `src/crypto`. */
export class CryptoError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CryptoError';
  }
}

/** Why sealed data did not open. */
export const DecryptionFailure = {
  /** The GCM tag did not verify: ciphertext, iv, tag or AAD altered, or the wrong data key. */
  authenticationFailed: 'authentication_failed',
  /** A field has the wrong size or shape. */
  malformed: 'malformed',
  /** KMS refused to unwrap the data key as invalid for this key and context. */
  keyUnwrapRefused: 'key_unwrap_refused',
  unsupportedAlgorithm: 'unsupported_algorithm',
} as const;
export type DecryptionFailure = (typeof DecryptionFailure)[keyof typeof DecryptionFailure];

/**
 * Sealed data that will not open: tampered, malformed or not ours. Not retryable, unlike
 * `KeyProviderError`.
 */
export class DecryptionError extends CryptoError {
  constructor(
    message: string,
    readonly reason: DecryptionFailure,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DecryptionError';
  }
}

/** KMS could not be used (throttled, unreachable, access denied, key disabled): usually worth a retry. */
export class KeyProviderError extends CryptoError {
  constructor(
    message: string,
    readonly operation: 'GenerateDataKey' | 'Decrypt',
    readonly keyId: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KeyProviderError';
  }
}
