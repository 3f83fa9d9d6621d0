import { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';
import S3rver from 's3rver';
import { startLocalKms, LocalKms } from './kms/startLocalKms';
import { makePutsDurable } from './s3rverDurablePut';

/** Where the emulators listen; the values are `AWS_ENDPOINT_URL_<SERVICE>`-style URLs. */
export interface EmulatorEndpoints {
  dynamodb: string;
  kinesis: string;
  s3: string;
  kms: string;
}

export interface Emulators {
  endpoints: EmulatorEndpoints;
  /** The local KMS key's id, to pass as `KMS_KEY_ID`. */
  kmsKeyId: string;
  /** KMS requests served so far, per operation (the benchmarks count them). */
  kmsCalls(): Record<string, number>;
  /** Environment variables that point the AWS SDK (and so the handlers) at these emulators. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export interface EmulatorsOptions {
  /** Persist everything under this directory; in memory when absent (tests). */
  dataDir?: string;
}

/** s3rver checks signatures against these fixed credentials; dynalite and kinesalite accept any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/**
 * Starts dynalite, kinesalite, s3rver and the local KMS in this process on 127.0.0.1, each on a free port.
 * Resource creation is the caller's (see `provisionLocalResources`), so the same emulators serve tests with
 * their own names.
 */
export async function startEmulators(options: EmulatorsOptions = {}): Promise<Emulators> {
  const { dataDir } = options;
  if (dataDir) {
    await Promise.all(['dynamodb', 'kinesis', 's3'].map((d) => mkdir(join(dataDir, d), { recursive: true })));
  }
  const dynamo: Server = dynalite({
    path: dataDir ? join(dataDir, 'dynamodb') : undefined,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const kinesis: Server = kinesalite({
    path: dataDir ? join(dataDir, 'kinesis') : undefined,
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 1000,
  });
  const s3dir = dataDir ? join(dataDir, 's3') : await makeTempDir();
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3dir });
  makePutsDurable(s3);
  const [dynamodbUrl, kinesisUrl, s3Info, kms] = await Promise.all([
    listen(dynamo),
    listen(kinesis),
    s3.run() as Promise<AddressInfo>,
    startLocalKms({ keyFile: dataDir ? join(dataDir, 'kms-master-key.json') : undefined }),
  ]);
  const endpoints: EmulatorEndpoints = {
    dynamodb: dynamodbUrl,
    kinesis: kinesisUrl,
    s3: `http://127.0.0.1:${s3Info.port}`,
    kms: kms.endpoint,
  };
  return {
    endpoints,
    kmsKeyId: kms.keyId,
    kmsCalls: () => kms.calls(),
    env: emulatorEnv(endpoints),
    close: async () => {
      await Promise.all([closeServer(dynamo), closeServer(kinesis), s3.close(), kms.close()]);
      if (!dataDir) await import('node:fs/promises').then((fs) => fs.rm(s3dir, { recursive: true, force: true }));
    },
  };
}

/** The environment that points the AWS SDK at the emulators. */
export function emulatorEnv(endpoints: EmulatorEndpoints): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_KMS: endpoints.kms,
  };
}

async function makeTempDir(): Promise<string> {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  return mkdtemp(join(tmpdir(), 'switchyard-s3-'));
}

export type { LocalKms };
