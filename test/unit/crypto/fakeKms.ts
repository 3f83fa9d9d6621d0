import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, InvalidCiphertextException, KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';

export const FAKE_KEY_ARN = 'arn:aws:kms:us-east-1:000000000000:key/fake';

/**
 * A KMSClient whose GenerateDataKey and Decrypt are answered in memory (aws-sdk-client-mock): unit tests
 * count calls and inject failures such as throttling, which no emulator produces. Wrapped keys are random
 * handles; an unknown handle is refused as AWS refuses an altered blob.
 */
export function fakeKms() {
  const client = new KMSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const mock = mockClient(client);
  const wrapped = new Map<string, Buffer>();
  const failures: Record<'GenerateDataKey' | 'Decrypt', Error[]> = { GenerateDataKey: [], Decrypt: [] };
  mock.on(GenerateDataKeyCommand).callsFake(async () => {
    const failure = failures.GenerateDataKey.shift();
    if (failure) throw failure;
    const plaintext = randomBytes(32);
    const blob = randomBytes(48);
    wrapped.set(blob.toString('base64'), plaintext);
    return { Plaintext: new Uint8Array(plaintext), CiphertextBlob: new Uint8Array(blob), KeyId: FAKE_KEY_ARN };
  });
  mock.on(DecryptCommand).callsFake(async (input: { CiphertextBlob: Uint8Array }) => {
    const failure = failures.Decrypt.shift();
    if (failure) throw failure;
    const plaintext = wrapped.get(Buffer.from(input.CiphertextBlob).toString('base64'));
    if (!plaintext) throw new InvalidCiphertextException({ message: 'invalid ciphertext', $metadata: {} });
    return { Plaintext: new Uint8Array(plaintext), KeyId: FAKE_KEY_ARN };
  });
  return {
    client,
    mock,
    generateCalls: () => mock.commandCalls(GenerateDataKeyCommand).length,
    decryptCalls: () => mock.commandCalls(DecryptCommand).length,
    /** The next call of the operation fails with this error. */
    failNext: (operation: 'GenerateDataKey' | 'Decrypt', error: Error) => void failures[operation].push(error),
  };
}

/** A clock tests move by hand. */
export function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** KMS throttling as the SDK surfaces it (an unmodelled error, so the base class with its name). */
export function throttling(): KMSServiceException {
  return new KMSServiceException({ name: 'ThrottlingException', $fault: 'client', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
}
