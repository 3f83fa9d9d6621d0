import { Webhook } from 'standardwebhooks';
import { WEBHOOK_HEADER } from './constants';
import { errorMessage } from './errorMessage';
import { WebhookSecretError } from './errors';
import type { StandardWebhookHeaders } from './types';

/** What a Standard Webhooks signature covers. */
export interface SignWebhookInput {
  /** `webhook-id`: the event id, the same on every retry so receivers can de-duplicate. */
  id: string;
  /** `webhook-timestamp`; sent as Unix seconds. */
  timestamp: Date;
  /** The exact request body. */
  body: string | Buffer;
  /**
   * Signing secrets, `whsec_<base64>` or bare base64. Each adds one `v1,` signature, so a receiver holding
   * either the old or the new secret verifies while a secret is rotated.
   */
  secrets: readonly string[];
}

/**
 * The three Standard Webhooks headers, signed with the `standardwebhooks` library itself: `webhook-signature`
 * is a space-separated list of `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one per distinct secret.
 *
 * A Buffer body is signed as its UTF-8 text, as the library's `verify` reads it; binary bodies that are not
 * valid UTF-8 therefore verify with the JavaScript library but may not with one that signs raw bytes.
 *
 * @throws WebhookSecretError when there is no secret or one is empty or not base64 (the message gives its
 *   position, never its value).
 */
export function signWebhook(input: SignWebhookInput): StandardWebhookHeaders {
  if (input.secrets.length === 0) throw new WebhookSecretError('a webhook needs at least one signing secret');
  const signatures = new Set<string>();
  input.secrets.forEach((secret, index) => {
    signatures.add(webhookFor(secret, index).sign(input.id, input.timestamp, input.body));
  });
  return {
    [WEBHOOK_HEADER.id]: input.id,
    [WEBHOOK_HEADER.timestamp]: String(Math.floor(input.timestamp.getTime() / 1000)),
    [WEBHOOK_HEADER.signature]: [...signatures].join(' '),
  };
}

/**
 * Signers by secret: building one decodes the secret, so each is built once and reused by every delivery
 * (bounded, so a long-lived process rotating secrets does not keep old ones forever).
 */
const signers = new Map<string, Webhook>();
const MAX_CACHED_SIGNERS = 256;

function webhookFor(secret: string, index: number): Webhook {
  const cached = signers.get(secret);
  if (cached !== undefined) return cached;
  const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  // The library's decoder accepts some malformed input silently; insist on standard base64 first.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw new WebhookSecretError(`webhook secret #${index + 1} is not "whsec_" followed by base64`);
  }
  let signer: Webhook;
  try {
    signer = new Webhook(secret);
  } catch (error) {
    throw new WebhookSecretError(`webhook secret #${index + 1} is unusable: ${errorMessage(error)}`, { cause: error });
  }
  if (signers.size >= MAX_CACHED_SIGNERS) signers.clear();
  signers.set(secret, signer);
  return signer;
}
