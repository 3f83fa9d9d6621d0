import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { KinesisStreamRecord } from 'aws-lambda';
import { createEventKeys } from '../../../../src/crypto';
import { createDeliveryDeps, type DeliveryDepsOptions } from '../../../../src/delivery/createDeliveryDeps';
import type { DeliveryDeps } from '../../../../src/delivery/deliver';
import { DeliveryLedger } from '../../../../src/delivery/ledger/DeliveryLedger';
import type { LedgerEntry } from '../../../../src/delivery/ledger/types';
import { DeliveryLimiter } from '../../../../src/engine/DeliveryLimiter';
import { DisabledSubscriptionsCache } from '../../../../src/engine/DisabledSubscriptionsCache';
import { Redeliverer } from '../../../../src/engine/Redeliverer';
import { SubscriptionEngine } from '../../../../src/engine/SubscriptionEngine';
import type { EngineLog } from '../../../../src/engine/types';
import type { CloudEventJson } from '../../../../src/events/types';
import { partitionKeyOf } from '../../../../src/events/partitionKeyOf';
import { kinesisStreamRecord } from '../../../../src/stream/kinesisStreamRecord';
import type { ConfigError } from '../../../../src/routing/config/types';
import { SubscriptionsSource } from '../../../../src/routing/config/SubscriptionsSource';
import { startTestEmulators, type TestEmulators } from '../../../helpers/emulators';
import { SecretResolver } from '../../../../src/routing/config/SecretResolver';

/** A log that keeps every line, so tests can assert on what an operator would see. */
export class RecordingLog implements EngineLog {
  readonly lines: { level: string; message: string; detail: Record<string, unknown> }[] = [];
  debug = (message: string, detail: Record<string, unknown>) => this.lines.push({ level: 'debug', message, detail });
  info = (message: string, detail: Record<string, unknown>) => this.lines.push({ level: 'info', message, detail });
  warn = (message: string, detail: Record<string, unknown>) => this.lines.push({ level: 'warn', message, detail });
  error = (message: string, detail: Record<string, unknown>) => this.lines.push({ level: 'error', message, detail });
}

/** Counts per metric name. */
export class RecordingMetrics {
  readonly counts: Record<string, number> = {};
  addMetric(name: string, _unit: 'Count', value: number) {
    this.counts[name] = (this.counts[name] ?? 0) + value;
  }
}

/** Epoch ms that tests move forward, shared by the ledger and the redeliverer (retries fall due without waiting). */
export class TestClock {
  offsetMs = 0;
  now = () => Date.now() + this.offsetMs;
  advance(ms: number) {
    this.offsetMs += ms;
  }
}

let sequence = 10_000_000n;

/** Kinesis records as the event source mapping hands them over, in stream order. */
export function kinesisRecords(events: readonly CloudEventJson[], shard = 'shardId-000000000000'): KinesisStreamRecord[] {
  return events.map((event) => {
    sequence += 1n;
    const sequenceNumber = `4960000000000000000000000000000000000000${sequence}`;
    return kinesisStreamRecord({ shardId: shard, partitionKey: partitionKeyOf(event), sequenceNumber, data: Buffer.from(JSON.stringify(event)), consumer: 'engine' });
  });
}

export interface EngineHarnessOptions {
  /** Secrets `{ env }` references read. */
  env?: Record<string, string>;
  lambdas?: DeliveryDepsOptions['lambdas'];
}

/**
 * The engine and the redeliverer as the handlers build them, against the emulators: subscriptions.json in S3
 * (re-checked on every batch), the delivery ledger in dynalite sealed with the local KMS, real HTTP delivery
 * (loopback allowed, as on the local bus). One clock for the ledger and the redeliverer.
 */
export class EngineHarness {
  readonly clock = new TestClock();
  readonly log = new RecordingLog();
  readonly metrics = new RecordingMetrics();
  readonly refused: ConfigError[][] = [];
  readonly ledger: DeliveryLedger;
  readonly source: SubscriptionsSource;
  readonly deps: DeliveryDeps;
  readonly engine: SubscriptionEngine;
  readonly redeliverer: Redeliverer;
  private readonly key = 'subscriptions.json';

  private constructor(readonly test: TestEmulators, options: EngineHarnessOptions) {
    const { clients, names, emulators } = test;
    const env = { ...process.env, ...options.env };
    // Secrets as the engine resolves them: a version whose secret is unset or malformed is refused at load.
    const secrets = new SecretResolver({ env });
    this.source = new SubscriptionsSource({
      s3: clients.s3,
      bucket: names.bucket,
      key: this.key,
      refreshIntervalSeconds: 0,
      env,
      resolveSecret: (ref) => secrets.resolve(ref),
      onInvalid: (errors) => this.refused.push([...errors]),
    });
    this.ledger = new DeliveryLedger({
      documents: clients.documents,
      tableName: names.deliveryTable,
      keys: createEventKeys({ kms: clients.kms, keyId: emulators.kmsKeyId }),
      clock: this.clock.now,
    });
    this.deps = createDeliveryDeps({
      resolveSecret: (ref) => secrets.resolve(ref),
      webhooks: { allowPrivateNetworks: true, requireHttps: false },
      lambdas: options.lambdas,
    });
    // A disabled set read on every batch: a re-enable applies at once in tests.
    const disabled = new DisabledSubscriptionsCache(this.ledger, 0);
    const limiter = new DeliveryLimiter();
    const common = { source: this.source, ledger: this.ledger, deliveryDeps: this.deps, log: this.log, metrics: this.metrics, limiter, disabled };
    this.engine = new SubscriptionEngine({ ...common, now: this.clock.now });
    this.redeliverer = new Redeliverer({ ...common, now: this.clock.now, sleep: async () => {} });
  }

  static async start(options: EngineHarnessOptions = {}): Promise<EngineHarness> {
    return new EngineHarness(await startTestEmulators({ shards: 1 }), options);
  }

  /** Uploads subscriptions.json (an object is serialised). */
  async putSubscriptions(file: unknown): Promise<void> {
    const Body = typeof file === 'string' ? file : JSON.stringify(file);
    const { ETag } = await this.test.clients.s3.send(new PutObjectCommand({ Bucket: this.test.names.bucket, Key: this.key, Body }));
    // The engine keeps serving the previous version when one read fails (as it must); on a loaded machine a
    // read can fail, so the test waits until this version was read (served, or refused when invalid).
    for (let tries = 0; tries < 50; tries++) {
      await this.source.refresh();
      if (this.source.seenVersion === ETag) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`subscriptions.json version ${ETag} was never read`);
  }

  /** Runs one engine batch of these events; answers the batch item failures. */
  async publish(...events: CloudEventJson[]) {
    return this.engine.processRecords(kinesisRecords(events));
  }

  /** Moves time forward past the next retry and runs one redeliver round. */
  async redeliverAfter(ms: number) {
    this.clock.advance(ms);
    return this.redeliverer.round();
  }

  async dead(subscriptionId: string): Promise<LedgerEntry[]> {
    return (await this.ledger.listDead({ subscriptionId })).entries;
  }

  async pending(subscriptionId: string): Promise<LedgerEntry[]> {
    return (await this.ledger.listPending({ subscriptionId })).entries;
  }

  async close(): Promise<void> {
    await this.deps.webhooks.destroy();
    await this.test.close();
  }
}

/** A webhook subscription as written in subscriptions.json. */
export function webhookSubscription(id: string, url: string, extra: Record<string, unknown> = {}, delivery: Record<string, unknown> = {}) {
  return { id, target: { webhook: { url, secret: { env: 'HOOK_SECRET' } } }, delivery, ...extra };
}
