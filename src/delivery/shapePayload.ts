import Cryptr from 'cryptr';
import { toBinaryRequest } from '../events/toBinaryRequest';
import type { CloudEventJson } from '../events/types';
import { PAYLOAD_MODE, type DeliveryOptions } from '../routing/subscriptionTypes';
import { ENCRYPTED_CONTENT_TYPE, ENCRYPTION_EXTENSION, JWE_KEY_BYTES } from './constants';
import { errorMessage } from './errorMessage';
import { DeliveryError, PayloadEncryptionError } from './errors';
import type { ResolveSecret } from './types';
import { withoutData } from './withoutData';

/** The parts of a subscription's delivery options that decide the payload. */
export type PayloadOptions = Pick<DeliveryOptions, 'payload' | 'encryption'>;

/**
 * The CloudEvent as a subscriber receives it (DESIGN `delivery.payload`):
 * - `full`: the event unchanged (the same object).
 * - `metadata`: a copy without `data` and `data_base64` (CHEFS "PUBLIC" events).
 * - `encrypted`: a copy whose `data` is a string sealed under `delivery.encryption.key`, with
 *   `datacontenttype` set to the sealed format's type, and two extensions: `plaincontenttype` (the
 *   original content type, when there was one) and `dataencryption` (`jwe` or `cryptr`).
 *
 * The plaintext is the data exactly as it would be the body of a binary-mode delivery: JSON text for
 * JSON data, the text itself for string data of a non-JSON type, and the raw bytes of `data_base64`.
 * - `jwe` (default): a compact JWE, `alg: dir`, `enc: A256GCM`, `cty` = the plaintext's content type;
 *   the key is the base64 (or base64url) of 32 bytes. Open with `jose.compactDecrypt(data, key)`.
 * - `cryptr`: `new Cryptr(passphrase).encrypt(text)` output (aes-256-gcm, PBKDF2-SHA512 per message,
 *   hex), as the `cryptr` package used by CHEFS consumers makes and opens it. cryptr encrypts text, so
 *   binary data (`data_base64`) is sealed as its base64 text.
 * An event without data is delivered unchanged: there is nothing to seal.
 *
 * @throws PayloadEncryptionError when the key is missing or unusable (no retry can fix that);
 *   DeliveryError (retryable) when the key cannot be resolved.
 */
export async function shapePayload(
  event: CloudEventJson,
  delivery: PayloadOptions,
  resolveSecret: ResolveSecret,
): Promise<CloudEventJson> {
  switch (delivery.payload) {
    case PAYLOAD_MODE.full:
      return event;
    case PAYLOAD_MODE.metadata:
      return withoutData(event);
    case PAYLOAD_MODE.encrypted:
      return encryptData(event, delivery, resolveSecret);
    default:
      throw new PayloadEncryptionError(`delivery.payload "${String(delivery.payload)}" is not one of full, metadata, encrypted`);
  }
}

async function encryptData(event: CloudEventJson, delivery: PayloadOptions, resolveSecret: ResolveSecret): Promise<CloudEventJson> {
  if (event.data === undefined && event.data_base64 === undefined) return event;
  if (!delivery.encryption) {
    throw new PayloadEncryptionError('delivery.payload is "encrypted" but delivery.encryption (format and key) is missing');
  }
  const format = delivery.encryption.format ?? 'jwe';
  let key: string;
  try {
    key = await resolveSecret(delivery.encryption.key);
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    // The secret store may be throttled or briefly unreachable: worth a retry.
    throw new DeliveryError(`could not resolve delivery.encryption.key: ${errorMessage(error)}`, 'secret', true, { cause: error });
  }
  const { headers, body } = toBinaryRequest(event);
  const plainContentType = headers['content-type'];
  let sealed: string;
  if (format === 'jwe') {
    sealed = await sealJwe(body, jweKey(key), plainContentType);
  } else if (format === 'cryptr') {
    if (key === '') throw new PayloadEncryptionError('delivery.encryption.key is empty; cryptr needs a non-empty passphrase');
    const text = event.data_base64 !== undefined ? event.data_base64 : body.toString('utf8');
    // The async variant runs PBKDF2 (100,000 rounds per message, fixed by the format) off the event loop.
    sealed = await new Cryptr.CryptrAsync(key).encrypt(text);
  } else {
    throw new PayloadEncryptionError(`delivery.encryption.format "${String(format)}" is not one of jwe, cryptr`);
  }
  const shaped = withoutData(event);
  shaped.datacontenttype = ENCRYPTED_CONTENT_TYPE[format];
  if (plainContentType !== undefined) shaped[ENCRYPTION_EXTENSION.plainContentType] = plainContentType;
  shaped[ENCRYPTION_EXTENSION.format] = format;
  shaped.data = sealed;
  return shaped;
}

/** Decodes a `jwe` key: base64 or base64url of exactly 32 bytes. The message never quotes the key. */
function jweKey(secret: string): Buffer {
  const text = secret.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    throw new PayloadEncryptionError(
      `delivery.encryption.key for format "jwe" must be the base64 of ${JWE_KEY_BYTES} random bytes; it is not base64 (${text.length} characters)`,
    );
  }
  const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== JWE_KEY_BYTES) {
    throw new PayloadEncryptionError(
      `delivery.encryption.key for format "jwe" must decode to ${JWE_KEY_BYTES} bytes (A256GCM); it decodes to ${key.length}`,
    );
  }
  return key;
}

async function sealJwe(plaintext: Buffer, key: Buffer, contentType: string | undefined): Promise<string> {
  // Loaded on first use: most deployments never encrypt a payload, and a bundle evaluates jose only when
  // imported (esbuild keeps a dynamic import lazy), which keeps a few ms off every cold start. Only the
  // compact JWE encrypter: a dynamic import of `jose` itself bundles all of jose (JWS, JWT, JWKS, ...).
  const { CompactEncrypt } = await import('jose/jwe/compact/encrypt');
  return new CompactEncrypt(plaintext)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', ...(contentType !== undefined ? { cty: contentType } : {}) })
    .encrypt(key);
}
