import { JWE_KEY_BYTES, WEBHOOK_SECRET_BYTES, WEBHOOK_SECRET_PREFIX } from './constants';

// Checks of secrets given as plain strings. The messages never include the value.

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decoded length of strict (padded) base64, or undefined when it is not base64. */
function base64Bytes(text: string): number | undefined {
  return text.length > 0 && BASE64.test(text) ? Buffer.from(text, 'base64').length : undefined;
}

/** Why a plain-string webhook secret cannot sign Standard Webhooks deliveries, or undefined when it can. */
export function webhookSecretProblem(secret: string): string | undefined {
  const body = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  const bytes = base64Bytes(body);
  if (bytes !== undefined && bytes >= WEBHOOK_SECRET_BYTES.min && bytes <= WEBHOOK_SECRET_BYTES.max) return undefined;
  const got = bytes === undefined ? 'it is not base64' : `it decodes to ${bytes} bytes`;
  return `must be a Standard Webhooks secret: "${WEBHOOK_SECRET_PREFIX}" then the base64 of ${WEBHOOK_SECRET_BYTES.min} to ${WEBHOOK_SECRET_BYTES.max} random bytes (${got})`;
}

/** Why a plain-string `jwe` key is unusable (`dir` + `A256GCM` needs exactly 32 bytes), or undefined. */
export function jweKeyProblem(key: string): string | undefined {
  const bytes = base64Bytes(key);
  if (bytes === JWE_KEY_BYTES) return undefined;
  const got = bytes === undefined ? 'it is not base64' : `it decodes to ${bytes} bytes`;
  return `must be the base64 of ${JWE_KEY_BYTES} random bytes for format "jwe" (${got}); use format "cryptr" for a passphrase`;
}
