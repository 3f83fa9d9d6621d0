import { createHash, randomBytes } from 'node:crypto';

/** Prefix of a stored token hash: the algorithm, so a stronger one can be added without ambiguity. */
export const TOKEN_HASH_PREFIX = 'sha256:';

/** Prefix of generated tokens, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_PREFIX = 'sy_';

/**
 * The stored form of a bearer token: `sha256:<64 hex>`. A plain SHA-256 suffices (no slow KDF): generated
 * tokens carry 256 random bits, so there is nothing to guess by brute force from a leaked hash.
 */
export function hashToken(token: string): string {
  return TOKEN_HASH_PREFIX + createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True when `value` has the shape `hashToken` produces. */
export function isTokenHash(value: unknown): value is string {
  return typeof value === 'string' && /^sha256:[0-9a-f]{64}$/.test(value);
}

/** The 32 raw bytes of a stored hash, for a constant-time comparison. */
export function hashBytes(hash: string): Buffer {
  return Buffer.from(hash.slice(TOKEN_HASH_PREFIX.length), 'hex');
}

/** A new bearer token: `sy_` and 32 random bytes, base64url (43 characters). */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}
