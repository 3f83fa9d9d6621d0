import { createHash } from 'node:crypto';

/** Prefix of every derived `webhook-id`, so receivers can tell the scheme (and a future one) apart. */
export const WEBHOOK_ID_PREFIX = 'evt_';

/**
 * The `webhook-id` of an event: `evt_` followed by the unpadded base64url of
 * SHA-256(UTF-8(source) ‖ 0x00 ‖ UTF-8(id)), 47 visible ASCII characters.
 *
 * Why not the bare `id`: a CloudEvent id may be any non-empty text (spaces, emoji, bidi marks), which is not
 * a usable header value, and it is unique only per `source`, so two producers' events could share one
 * `webhook-id` and a receiver de-duplicating on it would drop one. The hash is the same on every attempt,
 * redrive and replay of the event, and distinct for distinct (source, id) pairs. The separator is
 * unambiguous because valid `source` and `id` values contain no control characters.
 */
export function webhookIdOf(source: string, id: string): string {
  const digest = createHash('sha256').update(source, 'utf8').update('\u0000').update(id, 'utf8').digest('base64url');
  return `${WEBHOOK_ID_PREFIX}${digest}`;
}
