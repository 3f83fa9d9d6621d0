import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { Credentials } from '../../../src/auth/Credentials';
import { FileCredentials, SecretsManagerCredentials } from '../../../src/auth/CredentialsDocumentSource';
import { UnauthorizedError } from '../../../src/auth/errors';
import { hashToken } from '../../../src/auth/hashToken';
import type { CredentialsDocument } from '../../../src/auth/types';

// No emulator serves Secrets Manager: the stage secret's reads are mocked here (the local path is a real file below).
const secrets = mockClient(SecretsManagerClient);
beforeEach(() => secrets.reset());

const DOCUMENT: CredentialsDocument = {
  producers: {
    shop: { tokenHashes: [hashToken('tok-shop')], sources: ['/shop'], types: ['order.>'], iamPrincipals: ['arn:aws:iam::123456789012:role/shop-publisher'] },
    billing: { tokenHashes: [hashToken('tok-bill-old'), hashToken('tok-bill')], sources: ['/billing'], types: ['invoice.*'] },
  },
  readers: { analytics: { tokenHashes: [hashToken('tok-read')], types: ['order.>'] } },
};
const fromSecret = (document: object = DOCUMENT, now?: () => number) => {
  secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(document) });
  return new Credentials({ document: new SecretsManagerCredentials({ client: new SecretsManagerClient({}), secretId: 'creds', ttlMs: 60_000, now }) });
};

describe('Credentials', () => {
  it('lets everyone do everything with neither a token nor a document (the open local bus)', async () => {
    await expect(new Credentials().authenticate({})).resolves.toMatchObject({ name: 'anonymous', publish: { sources: ['*'], types: ['>'] }, read: { types: ['>'] } });
  });

  it('accepts SWITCHYARD_TOKEN with every right and refuses a missing, malformed or different token', async () => {
    const credentials = new Credentials({ token: 's3cret' });
    await expect(credentials.authenticate({ authorization: 'Bearer s3cret' })).resolves.toMatchObject({ name: 'default', read: { types: ['>'] } });
    await expect(credentials.authenticate({ authorization: 'bearer s3cret' })).resolves.toMatchObject({ name: 'default' });
    await expect(credentials.authenticate({})).rejects.toThrow('missing bearer token: send Authorization: Bearer <token>');
    await expect(credentials.authenticate({ authorization: 'Basic s3cret' })).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(credentials.authenticate({ authorization: 'Bearer s3cret2' })).rejects.toThrow('invalid bearer token');
  });

  it("names the producer or reader whose token hash matches, with that entry's rights only", async () => {
    const credentials = fromSecret();
    await expect(credentials.authenticate({ authorization: 'Bearer tok-shop' })).resolves.toEqual({ name: 'shop', publish: { sources: ['/shop'], types: ['order.>'] } });
    // Both tokens of a rotation work.
    await expect(credentials.authenticate({ authorization: 'Bearer tok-bill-old' })).resolves.toMatchObject({ name: 'billing' });
    await expect(credentials.authenticate({ authorization: 'Bearer tok-bill' })).resolves.toMatchObject({ name: 'billing' });
    await expect(credentials.authenticate({ authorization: 'Bearer tok-read' })).resolves.toEqual({ name: 'analytics', read: { types: ['order.>'] } });
    // The hash itself is not a token.
    await expect(credentials.authenticate({ authorization: `Bearer ${hashToken('tok-shop')}` })).rejects.toThrow('invalid bearer token');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('maps a SigV4 caller to the producer whose iamPrincipals cover it, a role covering its sessions; another is refused', async () => {
    const credentials = fromSecret();
    await expect(credentials.authenticate({ iamPrincipalArn: 'arn:aws:sts::123456789012:assumed-role/shop-publisher/i-0abc' })).resolves.toEqual({
      name: 'shop',
      publish: { sources: ['/shop'], types: ['order.>'] },
    });
    await expect(credentials.authenticate({ iamPrincipalArn: 'arn:aws:iam::123456789012:role/shop-publisher' })).resolves.toMatchObject({ name: 'shop' });
    await expect(credentials.authenticate({ iamPrincipalArn: 'arn:aws:sts::999999999999:assumed-role/shop-publisher/x' })).rejects.toThrow(
      "IAM principal arn:aws:sts::999999999999:assumed-role/shop-publisher/x is not a producer: add it to a producer's iamPrincipals",
    );
    // A signed caller is never taken for a bearer token it also sends.
    await expect(credentials.authenticate({ iamPrincipalArn: 'arn:aws:iam::1:user/x', authorization: 'Bearer tok-shop' })).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('re-reads the secret once its cache time has passed, so a revoked token stops working', async () => {
    let now = 0;
    const credentials = fromSecret(DOCUMENT, () => now);
    await expect(credentials.authenticate({ authorization: 'Bearer tok-shop' })).resolves.toMatchObject({ name: 'shop' });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ ...DOCUMENT, producers: { billing: DOCUMENT.producers.billing } }) });
    now = 59_999;
    await expect(credentials.authenticate({ authorization: 'Bearer tok-shop' })).resolves.toMatchObject({ name: 'shop' });
    now = 60_000;
    await expect(credentials.authenticate({ authorization: 'Bearer tok-shop' })).rejects.toThrow('invalid bearer token');
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('fails (a 500, not an open door) when the secret is not a credentials document, naming the field', async () => {
    const credentials = fromSecret({ shop: 'plain-token' });
    await expect(credentials.authenticate({ authorization: 'Bearer plain-token' })).rejects.toThrow(
      'secret creds: shop is not a field of the credentials document; use producers, readers',
    );
  });

  describe('a producers file', () => {
    let dir: string;
    beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'switchyard-creds-'))));
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('is open while an optional file is missing, and applies the file as soon as it exists or changes', async () => {
      const path = join(dir, 'producers.json');
      const credentials = new Credentials({ document: new FileCredentials({ path, optional: true }) });
      await expect(credentials.authenticate({})).resolves.toMatchObject({ name: 'anonymous' });
      await writeFile(path, JSON.stringify(DOCUMENT));
      await expect(credentials.authenticate({})).rejects.toThrow('missing bearer token');
      await expect(credentials.authenticate({ authorization: 'Bearer tok-shop' })).resolves.toMatchObject({ name: 'shop' });
      await writeFile(path, JSON.stringify({ producers: {}, readers: DOCUMENT.readers }, null, 1));
      await expect(credentials.authenticate({ authorization: 'Bearer tok-shop' })).rejects.toThrow('invalid bearer token');
    });

    it('keeps SWITCHYARD_TOKEN working beside the file', async () => {
      const path = join(dir, 'producers.json');
      await writeFile(path, JSON.stringify(DOCUMENT));
      const credentials = new Credentials({ token: 'all', document: new FileCredentials({ path }) });
      await expect(credentials.authenticate({ authorization: 'Bearer all' })).resolves.toMatchObject({ name: 'default' });
      await expect(credentials.authenticate({ authorization: 'Bearer tok-read' })).resolves.toMatchObject({ name: 'analytics' });
    });

    it('refuses a required file that is missing', async () => {
      const credentials = new Credentials({ document: new FileCredentials({ path: join(dir, 'nope.json') }) });
      await expect(credentials.authenticate({})).rejects.toThrow(/producers file .*nope\.json cannot be read/);
    });
  });
});
