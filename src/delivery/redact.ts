/** Secrets shorter than this are not searched for: replacing "a" everywhere would hide the message, not a secret. */
const MIN_REDACTED_LENGTH = 4;

/**
 * Replaces every occurrence of each secret in `text`. A last line of defence: messages are built
 * without secrets, but they quote receivers, token endpoints and functions, which might echo one back.
 */
export function redact(text: string, secrets: Iterable<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret === undefined || secret.length < MIN_REDACTED_LENGTH) continue;
    result = result.split(secret).join('[redacted]');
  }
  return result;
}
