import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { startLocalKms, type LocalKms } from '../../../local/kms/startLocalKms';

/** The real @aws-sdk/client-kms, unchanged but for the endpoint. */
function clientFor(kms: LocalKms): KMSClient {
  return new KMSClient({
    endpoint: kms.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: Error) => error,
  );
}

describe('local KMS', () => {
  let kms: LocalKms;
  let client: KMSClient;

  beforeAll(async () => {
    kms = await startLocalKms({});
    client = clientFor(kms);
  });
  afterAll(async () => {
    client.destroy();
    await kms.close();
  });

  it('listens on loopback', () => {
    expect(kms.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each([
    ['alias name', () => 'alias/switchyard'],
    ['key id', () => kms.keyId],
    ['key ARN', () => kms.keyArn],
    ['alias ARN', () => 'arn:aws:kms:us-east-1:000000000000:alias/switchyard'],
  ])('generates an AES-256 data key named by %s, which Decrypt unwraps without a KeyId', async (_, keyId) => {
    const context = { purpose: 'test', tenant: 'a' };
    const generated = await client.send(new GenerateDataKeyCommand({ KeyId: keyId(), KeySpec: 'AES_256', EncryptionContext: context }));
    expect(generated.Plaintext).toHaveLength(32);
    expect(generated.KeyId).toBe(kms.keyArn);
    const decrypted = await client.send(
      // Same context, given in another order: a context is a set of pairs.
      new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: { tenant: 'a', purpose: 'test' } }),
    );
    expect(Buffer.from(decrypted.Plaintext!)).toEqual(Buffer.from(generated.Plaintext!));
    expect(decrypted.KeyId).toBe(kms.keyArn);
    expect(decrypted.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
  });

  it('honours NumberOfBytes and AES_128', async () => {
    const bytes = await client.send(new GenerateDataKeyCommand({ KeyId: kms.keyId, NumberOfBytes: 64 }));
    expect(bytes.Plaintext).toHaveLength(64);
    const aes128 = await client.send(new GenerateDataKeyCommand({ KeyId: kms.keyId, KeySpec: 'AES_128' }));
    expect(aes128.Plaintext).toHaveLength(16);
  });

  it('gives a new key and a new blob every time', async () => {
    const a = await client.send(new GenerateDataKeyCommand({ KeyId: kms.keyId, KeySpec: 'AES_256' }));
    const b = await client.send(new GenerateDataKeyCommand({ KeyId: kms.keyId, KeySpec: 'AES_256' }));
    expect(Buffer.from(a.Plaintext!).equals(Buffer.from(b.Plaintext!))).toBe(false);
    expect(Buffer.from(a.CiphertextBlob!).equals(Buffer.from(b.CiphertextBlob!))).toBe(false);
  });

  it('encrypts and decrypts up to 4 KiB', async () => {
    const plaintext = Buffer.alloc(4096, 7);
    const encrypted = await client.send(new EncryptCommand({ KeyId: 'alias/switchyard', Plaintext: plaintext, EncryptionContext: { a: 'b' } }));
    expect(encrypted.KeyId).toBe(kms.keyArn);
    const decrypted = await client.send(
      new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, KeyId: kms.keyArn, EncryptionContext: { a: 'b' } }),
    );
    expect(Buffer.from(decrypted.Plaintext!)).toEqual(plaintext);
  });

  it('refuses a wrong, missing or extra encryption context with InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await client.send(new GenerateDataKeyCommand({ KeyId: kms.keyId, KeySpec: 'AES_256', EncryptionContext: { a: 'b' } }));
    const contexts: Array<Record<string, string> | undefined> = [{ a: 'c' }, undefined, { a: 'b', x: 'y' }];
    for (const EncryptionContext of contexts) {
      const error = await rejection(client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext })));
      expect(error).toBeInstanceOf(InvalidCiphertextException);
      expect(error.$metadata?.httpStatusCode).toBe(400);
    }
  });

  it('refuses an altered blob with InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await client.send(new EncryptCommand({ KeyId: kms.keyId, Plaintext: Buffer.from('secret') }));
    for (const index of [0, 10, 40, CiphertextBlob!.length - 1]) {
      const altered = Buffer.from(CiphertextBlob!);
      altered[index] ^= 0x01;
      await expect(client.send(new DecryptCommand({ CiphertextBlob: altered }))).rejects.toBeInstanceOf(InvalidCiphertextException);
    }
    await expect(client.send(new DecryptCommand({ CiphertextBlob: Buffer.from('garbage') }))).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it('refuses an unknown key with NotFoundException', async () => {
    const error = await rejection(client.send(new GenerateDataKeyCommand({ KeyId: 'alias/other', KeySpec: 'AES_256' })));
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error.message).toBe("Alias 'alias/other' does not exist");
    await expect(client.send(new EncryptCommand({ KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', Plaintext: Buffer.from('x') }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it('refuses a Decrypt whose KeyId is not the key the blob names', async () => {
    const other = await startLocalKms({});
    try {
      const { CiphertextBlob } = await clientFor(other).send(new EncryptCommand({ KeyId: other.keyId, Plaintext: Buffer.from('x') }));
      await expect(client.send(new DecryptCommand({ CiphertextBlob, KeyId: kms.keyId }))).rejects.toBeInstanceOf(IncorrectKeyException);
      // Without a KeyId, a blob of a key this KMS does not hold is invalid ciphertext here.
      await expect(client.send(new DecryptCommand({ CiphertextBlob }))).rejects.toBeInstanceOf(InvalidCiphertextException);
    } finally {
      await other.close();
    }
  });

  it('reports constraint failures together as a ValidationException', async () => {
    const error = await rejection(client.send(new EncryptCommand({ KeyId: kms.keyId, Plaintext: Buffer.alloc(4097) })));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      "1 validation error detected: Value 'java.nio.HeapByteBuffer' at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
    const both = await rejection(client.send(new GenerateDataKeyCommand({ KeyId: kms.keyId, KeySpec: 'AES_256', NumberOfBytes: 32 })));
    expect(both.name).toBe('ValidationException');
    expect(both.message).toBe('Please specify either number of bytes or key spec.');
    const neither = await rejection(client.send(new GenerateDataKeyCommand({ KeyId: kms.keyId })));
    expect(neither.message).toBe('Please specify either number of bytes or key spec.');
    const two = await rejection(client.send(new GenerateDataKeyCommand({ KeyId: '', NumberOfBytes: 2000 })));
    expect(two.message).toMatch(/^2 validation errors detected: .*'keyId'.*; .*'numberOfBytes'.*less than or equal to 1024$/);
  });

  it('answers DryRun with DryRunOperationException', async () => {
    const error = await rejection(client.send(new GenerateDataKeyCommand({ KeyId: kms.keyId, KeySpec: 'AES_256', DryRun: true })));
    expect(error.name).toBe('DryRunOperationException');
    expect(error.$metadata?.httpStatusCode).toBe(412);
  });

  describe('on the wire', () => {
    async function post(target: string, body: string) {
      const response = await fetch(kms.endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target },
        body,
      });
      return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
    }

    it('answers errors as {"__type","message"} with status 400', async () => {
      expect(await post('TrentService.Encrypt', JSON.stringify({ KeyId: 'alias/none', Plaintext: 'eA==' }))).toEqual({
        status: 400,
        type: 'application/x-amz-json-1.1',
        body: { __type: 'NotFoundException', message: "Alias 'alias/none' does not exist" },
      });
    });

    it('answers base64 blobs', async () => {
      const { status, body } = await post('TrentService.GenerateDataKey', JSON.stringify({ KeyId: kms.keyId, NumberOfBytes: 16 }));
      expect(status).toBe(200);
      expect(Buffer.from(body.Plaintext as string, 'base64')).toHaveLength(16);
      expect(typeof body.CiphertextBlob).toBe('string');
    });

    it('refuses an unknown operation, a body that is not JSON and a blob that is not base64', async () => {
      expect((await post('TrentService.CreateKey', '{}')).body.__type).toBe('UnknownOperationException');
      expect((await post('Kinesis_20131202.ListStreams', '{}')).body.__type).toBe('UnknownOperationException');
      expect((await post('TrentService.Decrypt', '{not json')).body.__type).toBe('SerializationException');
      expect((await post('TrentService.Decrypt', JSON.stringify({ CiphertextBlob: '!!' }))).body.__type).toBe('SerializationException');
      expect((await post('TrentService.Decrypt', JSON.stringify({ CiphertextBlob: 42 }))).body.__type).toBe('SerializationException');
    });
  });

  it('counts calls per operation', async () => {
    const counted = await startLocalKms({});
    const counting = clientFor(counted);
    try {
      const { CiphertextBlob } = await counting.send(new GenerateDataKeyCommand({ KeyId: counted.keyId, KeySpec: 'AES_256' }));
      await counting.send(new DecryptCommand({ CiphertextBlob }));
      await counting.send(new DecryptCommand({ CiphertextBlob }));
      expect(counted.calls()).toEqual({ GenerateDataKey: 1, Decrypt: 2 });
    } finally {
      counting.destroy();
      await counted.close();
    }
  });
});

describe('local KMS key file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-kms-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the key file with mode 0600 and reuses it on restart, so old ciphertexts decrypt', async () => {
    const keyFile = join(dir, 'nested', 'kms-master-key.json');
    const first = await startLocalKms({ keyFile });
    const firstClient = clientFor(first);
    const { CiphertextBlob } = await firstClient.send(new EncryptCommand({ KeyId: 'alias/switchyard', Plaintext: Buffer.from('kept') }));
    firstClient.destroy();
    await first.close();
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(keyFile, 'utf8'))).toMatchObject({ keyId: first.keyId });

    const second = await startLocalKms({ keyFile });
    const secondClient = clientFor(second);
    try {
      expect(second.keyId).toBe(first.keyId);
      const { Plaintext } = await secondClient.send(new DecryptCommand({ CiphertextBlob }));
      expect(Buffer.from(Plaintext!).toString()).toBe('kept');
    } finally {
      secondClient.destroy();
      await second.close();
    }
  });

  it('keeps the key in memory without a file: another instance cannot decrypt', async () => {
    const [a, b] = await Promise.all([startLocalKms({}), startLocalKms({})]);
    const [clientA, clientB] = [clientFor(a), clientFor(b)];
    try {
      expect(a.keyId).not.toBe(b.keyId);
      const { CiphertextBlob } = await clientA.send(new EncryptCommand({ KeyId: 'alias/switchyard', Plaintext: Buffer.from('x') }));
      await expect(clientB.send(new DecryptCommand({ CiphertextBlob }))).rejects.toBeInstanceOf(InvalidCiphertextException);
    } finally {
      clientA.destroy();
      clientB.destroy();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('agrees on one key when two instances start on a new file at once', async () => {
    const keyFile = join(dir, 'kms-master-key.json');
    const instances = await Promise.all([startLocalKms({ keyFile }), startLocalKms({ keyFile }), startLocalKms({ keyFile })]);
    expect(new Set(instances.map((i) => i.keyId)).size).toBe(1);
    await Promise.all(instances.map((i) => i.close()));
  });

  it('refuses to start on a damaged key file rather than replace the key', async () => {
    const keyFile = join(dir, 'kms-master-key.json');
    await writeFile(keyFile, '{"keyId":"x","key":"c2hvcnQ="}', { mode: 0o600 });
    await expect(startLocalKms({ keyFile })).rejects.toThrow(/must hold a keyId and a 32-byte base64 key/);
  });
});
