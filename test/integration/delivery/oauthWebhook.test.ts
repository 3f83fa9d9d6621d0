import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { OAuth2Server } from 'oauth2-mock-server';
import { Webhook } from 'standardwebhooks';
import { createDeliveryDeps } from '../../../src/delivery/createDeliveryDeps';
import { deliver, type DeliveryDeps } from '../../../src/delivery/deliver';
import type { OAuthTokenCacheOptions } from '../../../src/delivery/OAuthTokenCache';
import type { OAuthWebhookTarget } from '../../../src/routing/subscriptionTypes';
import { makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from './support/Receiver';
import { secretResolver, subscription } from './support/subscriptions';
import { webhookIdOf } from '../../../src/delivery/webhookIdOf';

// A real token endpoint (oauth2-mock-server, RS256-signed JWTs) and a real receiver that checks each bearer
// token against the server's JWKS before it checks the webhook signature.

const SECRET = 'whsec_' + randomBytes(32).toString('base64');
// Characters RFC 6749 §2.3.1 wants form-encoded inside the Basic credentials.
const CLIENT_SECRET = 'p@ss w:rd/+' + randomBytes(8).toString('hex');
const resolveSecret = secretResolver({ HOOK_SECRET: SECRET, ERP_CLIENT_SECRET: CLIENT_SECRET });

interface TokenCall {
  authorization?: string;
  body: Record<string, unknown>;
}
interface MutableResponse {
  statusCode: number;
  body: Record<string, unknown> | '';
}

let oauth: OAuth2Server;
let receiver: Receiver;
let tokenUrl: string;
let tokenCalls: TokenCall[];
/** Rewrites the token endpoint's answer; `undefined` leaves it alone. */
let shapeTokenResponse: ((response: MutableResponse) => void) | undefined;
/** Bearer tokens the receiver refuses with 401 (as if revoked). */
let revoked: Set<string>;
/** When set, the receiver refuses every token. */
let refuseAll: boolean;
const deps: DeliveryDeps[] = [];

beforeAll(async () => {
  oauth = new OAuth2Server();
  await oauth.issuer.keys.generate('RS256');
  await oauth.start(0, '127.0.0.1');
  tokenUrl = `http://127.0.0.1:${oauth.address().port}/token`;
  // RS256 is deterministic: a unique jti keeps two tokens issued in the same second apart.
  oauth.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
    token.payload.jti = randomUUID();
  });
  oauth.service.on('beforeResponse', (response: MutableResponse, req: IncomingMessage & { body: Record<string, unknown> }) => {
    tokenCalls.push({ authorization: req.headers.authorization, body: { ...req.body } });
    shapeTokenResponse?.(response);
  });
  const jwks = createLocalJWKSet({ keys: oauth.issuer.keys.toJSON() as never[] });
  receiver = await Receiver.start(async (request, response) => {
    const token = /^Bearer (.+)$/.exec(String(request.headers.authorization))?.[1];
    try {
      if (!token || refuseAll || revoked.has(token)) throw new Error('refused');
      await jwtVerify(token, jwks);
      new Webhook(SECRET).verify(request.body, request.headers as Record<string, string>, { jsonParse: false });
    } catch {
      response.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
      return;
    }
    response.writeHead(202).end();
  });
});
afterAll(async () => {
  await Promise.all(deps.map((d) => d.webhooks.destroy()));
  await receiver.close();
  await oauth.stop();
});
beforeEach(() => {
  tokenCalls = [];
  shapeTokenResponse = undefined;
  revoked = new Set();
  refuseAll = false;
  receiver.reset();
});

/** Fresh deps per test, so every test starts with an empty token cache. */
function createDeps(tokens: Omit<OAuthTokenCacheOptions, 'client'> = {}): DeliveryDeps {
  const created = createDeliveryDeps({ resolveSecret, webhooks: { allowPrivateNetworks: true }, tokens });
  deps.push(created);
  return created;
}

function erp(target: Partial<OAuthWebhookTarget> = {}) {
  return subscription({
    kind: 'oauthWebhook',
    oauthWebhook: {
      url: receiver.url('/events'),
      secrets: [{ env: 'HOOK_SECRET' }],
      tokenUrl,
      clientId: 'switchyard',
      clientSecret: { env: 'ERP_CLIENT_SECRET' },
      scope: 'events.write',
      ...target,
    },
  });
}

const bearerOf = (index: number) => String(receiver.requests[index].headers.authorization).slice('Bearer '.length);

describe('OAuth webhook delivery', () => {
  it('gets a client-credentials token with HTTP Basic client authentication and the scope, then sends it as a bearer', async () => {
    const d = createDeps();
    expect(await deliver(makeEvent(), erp(), d)).toMatchObject({ kind: 'delivered', status: 202 });

    expect(tokenCalls).toHaveLength(1);
    const [call] = tokenCalls;
    expect(call.body).toEqual({ grant_type: 'client_credentials', scope: 'events.write' });
    const credentials = Buffer.from(String(call.authorization).replace(/^Basic /, ''), 'base64').toString();
    expect(credentials).toBe(`switchyard:${new URLSearchParams({ s: CLIENT_SECRET }).toString().slice(2)}`);
    expect(decodeURIComponent(credentials.split(':')[1].replace(/\+/g, ' '))).toBe(CLIENT_SECRET);
    expect(receiver.requests).toHaveLength(1);
  });

  it('can send the client credentials in the form body instead', async () => {
    const d = createDeps({ clientAuth: 'body' });
    expect(await deliver(makeEvent(), erp(), d)).toMatchObject({ kind: 'delivered' });
    expect(tokenCalls[0].authorization).toBeUndefined();
    expect(tokenCalls[0].body).toEqual({ grant_type: 'client_credentials', scope: 'events.write', client_id: 'switchyard', client_secret: CLIENT_SECRET });
  });

  it('shares one token request among 100 concurrent deliveries', async () => {
    const d = createDeps();
    const outcomes = await Promise.all(Array.from({ length: 100 }, () => deliver(makeEvent(), erp(), d)));

    expect(outcomes.every((o) => o.kind === 'delivered')).toBe(true);
    expect(tokenCalls).toHaveLength(1);
    expect(d.tokens.tokenRequests).toBe(1);
    expect(new Set(receiver.requests.map((r) => r.headers.authorization)).size).toBe(1);
  });

  it('keeps separate tokens per scope', async () => {
    const d = createDeps();
    await deliver(makeEvent(), erp(), d);
    await deliver(makeEvent(), erp({ scope: 'events.admin' }), d);
    await deliver(makeEvent(), erp(), d);
    expect(tokenCalls.map((c) => c.body.scope)).toEqual(['events.write', 'events.admin']);
  });

  it('renews the token shortly before expires_in runs out', async () => {
    let clock = Date.now();
    const d = createDeps({ now: () => clock });
    shapeTokenResponse = (response) => {
      if (response.body !== '') response.body.expires_in = 120;
    };
    await deliver(makeEvent(), erp(), d);
    clock += 89_000; // 120 s less the 30 s margin: still good
    await deliver(makeEvent(), erp(), d);
    expect(tokenCalls).toHaveLength(1);

    clock += 2_000;
    await deliver(makeEvent(), erp(), d);
    expect(tokenCalls).toHaveLength(2);
    expect(bearerOf(2)).not.toBe(bearerOf(0));
  });

  it('assumes five minutes when expires_in is absent', async () => {
    let clock = Date.now();
    const d = createDeps({ now: () => clock });
    shapeTokenResponse = (response) => {
      if (response.body !== '') delete response.body.expires_in;
    };
    await deliver(makeEvent(), erp(), d);
    clock += 269_000;
    await deliver(makeEvent(), erp(), d);
    expect(tokenCalls).toHaveLength(1);
    clock += 2_000;
    await deliver(makeEvent(), erp(), d);
    expect(tokenCalls).toHaveLength(2);
  });

  it('on a 401 renews the token once and retries with the same webhook-id', async () => {
    const d = createDeps();
    await deliver(makeEvent(), erp(), d); // caches a token
    revoked.add(bearerOf(0));
    receiver.reset();
    tokenCalls = [];

    const event = makeEvent();
    expect(await deliver(event, erp(), d)).toMatchObject({ kind: 'delivered', status: 202 });
    expect(tokenCalls).toHaveLength(1);
    expect(receiver.requests).toHaveLength(2);
    expect(bearerOf(1)).not.toBe(bearerOf(0));
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([webhookIdOf(event.source, event.id), webhookIdOf(event.source, event.id)]);
  });

  it('renews once for many deliveries refused with the same token at once', async () => {
    const d = createDeps();
    await deliver(makeEvent(), erp(), d);
    revoked.add(bearerOf(0));
    tokenCalls = [];

    const outcomes = await Promise.all(Array.from({ length: 30 }, () => deliver(makeEvent(), erp(), d)));
    expect(outcomes.every((o) => o.kind === 'delivered')).toBe(true);
    expect(tokenCalls).toHaveLength(1);
  });

  it('gives a retry outcome when the renewed token is refused too, without renewing again', async () => {
    const d = createDeps();
    refuseAll = true;
    const outcome = await deliver(makeEvent(), erp(), d);

    expect(outcome).toMatchObject({ kind: 'retry', status: 401, reason: 'unauthorized' });
    expect(tokenCalls).toHaveLength(2);
    expect(receiver.requests).toHaveLength(2);
    expect(JSON.stringify(outcome)).not.toContain(bearerOf(0));
  });

  it('turns a token-endpoint error into a retry whose message names the OAuth error but never the secret', async () => {
    const d = createDeps();
    shapeTokenResponse = (response) => {
      response.statusCode = 401;
      response.body = { error: 'invalid_client', error_description: `client secret ${CLIENT_SECRET} is not valid` };
    };
    const outcome = await deliver(makeEvent(), erp(), d);

    expect(outcome).toMatchObject({ kind: 'retry', reason: 'token' });
    const error = outcome.kind === 'retry' ? outcome.error : '';
    expect(error).toMatch(/^token endpoint http:\/\/127\.0\.0\.1:\d+\/token answered 401 Unauthorized: invalid_client/);
    expect(error).toContain('[redacted]');
    expect(error).not.toContain(CLIENT_SECRET);
    expect(receiver.requests).toHaveLength(0);

    shapeTokenResponse = undefined; // failures are not cached: the next delivery asks again
    expect(await deliver(makeEvent(), erp(), d)).toMatchObject({ kind: 'delivered' });
  });

  it('honours Retry-After from a throttled token endpoint, and retries an unreachable one', async () => {
    const throttled = await Receiver.start((_request, response) => response.writeHead(503, { 'retry-after': '12' }).end());
    const throttledUrl = throttled.url('/token');
    try {
      const d = createDeps();
      expect(await deliver(makeEvent(), erp({ tokenUrl: throttledUrl }), d)).toMatchObject({ kind: 'retry', reason: 'token', retryAfterMs: 12_000 });
      expect(throttled.requests[0].body.toString()).toBe('grant_type=client_credentials&scope=events.write');
    } finally {
      await throttled.close();
    }
    const outcome = await deliver(makeEvent(), erp({ tokenUrl: throttledUrl }), createDeps());
    expect(outcome).toMatchObject({ kind: 'retry', reason: 'token' });
    expect(outcome.kind === 'retry' && outcome.error).toContain('ECONNREFUSED');
  });

  it('refuses a token URL on loopback in AWS mode, as a dead letter', async () => {
    const d = createDeliveryDeps({ resolveSecret, webhooks: { requireHttps: false } });
    deps.push(d);
    const outcome = await deliver(makeEvent(), erp({ url: 'http://203.0.113.10/events' }), d);
    expect(outcome).toMatchObject({ kind: 'deadLetter', reason: 'token' });
    expect(outcome.kind === 'deadLetter' && outcome.error).toContain('private, loopback, link-local or metadata address');
    expect(tokenCalls).toHaveLength(0);
  });
});
