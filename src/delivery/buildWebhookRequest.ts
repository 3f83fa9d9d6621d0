import { toBinaryRequest } from '../events/toBinaryRequest';
import type { CloudEventJson } from '../events/types';
import { CONTENT_MODE, type ContentMode } from '../routing/subscriptionTypes';
import { STRUCTURED_CONTENT_TYPE } from './constants';
import { signWebhook } from './signWebhook';
import { webhookIdOf } from './webhookIdOf';

/** What a webhook request is made of. */
export interface WebhookRequestInput {
  /** The event as delivered (after shapePayload). */
  event: CloudEventJson;
  /** @default 'structured' */
  mode?: ContentMode;
  /** Resolved signing secrets; several while rotating; none for an OAuth webhook authenticated by its token alone. */
  secrets: readonly string[];
  /** The subscription's extra headers; they cannot replace the content, CloudEvents or signature headers. */
  headers?: Readonly<Record<string, string>>;
  /** `webhook-timestamp`. @default now */
  timestamp?: Date;
}

/** Header names a subscription may not set: the transport's, the content's and the signature's. */
const RESERVED_HEADER = /^(content-type|content-length|transfer-encoding|host|connection|webhook-.*|ce-.*)$/;

/**
 * The headers and body of a webhook delivery: structured mode (`application/cloudevents+json`, the event as
 * JSON) or binary mode (`ce-*` headers, the data as the body), signed over the exact body bytes. The
 * `webhook-id` is derived from the event's source and id (`webhookIdOf`); the body keeps both unchanged.
 */
export function buildWebhookRequest(input: WebhookRequestInput): { headers: Record<string, string>; body: string | Buffer } {
  let body: string | Buffer;
  const content: Record<string, string> = {};
  if ((input.mode ?? CONTENT_MODE.structured) === CONTENT_MODE.binary) {
    const binary = toBinaryRequest(input.event);
    Object.assign(content, binary.headers);
    // A metadata-only event keeps `datacontenttype`, but an empty body must not claim to be, say, JSON.
    if (input.event.data === undefined && input.event.data_base64 === undefined) delete content['content-type'];
    body = binary.body;
  } else {
    content['content-type'] = STRUCTURED_CONTENT_TYPE;
    body = JSON.stringify(input.event);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    const lower = name.toLowerCase();
    if (!RESERVED_HEADER.test(lower)) headers[lower] = value;
  }
  const signature = signWebhook({ id: webhookIdOf(input.event.source, input.event.id), timestamp: input.timestamp ?? new Date(), body, secrets: input.secrets });
  return { headers: { ...headers, ...content, ...signature }, body };
}
