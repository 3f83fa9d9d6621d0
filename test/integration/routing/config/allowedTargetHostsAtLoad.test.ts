import { PutObjectCommand } from '@aws-sdk/client-s3';
import { InvalidSubscriptionsError } from '../../../../src/routing/config/errors';
import { ENV } from '../../../../src/wiring/environment';
import { deliveryRuntimeFromEnvironment } from '../../../../src/wiring/deliveryFromEnvironment';
import { startTestEmulators, type TestEmulators } from '../../../helpers/emulators';

const WHSEC = `whsec_${Buffer.from('allow-list-at-load-secret').toString('base64')}`;

/**
 * The stage's `allowedTargetHosts` reaches the router and redeliver as ALLOWED_TARGET_HOSTS: a subscriptions.json
 * in the config bucket (s3rver) naming another host is refused when it loads, logged with the URL's path, and the
 * last valid version keeps serving.
 */
describe('ALLOWED_TARGET_HOSTS at load (delivery runtime, s3rver)', () => {
  let emulators: TestEmulators;
  beforeAll(async () => {
    emulators = await startTestEmulators({ shards: 1 });
  });
  afterAll(() => emulators.close());

  const file = (url: string) => JSON.stringify({ subscriptions: [{ id: 'orders', target: { webhook: { url, secret: WHSEC } } }] });
  const put = (key: string, body: string) =>
    emulators.clients.s3.send(new PutObjectCommand({ Bucket: emulators.names.bucket, Key: key, Body: body, ContentType: 'application/json' }));

  it('serves a file whose hosts are allowed, refuses a later one naming another host (path logged), and keeps serving the first', async () => {
    const key = 'allow-list/subscriptions.json';
    const errors: Array<{ message: string; detail: Record<string, unknown> }> = [];
    const log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (message: string, detail: Record<string, unknown>) => errors.push({ message, detail }) };
    const env: NodeJS.ProcessEnv = { ...emulators.env, [ENV.subscriptionsKey]: key, [ENV.subscriptionsRefreshSeconds]: '1', [ENV.allowedTargetHosts]: '*.example.com,hooks.partner.io' };
    delete env[ENV.allowPrivateNetworks];
    const runtime = deliveryRuntimeFromEnvironment(env, log, undefined, emulators.clients);

    await put(key, file('https://api.example.com/hooks'));
    expect((await runtime.source.current()).subscriptions.map((s) => s.id)).toEqual(['orders']);

    await put(key, file('https://collector.attacker.net/in'));
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the 1 s refresh interval
    const served = await runtime.source.current();
    expect(served.subscriptions[0].target).toMatchObject({ webhook: { url: 'https://api.example.com/hooks' } });
    expect(errors).toEqual([
      {
        message: 'subscriptions.json refused; the last valid version keeps serving',
        detail: expect.objectContaining({
          errors: [{ path: '/subscriptions/0/target/webhook/url', message: expect.stringMatching(/^names the host collector\.attacker\.net, which this stage does not allow/) }],
        }),
      },
    ]);
  });

  it('refuses a cold start on a file naming another host, saying which URL', async () => {
    const key = 'allow-list/cold.json';
    const env: NodeJS.ProcessEnv = { ...emulators.env, [ENV.subscriptionsKey]: key, [ENV.allowedTargetHosts]: 'hooks.partner.io' };
    delete env[ENV.allowPrivateNetworks];
    const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const runtime = deliveryRuntimeFromEnvironment(env, silent, undefined, emulators.clients);
    await put(key, file('https://api.example.com/hooks'));
    const refusal = await runtime.source.current().then(() => undefined, (error: unknown) => error);
    expect(refusal).toBeInstanceOf(InvalidSubscriptionsError);
    expect((refusal as Error).message).toContain('/subscriptions/0/target/webhook/url: names the host api.example.com');
  });
});
