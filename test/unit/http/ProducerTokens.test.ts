import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ProducerTokens, UnauthorizedError } from '../../../src/http/ProducerTokens';

// No emulator serves Secrets Manager, so the per-producer token secret is mocked here.
const secrets = mockClient(SecretsManagerClient);
beforeEach(() => secrets.reset());

describe('ProducerTokens', () => {
  it('lets every request through when no token is configured (the open local bus)', async () => {
    await expect(new ProducerTokens({ kind: 'open' }).authenticate(undefined)).resolves.toEqual({ name: 'anonymous' });
  });

  it('accepts the one static token and refuses a missing, malformed or different one', async () => {
    const tokens = new ProducerTokens({ kind: 'static', token: 's3cret' });
    await expect(tokens.authenticate('Bearer s3cret')).resolves.toEqual({ name: 'default' });
    await expect(tokens.authenticate('bearer s3cret')).resolves.toEqual({ name: 'default' });
    await expect(tokens.authenticate(undefined)).rejects.toThrow(/missing bearer token/);
    await expect(tokens.authenticate('Basic s3cret')).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(tokens.authenticate('Bearer s3cret2')).rejects.toThrow('invalid bearer token');
    await expect(tokens.authenticate('Bearer s3cre')).rejects.toThrow('invalid bearer token');
  });

  it('names the producer whose token matches in the Secrets Manager map, skipping empty tokens', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ shop: 'tok-shop', billing: 'tok-bill', broken: '' }) });
    const tokens = new ProducerTokens({ kind: 'secretsManager', client: new SecretsManagerClient({}), secretId: 'producer-tokens' });
    await expect(tokens.authenticate('Bearer tok-bill')).resolves.toEqual({ name: 'billing' });
    await expect(tokens.authenticate('Bearer tok-shop')).resolves.toEqual({ name: 'shop' });
    await expect(tokens.authenticate('Bearer ')).rejects.toBeInstanceOf(UnauthorizedError);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('re-reads the secret after its TTL, so an added or revoked token takes effect', async () => {
    let now = 0;
    secrets.on(GetSecretValueCommand).resolvesOnce({ SecretString: '{"shop":"old"}' }).resolves({ SecretString: '{"shop":"new"}' });
    const tokens = new ProducerTokens({ kind: 'secretsManager', client: new SecretsManagerClient({}), secretId: 'x', ttlMs: 1000 }, () => now);
    await expect(tokens.authenticate('Bearer old')).resolves.toEqual({ name: 'shop' });
    now = 1500;
    await expect(tokens.authenticate('Bearer old')).rejects.toThrow('invalid bearer token');
    await expect(tokens.authenticate('Bearer new')).resolves.toEqual({ name: 'shop' });
  });

  it('loads the secret once for concurrent first requests', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"shop":"t"}' });
    const tokens = new ProducerTokens({ kind: 'secretsManager', client: new SecretsManagerClient({}), secretId: 'x' });
    await Promise.all(Array.from({ length: 20 }, () => tokens.authenticate('Bearer t')));
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });
});
