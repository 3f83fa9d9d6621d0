import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalBus, type LocalBus } from '../../../../local/LocalBus';
import type { CloudEventJson } from '../../../../src/events/types';
import { ReplayJobs } from '../../../../src/replay/ReplayJobs';
import type { ReplayJob } from '../../../../src/replay/types';
import { createAwsClients } from '../../../../src/wiring/awsClients';
import { eventually } from '../../../helpers/cloudEvents';
import { Receiver } from '../../delivery/support/Receiver';

export const SECRET = 'whsec_' + randomBytes(32).toString('base64');

/** A subscription of the test's subscriptions.json: its id, the receiver path it posts to, and its own settings. */
export interface TestSubscription {
  id: string;
  path: string;
  types?: string[];
  delivery?: Record<string, unknown>;
}

/** A local bus in this process with a webhook receiver, as the replay tests use it. */
export interface ReplayBus {
  bus: LocalBus;
  receiver: Receiver;
  dataDir: string;
  subscriptionsFile: string;
  jobs: ReplayJobs;
  /** Rewrites subscriptions.json and waits until the bus serves it. */
  setSubscriptions(subscriptions: TestSubscription[]): Promise<void>;
  /** POSTs events as batches of up to 500; resolves when every batch was accepted. */
  publish(events: CloudEventJson[]): Promise<void>;
  /** Events the receiver got on `path`, in arrival order. */
  received(path: string): CloudEventJson[];
  /** How many requests the receiver got on `path`. */
  count(path: string): number;
  /** Polls the job until it is no longer running. */
  finished(jobId: string, timeoutMs?: number): Promise<ReplayJob>;
  stop(): Promise<void>;
}

export function subscriptionsJson(receiver: Receiver, subscriptions: TestSubscription[]): string {
  return JSON.stringify({
    subscriptions: subscriptions.map(({ id, path, types, delivery }) => ({
      id,
      ...(types ? { types } : {}),
      target: { webhook: { url: receiver.url(path), secret: SECRET } },
      delivery: { timeoutSeconds: 5, ...delivery },
    })),
  });
}

/** Starts a local bus on a fresh data dir serving `subscriptions`, and a receiver for them. */
export async function startReplayBus(subscriptions: TestSubscription[], options: { shards?: number } = {}): Promise<ReplayBus> {
  const receiver = await Receiver.start();
  const dataDir = await mkdtemp(join(tmpdir(), 'switchyard-replay-'));
  const subscriptionsFile = join(dataDir, 'subscriptions.json');
  await writeFile(subscriptionsFile, subscriptionsJson(receiver, subscriptions));
  const bus = await startLocalBus({ port: 0, dataDir, subscriptionsFile, shards: options.shards ?? 2 });
  const clients = createAwsClients(process.env);
  const jobs = new ReplayJobs({ documents: clients.documents, tableName: bus.names.deliveryTable });
  const received = (path: string) =>
    receiver.requests.filter((request) => request.path === path).map((request) => JSON.parse(request.body.toString('utf8')) as CloudEventJson);
  return {
    bus,
    receiver,
    dataDir,
    subscriptionsFile,
    jobs,
    received,
    count: (path) => receiver.requests.filter((request) => request.path === path).length,
    async setSubscriptions(next) {
      await writeFile(subscriptionsFile, subscriptionsJson(receiver, next));
      // The file watcher uploads it at once; the router and the redeliver function re-read it every second.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
    },
    async publish(events) {
      for (let start = 0; start < events.length; start += 500) {
        const response = await fetch(`${bus.url}/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents-batch+json' },
          body: JSON.stringify(events.slice(start, start + 500)),
        });
        if (response.status !== 202) throw new Error(`POST /events answered ${response.status}: ${await response.text()}`);
      }
    },
    async finished(jobId, timeoutMs = 60_000) {
      return eventually(async () => {
        const job = await jobs.get(jobId);
        return job && job.state !== 'running' ? job : undefined;
      }, timeoutMs, 100);
    },
    async stop() {
      await bus.stop();
      await receiver.close();
      clients.documents.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
