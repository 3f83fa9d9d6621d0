import { createHash } from 'node:crypto';
import { MAX_KEY_BYTES } from './constants';

/**
 * The partition key for a tuple of strings, e.g. (source, id): their JSON array, which no other tuple
 * shares whatever separators the strings contain, and readable in the console. A key over DynamoDB's
 * 2048-byte limit becomes `#` + the SHA-256 of that JSON (JSON keys start with `[`, so the two forms never
 * meet); the item keeps the strings themselves as attributes.
 */
export function itemKey(...parts: string[]): string {
  const json = JSON.stringify(parts);
  if (Buffer.byteLength(json, 'utf8') <= MAX_KEY_BYTES) return json;
  return `#${createHash('sha256').update(json, 'utf8').digest('base64url')}`;
}
