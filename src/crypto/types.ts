import type { EVENT_DATA_ALG } from './constants';

/** Milliseconds since the epoch; injected so tests can move time. */
export type Clock = () => number;

/** A KMS data key: in clear for AES, and wrapped (the KMS CiphertextBlob) for storing beside the data. */
export interface DataKey {
  plaintext: Buffer;
  wrappedKey: Buffer;
  /** The KMS key ARN that wrapped it. */
  keyId: string;
}

/**
 * One event's data after `sealEventData`. The binary fields are Buffers when sealed and any Uint8Array
 * when read back (the DynamoDB document client yields Uint8Array).
 */
export interface SealedEventData<B extends Uint8Array = Buffer> {
  ciphertext: B;
  iv: B;
  tag: B;
  wrappedKey: B;
  keyId: string;
  alg: typeof EVENT_DATA_ALG;
}

/** Where sealing gets its data key (`DataKeyCache`). */
export interface DataKeySource {
  acquire(): Promise<DataKey>;
}

/** Where opening gets a wrapped key's plaintext (`UnwrappedKeyCache`). */
export interface UnwrappedKeySource {
  unwrap(wrappedKey: Uint8Array, keyId?: string): Promise<Buffer>;
}

/** The two caches envelope encryption needs, as the store takes them. */
export interface EventKeys {
  dataKeys: DataKeySource;
  unwrappedKeys: UnwrappedKeySource;
}
