import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { buildWebhookRequest } from '../../../src/delivery/buildWebhookRequest';
import { webhookIdOf } from '../../../src/delivery/webhookIdOf';
import { validateCloudEvent } from '../../../src/events/validateCloudEvent';
import type { CloudEventJson } from '../../../src/events/types';

const SECRET = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
/** Standard Webhooks wants a header-safe id: visible ASCII, no spaces; we promise at most 64 characters. */
const HEADER_SAFE = /^[\x21-\x7e]{1,64}$/;

/** Text a producer may put in `id` or `source`: whitespace, astral, bidi and combining characters included. */
const awkwardText = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  fc.string({ unit: fc.constantFrom(' ', '\u00a0', '\u202e', '\u200f', '\u2028', '😀', 'é', 'e\u0301', '/', '.', ':'), minLength: 1, maxLength: 12 }),
  fc.constantFrom(' ', '😀', '\u202e', 'a b', '\u3000'),
);

function event(source: string, id: string): CloudEventJson {
  return { specversion: '1.0', id, source, type: 'com.example.test', data: { n: 1 } };
}

describe('webhookIdOf', () => {
  it('is evt_ then the base64url SHA-256 of source, NUL, id (the derivation the README gives)', () => {
    const expected = 'evt_' + createHash('sha256').update(Buffer.from('/shop\u0000order-1001', 'utf8')).digest('base64url');
    expect(webhookIdOf('/shop', 'order-1001')).toBe(expected);
    expect(webhookIdOf('/shop', 'order-1001')).toHaveLength(47);
  });

  it('differs for the same id from two sources, and when text moves across the separator', () => {
    expect(webhookIdOf('/a', '1')).not.toBe(webhookIdOf('/b', '1'));
    expect(webhookIdOf('/ab', 'c')).not.toBe(webhookIdOf('/a', 'bc'));
  });

  it('for every valid event: a header-safe webhook-id that standardwebhooks accepts, and a signature that verifies', () => {
    fc.assert(
      fc.property(awkwardText, awkwardText, (source, id) => {
        const candidate = event(source, id);
        fc.pre(validateCloudEvent(candidate, 0).length === 0);
        const request = buildWebhookRequest({ event: candidate, secrets: [SECRET] });
        expect(request.headers['webhook-id']).toMatch(HEADER_SAFE);
        expect(request.headers['webhook-id']).toBe(webhookIdOf(source, id));
        const verified = new Webhook(SECRET).verify(request.body as string, request.headers) as CloudEventJson;
        // The body keeps the event's own id and source.
        expect(verified.id).toBe(id);
        expect(verified.source).toBe(source);
      }),
      { numRuns: 300 },
    );
  });

  it('never gives two distinct (source, id) pairs one webhook-id', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(awkwardText, awkwardText), { minLength: 2, maxLength: 50, selector: ([s, i]) => `${s}\u0000${i}` }), (pairs) => {
        const ids = new Set(pairs.map(([source, id]) => webhookIdOf(source, id)));
        expect(ids.size).toBe(pairs.length);
      }),
    );
  });
});
