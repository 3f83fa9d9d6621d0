import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startLocalKms, type LocalKms } from '../../../local/kms/startLocalKms';
import { countKmsRequests } from '../../../src/observability/countKmsRequests';

describe('countKmsRequests (against the local KMS)', () => {
  let kms: LocalKms;
  let client: KMSClient;
  beforeAll(async () => {
    kms = await startLocalKms();
    client = new KMSClient({ endpoint: kms.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  });
  afterAll(async () => {
    client.destroy();
    await kms.close();
  });

  test('counts one KmsRequests per request the client sends, once however often it is installed', async () => {
    const counted: Array<[string, string, number]> = [];
    const metrics = { addMetric: (name: string, unit: string, value: number) => void counted.push([name, unit, value]) };
    countKmsRequests(client, metrics);
    countKmsRequests(client, metrics);

    const key = await client.send(new GenerateDataKeyCommand({ KeyId: kms.keyId, KeySpec: 'AES_256' }));
    await client.send(new DecryptCommand({ CiphertextBlob: key.CiphertextBlob, KeyId: kms.keyId }));

    expect(counted).toEqual([
      ['KmsRequests', 'Count', 1],
      ['KmsRequests', 'Count', 1],
    ]);
    const served = kms.calls();
    expect((served.GenerateDataKey ?? 0) + (served.Decrypt ?? 0)).toBe(counted.length);
  });
});
