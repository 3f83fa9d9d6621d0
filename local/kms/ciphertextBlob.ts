import { kmsError } from './kmsError';

/**
 * The local KMS's CiphertextBlob, self-describing so Decrypt needs no KeyId:
 *
 *   version (1 byte) | key id length (1 byte) | key id (UTF-8) | iv (12) | tag (16) | ciphertext
 *
 * The header (version and key id) is authenticated as part of the AAD, so it cannot be swapped.
 */
export interface CiphertextBlob {
  version: number;
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

export const BLOB_VERSION = 1;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export function encodeBlob(blob: Omit<CiphertextBlob, 'version'>): Buffer {
  const keyId = Buffer.from(blob.keyId, 'utf8');
  if (keyId.length > 255) throw new Error(`key id longer than 255 bytes: ${blob.keyId}`);
  return Buffer.concat([blobHeader(blob.keyId), blob.iv, blob.tag, blob.ciphertext]);
}

/** The bytes before the iv; also bound into the AAD. */
export function blobHeader(keyId: string): Buffer {
  const id = Buffer.from(keyId, 'utf8');
  return Buffer.concat([Buffer.from([BLOB_VERSION, id.length]), id]);
}

/** Parses a blob; anything malformed is an `InvalidCiphertextException`, as AWS answers for garbage. */
export function decodeBlob(bytes: Buffer): CiphertextBlob {
  const invalid = () => kmsError('InvalidCiphertextException', 'The ciphertext is not a valid CiphertextBlob');
  if (bytes.length < 2 || bytes[0] !== BLOB_VERSION) throw invalid();
  const idEnd = 2 + bytes[1];
  if (bytes.length < idEnd + IV_BYTES + TAG_BYTES) throw invalid();
  const ivEnd = idEnd + IV_BYTES;
  const tagEnd = ivEnd + TAG_BYTES;
  return {
    version: bytes[0],
    keyId: bytes.subarray(2, idEnd).toString('utf8'),
    iv: bytes.subarray(idEnd, ivEnd),
    tag: bytes.subarray(ivEnd, tagEnd),
    ciphertext: bytes.subarray(tagEnd),
  };
}
