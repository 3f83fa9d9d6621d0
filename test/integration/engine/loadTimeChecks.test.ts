import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../delivery/support/Receiver';
import { EngineHarness, webhookSubscription } from './support/EngineHarness';

// Whatever the engine would dead-letter as "cannot succeed as configured" is refused when the file is loaded,
// with its path, and the previous valid version keeps delivering. Secrets are resolved at load, as in AWS.

const SECRET = 'whsec_' + randomBytes(32).toString('base64');

let harness: EngineHarness;
let receiver: Receiver;

beforeAll(async () => {
  delete process.env.SWITCHYARD_DEFAULT_WEBHOOK_SECRET;
  harness = await EngineHarness.start({
    env: {
      HOOK_SECRET: SECRET,
      NOT_A_WHSEC: 'hunter2-is-not-base64!',
      SHORT_JWE_KEY: randomBytes(16).toString('base64'),
      SWITCHYARD_DEFAULT_WEBHOOK_SECRET: '',
    },
  });
  receiver = await Receiver.start();
  receiver.answer((_request, response) => response.writeHead(204).end());
});
afterAll(async () => {
  await receiver.close();
  await harness.close();
});

const valid = () => ({ subscriptions: [webhookSubscription('orders', receiver.url('/kept'))] });

/** Each document has one problem; `path` is where it is reported. */
const refusals: { name: string; file: () => unknown; path: string; message: RegExp }[] = [
  {
    name: 'a webhook with no secret and no defaults.webhookSecret',
    file: () => ({ subscriptions: [{ id: 'orders', target: { webhook: { url: receiver.url('/new') } } }] }),
    path: '/subscriptions/0/target/webhook/secret',
    message: /is required: give the webhook a Standard Webhooks signing secret, or set defaults\.webhookSecret/,
  },
  {
    name: 'a PageUp Webhook while SWITCHYARD_DEFAULT_WEBHOOK_SECRET is unset',
    file: () => [{ Type: 'Webhook', Endpoint: receiver.url('/new'), BusinessEvent: '*' }],
    path: '',
    message: /set the environment variable SWITCHYARD_DEFAULT_WEBHOOK_SECRET/,
  },
  {
    name: 'a jwe key of the wrong size, given plainly',
    file: () => ({
      subscriptions: [webhookSubscription('orders', receiver.url('/new'), {}, { payload: 'encrypted', encryption: { key: randomBytes(16).toString('base64') } })],
    }),
    path: '/subscriptions/0/delivery/encryption/key',
    message: /must be the base64 of 32 random bytes for format "jwe" \(it decodes to 16 bytes\)/,
  },
  {
    name: 'a jwe key of the wrong size, behind an { env } reference',
    file: () => ({
      subscriptions: [webhookSubscription('orders', receiver.url('/new'), {}, { payload: 'encrypted', encryption: { key: { env: 'SHORT_JWE_KEY' } } })],
    }),
    path: '/subscriptions/0/delivery/encryption/key',
    message: /^resolves to a value that must be the base64 of 32 random bytes/,
  },
  {
    name: 'a signing secret that is not a Standard Webhooks secret, behind an { env } reference',
    file: () => ({ subscriptions: [{ id: 'orders', target: { webhook: { url: receiver.url('/new'), secret: { env: 'NOT_A_WHSEC' } } } }] }),
    path: '/subscriptions/0/target/webhook/secret',
    message: /^resolves to a value that must be a Standard Webhooks secret/,
  },
  {
    name: 'a secret reference to an unset variable',
    file: () => ({ subscriptions: [{ id: 'orders', target: { webhook: { url: receiver.url('/new'), secret: { env: 'NO_SUCH_VARIABLE' } } } }] }),
    path: '/subscriptions/0/target/webhook/secret',
    message: /the environment variable NO_SUCH_VARIABLE is not set: create it or fix the reference/,
  },
  {
    name: 'a header no HTTP request can carry',
    file: () => ({ subscriptions: [webhookSubscription('orders', receiver.url('/new'), {})].map((s) => ({ ...s, target: { webhook: { ...s.target.webhook, headers: { 'x-tenant': 'a\r\nb' } } } })) }),
    path: '/subscriptions/0/target/webhook/headers/x-tenant',
    message: /has a character no HTTP header can carry/,
  },
  {
    name: 'an OAuth client secret behind an unset variable',
    file: () => ({
      subscriptions: [
        { id: 'orders', target: { oauthWebhook: { url: receiver.url('/new'), tokenUrl: receiver.url('/token'), clientId: 'c', clientSecret: { env: 'NO_CLIENT_SECRET' } } } },
      ],
    }),
    path: '/subscriptions/0/target/oauthWebhook/clientSecret',
    message: /NO_CLIENT_SECRET is not set/,
  },
];

describe('load-time checks: a subscription that can never deliver is refused, the last valid version keeps delivering', () => {
  beforeAll(async () => {
    await harness.putSubscriptions(valid());
  });

  it.each(refusals)('$name', async ({ file, path, message }) => {
    receiver.reset();
    const refusedBefore = harness.refused.length;
    await harness.putSubscriptions(file());

    expect(harness.refused).toHaveLength(refusedBefore + 1);
    const errors = harness.refused.at(-1)!;
    expect(errors).toContainEqual({ path, message: expect.stringMatching(message) });
    // No secret value is ever quoted.
    expect(JSON.stringify(errors)).not.toContain('hunter2');

    const event = makeEvent();
    const result = await harness.publish(event);
    expect(result.batchItemFailures).toEqual([]);
    expect(receiver.requests.map((request) => request.path)).toEqual(['/kept']);
    expect(new Webhook(SECRET).verify(receiver.requests[0].body, receiver.requests[0].headers as Record<string, string>)).toMatchObject({ id: event.id });
    expect(await harness.dead('orders')).toEqual([]);
  });
});
