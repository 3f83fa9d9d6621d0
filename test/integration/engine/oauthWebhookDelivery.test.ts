import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { OAuth2Server } from 'oauth2-mock-server';
import { Webhook } from 'standardwebhooks';
import { webhookIdOf } from '../../../src/delivery/webhookIdOf';
import { makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../delivery/support/Receiver';
import { EngineHarness } from './support/EngineHarness';

// The engine against the emulators, a real token endpoint (oauth2-mock-server) and a receiver that checks every
// bearer token against the endpoint's keys. DESIGN's `erp` subscription has no `secret`: its deliveries are
// authenticated by the token alone and carry no webhook-signature.

const SECRET = 'whsec_' + randomBytes(32).toString('base64');
const CLIENT_SECRET = randomBytes(12).toString('hex');

let harness: EngineHarness;
let oauth: OAuth2Server;
let receiver: Receiver;
let tokenUrl: string;
let tokenRequests = 0;

beforeAll(async () => {
  harness = await EngineHarness.start({ env: { ERP_CLIENT_SECRET: CLIENT_SECRET, HOOK_SECRET: SECRET } });
  oauth = new OAuth2Server();
  await oauth.issuer.keys.generate('RS256');
  await oauth.start(0, '127.0.0.1');
  tokenUrl = `http://127.0.0.1:${oauth.address().port}/token`;
  oauth.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
    token.payload.jti = randomUUID();
  });
  oauth.service.on('beforeResponse', (_response: unknown, req: IncomingMessage) => {
    if (req.url?.startsWith('/token')) tokenRequests += 1;
  });
  const jwks = createLocalJWKSet({ keys: oauth.issuer.keys.toJSON() as never[] });
  receiver = await Receiver.start(async (request, response) => {
    const token = /^Bearer (.+)$/.exec(String(request.headers.authorization))?.[1];
    try {
      if (!token) throw new Error('no token');
      await jwtVerify(token, jwks);
    } catch {
      response.writeHead(401).end();
      return;
    }
    response.writeHead(204).end();
  });
});
afterAll(async () => {
  await receiver.close();
  await oauth.stop();
  await harness.close();
});
beforeEach(() => {
  receiver.reset();
  tokenRequests = 0;
});

function erp(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    types: ['com.example.>'],
    target: {
      oauthWebhook: { url: receiver.url(`/${id}`), tokenUrl, clientId: 'switchyard', clientSecret: { env: 'ERP_CLIENT_SECRET' }, scope: 'events.write', ...extra },
    },
  };
}

describe('engine → OAuth webhook', () => {
  it('without a secret: one token, 10 deliveries with the bearer token, webhook-id and timestamp, no signature', async () => {
    await harness.putSubscriptions({ subscriptions: [erp('erp')] });
    const events = Array.from({ length: 10 }, (_, n) => makeEvent({ type: 'com.example.orders.created', data: { n } }));

    const result = await harness.publish(...events);

    expect(result.batchItemFailures).toEqual([]);
    expect(tokenRequests).toBe(1);
    expect(receiver.requests).toHaveLength(10);
    expect(receiver.requests.map((request) => JSON.parse(request.body.toString()).id).sort()).toEqual(events.map((event) => event.id).sort());
    for (const request of receiver.requests) {
      const body = JSON.parse(request.body.toString());
      expect(request.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      expect(request.headers['webhook-id']).toBe(webhookIdOf(body.source, body.id));
      expect(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
      expect(request.headers['webhook-signature']).toBeUndefined();
    }
    expect(await harness.dead('erp')).toEqual([]);
    expect(await harness.pending('erp')).toEqual([]);
  });

  it('with a secret: the bearer token and a signature that standardwebhooks verifies', async () => {
    await harness.putSubscriptions({ subscriptions: [erp('erp-signed', { secret: { env: 'HOOK_SECRET' } })] });
    const events = Array.from({ length: 3 }, (_, n) => makeEvent({ type: 'com.example.orders.created', data: { n } }));

    await harness.publish(...events);

    expect(receiver.requests).toHaveLength(3);
    for (const request of receiver.requests) {
      expect(request.headers.authorization).toMatch(/^Bearer /);
      const verified = new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>) as { id: string };
      expect(events.map((event) => event.id)).toContain(verified.id);
    }
  });

  it('signs with defaults.webhookSecret when the OAuth webhook has none of its own', async () => {
    await harness.putSubscriptions({ defaults: { webhookSecret: { env: 'HOOK_SECRET' } }, subscriptions: [erp('erp-default')] });
    const event = makeEvent({ type: 'com.example.orders.created' });

    await harness.publish(event);

    expect(receiver.requests).toHaveLength(1);
    expect(new Webhook(SECRET).verify(receiver.requests[0].body, receiver.requests[0].headers as Record<string, string>)).toMatchObject({ id: event.id });
  });

  it('delivers events whose ids are not header-safe with a webhook-id that verifies; same id from two sources, two webhook-ids', async () => {
    await harness.putSubscriptions({ subscriptions: [erp('erp-ids', { secret: { env: 'HOOK_SECRET' } })] });
    const events = [
      makeEvent({ type: 'com.example.a', id: ' ', source: '/one' }),
      makeEvent({ type: 'com.example.a', id: '😀', source: '/one' }),
      makeEvent({ type: 'com.example.a', id: '\u202e', source: '/one' }),
      makeEvent({ type: 'com.example.a', id: '😀', source: '/two' }),
    ];

    await harness.publish(...events);

    expect(receiver.requests).toHaveLength(4);
    const seen = new Set<string>();
    for (const request of receiver.requests) {
      const verified = new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>) as { id: string; source: string };
      expect(request.headers['webhook-id']).toBe(webhookIdOf(verified.source, verified.id));
      seen.add(request.headers['webhook-id'] as string);
    }
    expect(seen.size).toBe(4);
  });
});
