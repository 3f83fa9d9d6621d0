/**
 * The e2e bench's baseline pipeline on NATS JetStream: `nats-server -js` on a free loopback port with a temporary
 * store directory, a file-storage stream, a durable pull consumer (explicit acks) served by the JetStream router
 * process (jetstreamRouter.ts), and a publisher on its own connection.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, connect, StorageType } from 'nats';
import { forkTs, spawnProcess, type Managed } from './processes';
import { JETSTREAM_SUBJECT, JetStreamPublisher } from './publishers';

const STREAM = 'E2E';
const DURABLE = 'webhook';

/** `nats-server --version`'s answer, or undefined when it is not on PATH. */
export function natsServerVersion(): string | undefined {
  const result = spawnSync('nats-server', ['--version'], { encoding: 'utf8', timeout: 5_000 });
  if (result.error || result.status !== 0) return undefined;
  return result.stdout.trim().replace(/^nats-server:\s*/, '');
}

export interface JetStreamPipeline {
  publisher: JetStreamPublisher;
  /** The consumer process, for its output in error messages. */
  router: Managed;
  stop(): Promise<void>;
}

/** Starts the whole pipeline; on any failure stops what it had started and throws. */
export async function startJetStreamPipeline(receiverUrl: string, secret: string, concurrency: number): Promise<JetStreamPipeline> {
  const storeDir = mkdtempSync(join(tmpdir(), 'switchyard-e2e-nats-'));
  const started: { stop(): Promise<void> }[] = [];
  let stopped: Promise<void> | undefined;
  const stopAll = () =>
    (stopped ??= (async () => {
      for (const item of [...started].reverse()) await item.stop().catch(() => undefined);
      rmSync(storeDir, { recursive: true, force: true });
    })());
  try {
    // -p -1: a random free port, read back from the log.
    const server: Managed = spawnProcess('nats-server', 'nats-server', ['-js', '-a', '127.0.0.1', '-p', '-1', '-sd', storeDir, '-n', 'switchyard-e2e']);
    started.push(server);
    const listening = server.waitForLine(/Listening for client connections on ([\d.]+:\d+)/, 10_000);
    const ready = server.waitForLine(/Server is ready/, 10_000);
    const [, address] = await listening;
    await ready;
    const natsUrl = `nats://${address}`;

    const admin = await connect({ servers: natsUrl });
    try {
      const jsm = await admin.jetstreamManager();
      await jsm.streams.add({ name: STREAM, subjects: [JETSTREAM_SUBJECT], storage: StorageType.File });
      await jsm.consumers.add(STREAM, { durable_name: DURABLE, ack_policy: AckPolicy.Explicit, max_ack_pending: 1000 });
    } finally {
      await admin.close();
    }

    const router = forkTs('jetstream router', 'jetstreamRouter.ts', [natsUrl, STREAM, DURABLE, receiverUrl, secret, String(concurrency)]);
    started.push(router);
    const readyMessage = await router.firstMessage<string>(30_000);
    if (readyMessage !== 'ready') throw new Error(`jetstream router said ${JSON.stringify(readyMessage)}\n${router.tail()}`);

    const publisher = new JetStreamPublisher(await connect({ servers: natsUrl }));
    started.push({ stop: () => publisher.close() });
    return { publisher, router, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
