import { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import S3rver from 's3rver';
import { startLocalKms, LocalKms } from './kms/startLocalKms';
import { makePutsDurable } from './s3rverDurablePut';
import { closeServer, listen } from './listen';
import type { EmulatorThreadData, EmulatorThreadMessage } from './emulatorThread';

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
  /**
   * Run dynalite and kinesalite in a worker thread of their own, so their request handling and storage use a
   * second core instead of competing with the handlers for this thread. Same ports, same data, same process
   * (a SIGKILL takes them down together, as before). @default true, unless SWITCHYARD_EMULATOR_THREAD=0
   */
  thread?: boolean;
}

/** s3rver checks signatures against these fixed credentials; dynalite and kinesalite accept any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const LOCAL_REGION = 'us-east-1';

/**
 * Starts dynalite, kinesalite, s3rver and the local KMS on 127.0.0.1, each on a free port: dynalite and
 * kinesalite, which do most of the work, in a worker thread (see `thread`), s3rver and the KMS on this one.
 * Resource creation is the caller's (see `provisionLocalResources`), so the same emulators serve tests with
 * their own names.
 */
export async function startEmulators(options: EmulatorsOptions = {}): Promise<Emulators> {
  const { dataDir } = options;
  const thread = options.thread ?? process.env.SWITCHYARD_EMULATOR_THREAD !== '0';
  if (dataDir) {
    await Promise.all(['dynamodb', 'kinesis', 's3'].map((d) => mkdir(join(dataDir, d), { recursive: true })));
  }
  const paths = dataDir ? { dynamodb: join(dataDir, 'dynamodb'), kinesis: join(dataDir, 'kinesis') } : undefined;
  const s3dir = dataDir ? join(dataDir, 's3') : await makeTempDir();
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3dir });
  makePutsDurable(s3);
  const started = await Promise.allSettled([
    thread ? startEmulatorThread({ dataDir: paths }) : startInThisThread(paths),
    s3.run() as Promise<AddressInfo>,
    startLocalKms({ keyFile: dataDir ? join(dataDir, 'kms-master-key.json') : undefined }),
  ] as const);
  const [stores, s3Info, kms] = started;
  if (stores.status === 'rejected' || s3Info.status === 'rejected' || kms.status === 'rejected') {
    await Promise.allSettled([
      stores.status === 'fulfilled' ? stores.value.close() : undefined,
      s3Info.status === 'fulfilled' ? s3.close() : undefined,
      kms.status === 'fulfilled' ? kms.value.close() : undefined,
    ]);
    throw started.map((result) => (result.status === 'rejected' ? (result.reason as unknown) : undefined)).find(Boolean);
  }
  const endpoints: EmulatorEndpoints = {
    dynamodb: stores.value.dynamodb,
    kinesis: stores.value.kinesis,
    s3: `http://127.0.0.1:${s3Info.value.port}`,
    kms: kms.value.endpoint,
  };
  return {
    endpoints,
    kmsKeyId: kms.value.keyId,
    kmsCalls: () => kms.value.calls(),
    env: emulatorEnv(endpoints),
    close: async () => {
      await Promise.all([stores.value.close(), s3.close(), kms.value.close()]);
      if (!dataDir) await import('node:fs/promises').then((fs) => fs.rm(s3dir, { recursive: true, force: true }));
    },
  };
}

/** dynalite and kinesalite, wherever they run. */
interface StoreEmulators {
  dynamodb: string;
  kinesis: string;
  close(): Promise<void>;
}

async function startInThisThread(paths: EmulatorThreadData['dataDir']): Promise<StoreEmulators> {
  // Loaded here only: with the thread (the default) dynalite and kinesalite are never loaded on this one.
  const { dynaliteServer, kinesaliteServer } = await import('./emulatorThread');
  const servers: Server[] = [dynaliteServer(paths?.dynamodb), kinesaliteServer(paths?.kinesis)];
  const [dynamodb, kinesis] = await Promise.all(servers.map(listen));
  return { dynamodb, kinesis, close: async () => void (await Promise.all(servers.map(closeServer))) };
}

/**
 * Runs ./emulatorThread in a worker thread. Under tsx or ts-jest that module is TypeScript, which the thread
 * compiles with tsx's require hook (a dev dependency, as is everything that starts the local bus from source).
 * An uncaught error in the thread is rethrown here, as it would have been with the emulators on this thread.
 */
async function startEmulatorThread(data: EmulatorThreadData): Promise<StoreEmulators> {
  const entry = join(__dirname, `emulatorThread${extname(__filename)}`);
  const bootstrap = [
    `const { workerData } = require('node:worker_threads');`,
    `if (workerData.tsx) require(workerData.tsx).register();`,
    `require(workerData.entry);`,
  ].join('\n');
  const worker = new Worker(bootstrap, {
    eval: true,
    workerData: {
      ...data,
      switchyardEmulatorThread: true,
      entry,
      tsx: entry.endsWith('.ts') ? require.resolve('tsx/cjs/api') : undefined,
    },
  });
  const ready = await new Promise<{ dynamodb: string; kinesis: string }>((resolve, reject) => {
    const onMessage = (message: EmulatorThreadMessage) => {
      settle();
      if (message.type === 'ready') resolve(message);
      else reject(new Error(`the emulator thread failed to start: ${message.type === 'failed' ? message.message : message.type}`));
    };
    const onError = (error: Error) => {
      settle();
      reject(error);
    };
    const onExit = (code: number) => {
      settle();
      reject(new Error(`the emulator thread exited (${code}) before it was ready`));
    };
    const settle = () => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  return {
    ...ready,
    close: async () => {
      const closed = new Promise<void>((resolve) => {
        worker.once('message', (message: EmulatorThreadMessage) => message.type === 'closed' && resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ type: 'close' });
      await closed;
      // Ends the thread; its LevelDB handles are closed by their environment cleanup.
      await worker.terminate();
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
