import { randomBytes } from 'node:crypto';
import { compactDecrypt } from 'jose';
import { Webhook } from 'standardwebhooks';
import { createDeliveryDeps } from '../../../src/delivery/createDeliveryDeps';
import { deliver, type DeliveryDeps } from '../../../src/delivery/deliver';
import { WebhookClient } from '../../../src/delivery/WebhookClient';
import type { DeliveryOptions, WebhookTarget } from '../../../src/routing/subscriptionTypes';
import { makeEvent } from '../../helpers/cloudEvents';
import { Receiver, type ReceivedRequest } from './support/Receiver';
import { secretResolver, subscription } from './support/subscriptions';
import { webhookIdOf } from '../../../src/delivery/webhookIdOf';

// Real HTTP receivers on 127.0.0.1 that check what they get with the standardwebhooks library itself.

const SECRET = 'whsec_' + randomBytes(32).toString('base64');
const NEXT_SECRET = 'whsec_' + randomBytes(32).toString('base64');
const ENCRYPTION_KEY = randomBytes(32);
const resolveSecret = secretResolver({ HOOK_SECRET: SECRET, NEXT_SECRET, ENCRYPTION_KEY: ENCRYPTION_KEY.toString('base64') });

let receiver: Receiver;
let local: DeliveryDeps;
let aws: DeliveryDeps;

beforeAll(async () => {
  receiver = await Receiver.start();
  // The local bus allows loopback receivers; AWS mode (the default) refuses them.
  local = createDeliveryDeps({ resolveSecret, webhooks: { allowPrivateNetworks: true } });
  aws = createDeliveryDeps({ resolveSecret, webhooks: { requireHttps: false } });
});
afterAll(async () => {
  await local.webhooks.destroy();
  await aws.webhooks.destroy();
  await receiver.close();
});
beforeEach(() => {
  receiver.reset();
  receiver.answer((_request, response) => response.writeHead(204).end());
});

function webhook(target: Partial<WebhookTarget> = {}, delivery: Partial<DeliveryOptions> = {}) {
  return subscription({ kind: 'webhook', webhook: { url: receiver.url(), secrets: [{ env: 'HOOK_SECRET' }], ...target } }, delivery);
}

/** What a receiver does first: verify the Standard Webhooks signature over the raw body. */
function verify(request: ReceivedRequest, secret = SECRET): void {
  new Webhook(secret).verify(request.body, request.headers as Record<string, string>, { jsonParse: false });
}

describe('webhook delivery', () => {
  it('POSTs the event in structured mode with verifiable Standard Webhooks headers', async () => {
    const event = makeEvent({ partitionkey: 'order-1' });
    const outcome = await deliver(event, webhook(), local);

    expect(outcome).toMatchObject({ kind: 'delivered', status: 204 });
    const [request] = receiver.requests;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/cloudevents+json');
    expect(request.headers['user-agent']).toBe('Switchyard-Webhooks/0.1');
    expect(JSON.parse(request.body.toString())).toEqual(event);
    expect(request.headers['webhook-id']).toBe(webhookIdOf(event.source, event.id));
    expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(() => verify(request)).not.toThrow();
  });

  it('sends the same webhook-id on every attempt of one event', async () => {
    const event = makeEvent();
    await deliver(event, webhook(), local);
    await deliver(event, webhook(), local);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([webhookIdOf(event.source, event.id), webhookIdOf(event.source, event.id)]);
  });

  it('POSTs in binary mode when the subscription asks: ce-* headers, data as the body, signature over it', async () => {
    const event = makeEvent({ subject: 'order/ä 1', data: { orderId: 9 } });
    await deliver(event, webhook({}, { mode: 'binary' }), local);

    const [request] = receiver.requests;
    expect(request.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': event.id,
      'ce-source': event.source,
      'ce-type': event.type,
      'ce-subject': 'order/%C3%A4%201',
      'content-type': 'application/json',
      'webhook-id': webhookIdOf(event.source, event.id),
    });
    expect(JSON.parse(request.body.toString())).toEqual({ orderId: 9 });
    expect(() => verify(request)).not.toThrow();
  });

  it('sends a binary-mode event without data as an empty, signed body with no content type', async () => {
    await deliver(makeEvent(), webhook({}, { mode: 'binary', payload: 'metadata' }), local);

    const [request] = receiver.requests;
    expect(request.body).toHaveLength(0);
    expect(request.headers['content-type']).toBeUndefined();
    expect(request.headers['ce-datacontenttype']).toBeUndefined();
    expect(() => verify(request)).not.toThrow();
  });

  it('signs with every live secret while rotating: each verifies with its own, a stranger with neither', async () => {
    await deliver(makeEvent(), webhook({ secrets: [{ env: 'HOOK_SECRET' }, { env: 'NEXT_SECRET' }] }), local);

    const [request] = receiver.requests;
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(() => verify(request, SECRET)).not.toThrow();
    expect(() => verify(request, NEXT_SECRET)).not.toThrow();
    expect(() => verify(request, 'whsec_' + randomBytes(32).toString('base64'))).toThrow('No matching signature found');
  });

  it('adds the subscription headers but never lets them replace content or signature headers', async () => {
    const headers = { 'X-Tenant': 'acme', 'Webhook-Signature': 'v1,forged', 'Content-Type': 'text/plain', 'ce-id': 'forged' };
    await deliver(makeEvent(), webhook({ headers }), local);

    const [request] = receiver.requests;
    expect(request.headers['x-tenant']).toBe('acme');
    expect(request.headers['content-type']).toBe('application/cloudevents+json');
    expect(request.headers['ce-id']).toBeUndefined();
    expect(() => verify(request)).not.toThrow();
  });

  it('delivers metadata without data, and encrypted data that the subscriber opens with its key', async () => {
    const event = makeEvent({ data: { card: '4111' } });
    await deliver(event, webhook({}, { payload: 'metadata' }), local);
    await deliver(event, webhook({}, { payload: 'encrypted', encryption: { format: 'jwe', key: { env: 'ENCRYPTION_KEY' } } }), local);

    const [metadata, encrypted] = receiver.requests.map((r) => JSON.parse(r.body.toString()) as Record<string, unknown>);
    expect(metadata).not.toHaveProperty('data');
    expect(metadata.id).toBe(event.id);
    expect(encrypted.datacontenttype).toBe('application/jose');
    expect(JSON.stringify(encrypted)).not.toContain('4111');
    const { plaintext } = await compactDecrypt(encrypted.data as string, ENCRYPTION_KEY);
    expect(JSON.parse(Buffer.from(plaintext).toString())).toEqual({ card: '4111' });
    receiver.requests.forEach((request) => expect(() => verify(request)).not.toThrow());
  });

  it('reuses one keep-alive connection for many deliveries', async () => {
    const fresh = await Receiver.start(); // counts connections from zero: the shared one is already connected
    try {
      for (let i = 0; i < 25; i += 1) {
        expect(await deliver(makeEvent(), webhook({ url: fresh.url() }), local)).toMatchObject({ kind: 'delivered' });
      }
      expect(fresh.requests).toHaveLength(25);
      expect(fresh.connections).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('keeps the connection after a failure status with a body', async () => {
    const fresh = await Receiver.start((_request, response) => response.writeHead(500, { 'content-type': 'text/plain' }).end('x'.repeat(100_000)));
    try {
      for (let i = 0; i < 5; i += 1) expect(await deliver(makeEvent(), webhook({ url: fresh.url() }), local)).toMatchObject({ status: 500 });
      expect(fresh.connections).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('gives up after the subscription timeout and retries', async () => {
    receiver.answer(() => undefined); // never answers
    const started = Date.now();
    const outcome = await deliver(makeEvent(), webhook({}, { timeoutSeconds: 0.3 }), local);

    expect(outcome).toMatchObject({ kind: 'retry', reason: 'timeout' });
    expect(outcome.kind === 'retry' && outcome.error).toContain('within 300 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('bounds draining the body by the timeout too: a body that never ends is cut there, and the status stands', async () => {
    receiver.answer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('partial'); // …and never ends
    });
    const started = Date.now();
    const outcome = await deliver(makeEvent(), webhook({}, { timeoutSeconds: 0.3 }), local);

    expect(outcome).toMatchObject({ kind: 'delivered', status: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('does not follow a redirect: 3xx is a failure', async () => {
    receiver.answer((request, response) => {
      if (request.path === '/hooks') response.writeHead(302, { location: '/elsewhere' }).end();
      else response.writeHead(204).end();
    });
    const outcome = await deliver(makeEvent(), webhook(), local);

    expect(outcome).toMatchObject({ kind: 'retry', status: 302, reason: 'redirect' });
    expect(receiver.requests.map((r) => r.path)).toEqual(['/hooks']);
  });

  it('disables the subscription on 410 Gone', async () => {
    receiver.answer((_request, response) => response.writeHead(410).end());
    expect(await deliver(makeEvent(), webhook(), local)).toMatchObject({ kind: 'disable', status: 410 });
  });

  it('honours Retry-After in seconds on 429 and as an HTTP-date on 503', async () => {
    receiver.answer((_request, response) => response.writeHead(429, { 'retry-after': '7' }).end());
    expect(await deliver(makeEvent(), webhook(), local)).toMatchObject({ kind: 'retry', status: 429, retryAfterMs: 7000 });

    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 30_000);
    receiver.answer((_request, response) => response.writeHead(503, { 'retry-after': at.toUTCString() }).end());
    const outcome = await deliver(makeEvent(), webhook(), local);
    expect(outcome).toMatchObject({ kind: 'retry', status: 503, reason: 'throttled' });
    const retryAfterMs = outcome.kind === 'retry' ? outcome.retryAfterMs : undefined;
    expect(retryAfterMs).toBeGreaterThan(25_000);
    expect(retryAfterMs).toBeLessThanOrEqual(31_000);
  });

  it('retries other statuses, ignoring Retry-After on them', async () => {
    for (const status of [400, 401, 404, 500]) {
      receiver.answer((_request, response) => response.writeHead(status, { 'retry-after': '5' }).end());
      const outcome = await deliver(makeEvent(), webhook(), local);
      expect(outcome).toMatchObject({ kind: 'retry', status, reason: 'http_status' });
      expect(outcome).not.toHaveProperty('retryAfterMs');
    }
  });

  it('retries when nothing listens', async () => {
    const gone = await Receiver.start();
    const url = gone.url();
    await gone.close();
    const outcome = await deliver(makeEvent(), webhook({ url }), local);
    expect(outcome).toMatchObject({ kind: 'retry', reason: 'connection' });
    expect(outcome.kind === 'retry' && outcome.error).toContain('ECONNREFUSED');
  });

  it('dead-letters a target whose secret is not a whsec_ secret, without quoting it', async () => {
    const outcome = await deliver(makeEvent(), webhook({ secrets: ['whsec_not base64 at all!'] }), local);
    expect(outcome).toMatchObject({ kind: 'deadLetter', reason: 'secret' });
    expect(JSON.stringify(outcome)).not.toContain('not base64 at all');
    expect(receiver.requests).toHaveLength(0);
  });

  it('retries when a secret cannot be resolved', async () => {
    const outcome = await deliver(makeEvent(), webhook({ secrets: [{ env: 'UNSET' }] }), local);
    expect(outcome).toMatchObject({ kind: 'retry', reason: 'secret' });
  });
});

describe('SSRF guard', () => {
  const refused = { kind: 'deadLetter', reason: 'ssrf_refused' };

  it('refuses loopback in AWS mode with a clear error, and never connects', async () => {
    const outcome = await deliver(makeEvent(), webhook({ url: receiver.url() }), aws);
    expect(outcome).toMatchObject(refused);
    expect(outcome.kind === 'deadLetter' && outcome.error).toMatch(
      /^refused to connect to http:\/\/127\.0\.0\.1:\d+\/hooks: 127\.0\.0\.1 is a private, loopback, link-local or metadata address/,
    );
    expect(receiver.connections).toBe(0);
  });

  it('refuses a name that resolves to loopback, after DNS', async () => {
    expect(await deliver(makeEvent(), webhook({ url: receiver.url('/hooks', 'localhost') }), aws)).toMatchObject(refused);
    expect(receiver.connections).toBe(0);
  });

  it('refuses IPv6 loopback, IPv4-mapped loopback, private, link-local and the metadata address', async () => {
    const urls = [
      receiver.url('/hooks', '[::1]'),
      receiver.url('/hooks', '[::ffff:127.0.0.1]'),
      'http://10.0.0.8/hooks',
      'http://192.168.1.1/hooks',
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://0.0.0.0/hooks',
    ];
    for (const url of urls) expect(await deliver(makeEvent(), webhook({ url }), aws)).toMatchObject(refused);
    expect(receiver.connections).toBe(0);
  });

  it('refuses loopback over https too, before any TLS', async () => {
    const client = new WebhookClient(); // AWS defaults: https only, no private networks
    try {
      const outcome = await client.post({ url: receiver.url('/hooks', '127.0.0.1', 'https'), headers: {}, body: '{}', timeoutMs: 2_000 });
      expect(outcome).toMatchObject(refused);
    } finally {
      await client.destroy();
    }
    expect(receiver.connections).toBe(0);
  });

  it('allows loopback on the local bus', async () => {
    expect(await deliver(makeEvent(), webhook({ url: receiver.url() }), local)).toMatchObject({ kind: 'delivered' });
  });

  it('refuses plain http in AWS mode by default', async () => {
    const client = new WebhookClient();
    try {
      const outcome = await client.post({ url: 'http://hooks.example.com/x', headers: {}, body: '{}', timeoutMs: 2_000 });
      expect(outcome).toMatchObject({ kind: 'deadLetter', reason: 'invalid_target' });
      expect(outcome.kind === 'deadLetter' && outcome.error).toContain('plain http is refused');
    } finally {
      await client.destroy();
    }
  });

  it('refuses schemes other than http(s) in either mode', async () => {
    for (const deps of [local, aws]) {
      for (const url of ['ftp://127.0.0.1/x', 'file:///etc/passwd', 'not a url']) {
        expect(await deliver(makeEvent(), webhook({ url }), deps)).toMatchObject({ kind: 'deadLetter', reason: 'invalid_target' });
      }
    }
  });
});
