// Secrets Manager and SSM have no local emulator in this project (nothing like dynalite/s3rver for them), so
// these tests stub the SDK clients with aws-sdk-client-mock.
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretResolutionError } from '../../../../src/routing/config/errors';
import { SecretResolver } from '../../../../src/routing/config/SecretResolver';
import { loadSubscriptionsFile } from '../../../../src/routing/config/loadSubscriptionsFile';

const secretsManagerMock = mockClient(SecretsManagerClient);
const ssmMock = mockClient(SSMClient);

function makeResolver(options: { env?: NodeJS.ProcessEnv; ttlSeconds?: number; clock?: { now: number }; onRefreshError?: jest.Mock } = {}) {
  const clock = options.clock ?? { now: 1_000_000 };
  return new SecretResolver({
    secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
    ssm: new SSMClient({ region: 'us-east-1' }),
    env: options.env ?? {},
    ttlSeconds: options.ttlSeconds,
    now: () => clock.now,
    onRefreshError: options.onRefreshError,
  });
}

async function rejection(promise: Promise<unknown>): Promise<SecretResolutionError> {
  try {
    await promise;
  } catch (error) {
    return error as SecretResolutionError;
  }
  throw new Error('expected a rejection');
}

beforeEach(() => {
  secretsManagerMock.reset();
  ssmMock.reset();
});

describe('SecretResolver', () => {
  it('returns a plain-string secret as it is, calling nothing', async () => {
    await expect(makeResolver().resolve('whsec_abc')).resolves.toBe('whsec_abc');
    expect(secretsManagerMock.calls()).toHaveLength(0);
  });

  it('reads { env } from the given environment', async () => {
    await expect(makeResolver({ env: { BILLING_WHSEC: 'whsec_env' } }).resolve({ env: 'BILLING_WHSEC' })).resolves.toBe('whsec_env');
  });

  it('refuses an unset or empty { env }, naming the variable', async () => {
    const error = await rejection(makeResolver({ env: { EMPTY: '' } }).resolve({ env: 'EMPTY' }));
    expect(error).toBeInstanceOf(SecretResolutionError);
    expect(error.reference).toBe('{"env":"EMPTY"}');
    expect(error.message).toBe('secret {"env":"EMPTY"} could not be resolved: the environment variable EMPTY is not set');
    await expect(makeResolver().resolve({ env: 'MISSING' })).rejects.toThrow(/MISSING is not set/);
  });

  it('refuses every { env } reference when told to (in Lambda the environment holds the function\'s own credentials)', async () => {
    const resolver = new SecretResolver({ env: { AWS_SECRET_ACCESS_KEY: 'the-function-credential' }, refuseEnvReferences: 'not read in AWS: use { secretsManager }' });
    const error = await rejection(resolver.resolve({ env: 'AWS_SECRET_ACCESS_KEY' }));
    expect(error).toBeInstanceOf(SecretResolutionError);
    expect(error.message).toContain('not read in AWS: use { secretsManager }');
    expect(error.message).not.toContain('the-function-credential');
    // Refused at load, with the reference's path, like any secret that cannot resolve.
    const file = JSON.stringify({
      subscriptions: [
        {
          id: 'erp',
          target: { oauthWebhook: { url: 'https://erp.example.com/events', tokenUrl: 'https://attacker.example.net/token', clientId: 'x', clientSecret: { env: 'AWS_SECRET_ACCESS_KEY' } } },
        },
      ],
    });
    const loaded = await loadSubscriptionsFile(file, { resolveSecret: (ref) => resolver.resolve(ref), requireHttps: true, allowPrivateNetworks: false });
    expect(loaded.ok).toBe(false);
    expect(loaded.ok ? [] : loaded.errors).toContainEqual({ path: '/subscriptions/0/target/oauthWebhook/clientSecret', message: expect.stringContaining('not read in AWS') });
  });

  it('reads { secretsManager } with GetSecretValue', async () => {
    secretsManagerMock.on(GetSecretValueCommand, { SecretId: 'erp-client-secret' }).resolves({ SecretString: 's3cr3t' });
    await expect(makeResolver().resolve({ secretsManager: 'erp-client-secret' })).resolves.toBe('s3cr3t');
  });

  it('reads a binary secret as UTF-8', async () => {
    secretsManagerMock.on(GetSecretValueCommand).resolves({ SecretBinary: new TextEncoder().encode('bin-secret') });
    await expect(makeResolver().resolve({ secretsManager: 'b' })).resolves.toBe('bin-secret');
  });

  it('reads one key of a JSON secret with "id#key", fetching the secret once for all its keys', async () => {
    secretsManagerMock.on(GetSecretValueCommand, { SecretId: 'erp' }).resolves({ SecretString: '{"client_id":"abc","client_secret":"xyz"}' });
    const resolver = makeResolver();
    await expect(resolver.resolve({ secretsManager: 'erp#client_secret' })).resolves.toBe('xyz');
    await expect(resolver.resolve({ secretsManager: 'erp#client_id' })).resolves.toBe('abc');
    expect(secretsManagerMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('refuses a missing key, or a secret that is not JSON, without showing the secret', async () => {
    secretsManagerMock.on(GetSecretValueCommand, { SecretId: 'json' }).resolves({ SecretString: '{"a":"TOPSECRET"}' });
    secretsManagerMock.on(GetSecretValueCommand, { SecretId: 'text' }).resolves({ SecretString: 'TOPSECRET-not-json' });
    const resolver = makeResolver();
    const missing = await rejection(resolver.resolve({ secretsManager: 'json#b' }));
    expect(missing.message).toMatch(/no non-empty string at key "b"/);
    const notJson = await rejection(resolver.resolve({ secretsManager: 'text#a' }));
    expect(notJson.message).toMatch(/not JSON/);
    // JSON.parse's own message would quote the text: it must not travel as the cause either.
    for (const error of [missing, notJson]) {
      expect(`${error.message} ${String(error.cause)} ${JSON.stringify(error)}`).not.toContain('TOPSECRET');
    }
  });

  it('refuses a malformed "id#key"', async () => {
    await expect(makeResolver().resolve({ secretsManager: '#key' })).rejects.toThrow(/expected "id" or "id#key"/);
    await expect(makeResolver().resolve({ secretsManager: 'id#' })).rejects.toThrow(/expected "id" or "id#key"/);
  });

  it('reads { ssm } with GetParameter, decrypting SecureStrings', async () => {
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: '/p', Value: 'param-secret' } });
    await expect(makeResolver().resolve({ ssm: '/p' })).resolves.toBe('param-secret');
    expect(ssmMock.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: '/p', WithDecryption: true });
  });

  it('wraps AWS failures in a SecretResolutionError naming the reference, with the SDK error as cause', async () => {
    const notFound = new ResourceNotFoundException({ message: 'not found', $metadata: {} });
    secretsManagerMock.on(GetSecretValueCommand).rejects(notFound);
    ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'nope', $metadata: {} }));
    const resolver = makeResolver();
    const error = await rejection(resolver.resolve({ secretsManager: 'gone' }));
    expect(error).toBeInstanceOf(SecretResolutionError);
    expect(error.message).toBe('secret {"secretsManager":"gone"} could not be resolved: Secrets Manager GetSecretValue failed (ResourceNotFoundException)');
    expect(error.cause).toBe(notFound);
    await expect(resolver.resolve({ ssm: '/gone' })).rejects.toThrow('secret {"ssm":"/gone"} could not be resolved: SSM GetParameter failed (ParameterNotFound)');
  });

  it('does not cache failures: the next request tries again', async () => {
    secretsManagerMock.on(GetSecretValueCommand).rejectsOnce(new Error('throttled')).resolves({ SecretString: 'later' });
    const resolver = makeResolver();
    await expect(resolver.resolve({ secretsManager: 'x' })).rejects.toThrow(SecretResolutionError);
    await expect(resolver.resolve({ secretsManager: 'x' })).resolves.toBe('later');
  });

  it('caches a value for the TTL, then fetches it again (picking up a rotation)', async () => {
    const clock = { now: 0 };
    secretsManagerMock.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'v1' }).resolves({ SecretString: 'v2' });
    const resolver = makeResolver({ clock, ttlSeconds: 300 });
    await expect(resolver.resolve({ secretsManager: 'rotating' })).resolves.toBe('v1');
    clock.now = 299_999;
    await expect(resolver.resolve({ secretsManager: 'rotating' })).resolves.toBe('v1');
    expect(secretsManagerMock.calls()).toHaveLength(1);
    clock.now = 300_000;
    await expect(resolver.resolve({ secretsManager: 'rotating' })).resolves.toBe('v2');
    expect(secretsManagerMock.calls()).toHaveLength(2);
  });

  it('defaults the TTL to 5 minutes', async () => {
    const clock = { now: 0 };
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'p' } });
    const resolver = makeResolver({ clock });
    await resolver.resolve({ ssm: 'p' });
    clock.now = 5 * 60_000 - 1;
    await resolver.resolve({ ssm: 'p' });
    expect(ssmMock.calls()).toHaveLength(1);
    clock.now = 5 * 60_000;
    await resolver.resolve({ ssm: 'p' });
    expect(ssmMock.calls()).toHaveLength(2);
  });

  it('single-flights concurrent requests for one secret', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    secretsManagerMock.on(GetSecretValueCommand).callsFake(async () => {
      await gate;
      return { SecretString: 'once' };
    });
    const resolver = makeResolver();
    const all = Promise.all(Array.from({ length: 20 }, () => resolver.resolve({ secretsManager: 'hot' })));
    release();
    await expect(all).resolves.toEqual(Array(20).fill('once'));
    expect(secretsManagerMock.calls()).toHaveLength(1);
  });

  it('keeps serving the previous value when a refresh fails, retrying after 30 s, and reports the failure', async () => {
    const clock = { now: 0 };
    const onRefreshError = jest.fn();
    secretsManagerMock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'v1' })
      .rejectsOnce(new Error('unreachable'))
      .resolves({ SecretString: 'v2' });
    const resolver = makeResolver({ clock, ttlSeconds: 60, onRefreshError });
    await resolver.resolve({ secretsManager: 's' });
    clock.now = 60_000;
    await expect(resolver.resolve({ secretsManager: 's' })).resolves.toBe('v1');
    expect(onRefreshError).toHaveBeenCalledWith('{"secretsManager":"s"}', expect.any(SecretResolutionError));
    clock.now = 89_999;
    await expect(resolver.resolve({ secretsManager: 's' })).resolves.toBe('v1');
    expect(secretsManagerMock.calls()).toHaveLength(2);
    clock.now = 90_000;
    await expect(resolver.resolve({ secretsManager: 's' })).resolves.toBe('v2');
  });

  it('resolves a rotation list in order, and clear() forgets cached values', async () => {
    secretsManagerMock.on(GetSecretValueCommand).resolves({ SecretString: 'from-sm' });
    const resolver = makeResolver({ env: { NEXT: 'from-env' } });
    await expect(resolver.resolveAll(['plain', { secretsManager: 'a' }, { env: 'NEXT' }])).resolves.toEqual(['plain', 'from-sm', 'from-env']);
    resolver.clear();
    await resolver.resolve({ secretsManager: 'a' });
    expect(secretsManagerMock.calls()).toHaveLength(2);
  });

  it('refuses something that is not a secret reference', async () => {
    await expect(makeResolver().resolve({ vault: 'x' } as never)).rejects.toThrow(/must be a string or one of/);
  });

  it('never logs', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) => jest.spyOn(console, level).mockImplementation(() => undefined));
    secretsManagerMock.on(GetSecretValueCommand).resolves({ SecretString: 'quiet' });
    const resolver = makeResolver({ env: { A: 'a' } });
    await resolver.resolveAll(['p', { env: 'A' }, { secretsManager: 'x' }]);
    await resolver.resolve({ env: 'B' }).catch(() => undefined);
    for (const spy of spies) {
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    }
  });
});
