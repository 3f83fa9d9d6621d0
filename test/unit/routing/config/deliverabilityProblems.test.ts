import { SecretsManagerClient, GetSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { deliverabilityProblems } from '../../../../src/routing/config/deliverabilityProblems';
import { loadSubscriptionsFile } from '../../../../src/routing/config/loadSubscriptionsFile';
import { SecretResolver } from '../../../../src/routing/config/SecretResolver';
import { WHSEC } from './fixtures';

const AWS = { requireHttps: true, allowPrivateNetworks: false };

function webhookFile(url: string, extra: Record<string, unknown> = {}) {
  return { subscriptions: [{ id: 's', target: { webhook: { url, secret: WHSEC, ...extra } } }] };
}

describe('deliverabilityProblems', () => {
  it('accepts an OAuth webhook without a signing secret: the bearer token authenticates it', () => {
    const file = {
      subscriptions: [{ id: 'erp', target: { oauthWebhook: { url: 'https://erp.example.com/e', tokenUrl: 'https://id.example.com/t', clientId: 'c', clientSecret: 'x' } } }],
    };
    expect(deliverabilityProblems(file, AWS)).toEqual([]);
  });

  it.each([
    ['http://hooks.example.com/x', 'must be an https:// URL'],
    ['https://127.0.0.1:8443/x', 'points at 127.0.0.1'],
    ['https://10.1.2.3/x', 'points at 10.1.2.3'],
    ['https://169.254.169.254/latest/meta-data', 'points at 169.254.169.254'],
    ['https://[::1]/x', 'points at ::1'],
    ['https://localhost:3000/x', 'points at localhost'],
    ['https://172.20.0.1/x', 'points at 172.20.0.1'],
  ])('in AWS mode refuses %s where the SSRF guard or https rule would', (url, message) => {
    expect(deliverabilityProblems(webhookFile(url), AWS)).toEqual([{ path: '/subscriptions/0/target/webhook/url', message: expect.stringContaining(message) }]);
  });

  it.each(['https://hooks.example.com/x', 'https://172.32.0.1/x', 'https://8.8.8.8/x'])('in AWS mode accepts the public %s', (url) => {
    expect(deliverabilityProblems(webhookFile(url), AWS)).toEqual([]);
  });

  it('on the local bus accepts loopback and plain http', () => {
    expect(deliverabilityProblems(webhookFile('http://127.0.0.1:4001/hooks'))).toEqual([]);
  });

  it('refuses a header the bus sets and one with a line break, each with its path', () => {
    const errors = deliverabilityProblems(webhookFile('https://h.example.com', { headers: { 'Webhook-Id': 'x', 'x-ok': 'fine', 'x-bad': 'a\nb' } }));
    expect(errors.map((error) => error.path)).toEqual(['/subscriptions/0/target/webhook/headers/Webhook-Id', '/subscriptions/0/target/webhook/headers/x-bad']);
  });

  it('checks a reference only by its resolved value, and ignores a transient resolution failure', () => {
    const file = { subscriptions: [{ id: 's', target: { webhook: { url: 'https://h.example.com', secret: [{ env: 'A' }, { ssm: 'b' }] } } }] };
    const secretValues = new Map([
      ['{"env":"A"}', { value: 'not base64!' }],
      ['{"ssm":"b"}', { error: 'secret {"ssm":"b"} could not be resolved: SSM GetParameter failed (ThrottlingException)', definite: false }],
    ]);
    expect(deliverabilityProblems(file)).toEqual([]);
    expect(deliverabilityProblems(file, { secretValues })).toEqual([
      { path: '/subscriptions/0/target/webhook/secret/0', message: expect.stringMatching(/^resolves to a value that must be a Standard Webhooks secret/) },
    ]);
  });
});

describe('loadSubscriptionsFile with secrets resolved', () => {
  // No emulator serves Secrets Manager: its client is stubbed (aws-sdk-client-mock).
  const secretsManager = mockClient(SecretsManagerClient);
  afterEach(() => secretsManager.reset());
  const resolver = () => new SecretResolver({ secretsManager: new SecretsManagerClient({ region: 'us-east-1' }), env: {} });
  const file = JSON.stringify({ subscriptions: [{ id: 's', target: { webhook: { url: 'https://h.example.com', secret: { secretsManager: 'hook' } } } }] });

  it('refuses a reference to a secret that does not exist, with its path', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: { httpStatusCode: 400 } }));
    const r = resolver();
    const result = await loadSubscriptionsFile(file, { resolveSecret: (ref) => r.resolve(ref) });
    expect(result).toEqual({
      ok: false,
      errors: [{ path: '/subscriptions/0/target/webhook/secret', message: expect.stringContaining('ResourceNotFoundException') }],
    });
  });

  it('accepts the file while Secrets Manager is unavailable, saying the value went unchecked', async () => {
    const unavailable = Object.assign(new Error('service unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });
    secretsManager.on(GetSecretValueCommand).rejects(unavailable);
    const r = resolver();
    const result = await loadSubscriptionsFile(file, { resolveSecret: (ref) => r.resolve(ref) });
    expect(result).toMatchObject({ ok: true, unresolvedSecrets: true });
  });

  it('accepts a reference whose value is a good secret', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: WHSEC });
    const r = resolver();
    expect(await loadSubscriptionsFile(file, { resolveSecret: (ref) => r.resolve(ref) })).toMatchObject({ ok: true });
  });
});
