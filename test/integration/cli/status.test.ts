import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { readLocalStatus } from '../../../src/cli/status/localStatus';
import type { LocalStatus } from '../../../src/cli/status/types';
import { createEventKeys } from '../../../src/crypto';
import { DeliveryLedger } from '../../../src/delivery/ledger/DeliveryLedger';
import { eventStoreFromEnvironment } from '../../../src/wiring/ingestFromEnvironment';
import { runCli } from '../../helpers/cliProcess';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';
import { Receiver } from '../delivery/support/Receiver';

const SECRET = 'whsec_' + Buffer.alloc(32, 9).toString('base64');

/**
 * `switchyard status` on the local bus, as its own process: what the bus measures itself (no CloudWatch
 * locally). The stage path reads CloudWatch, for which no emulator exists: see statusStage.test.ts.
 */
describe('switchyard status on a local bus', () => {
  let bus: LocalBus;
  let receiver: Receiver;
  let dir: string;
  let dataDir: string;

  beforeAll(async () => {
    // Every delivery fails: `retrying` keeps them pending (5 attempts, the next one 5 s away), `dying` dead at once.
    receiver = await Receiver.start((_request, response) => void response.writeHead(500).end());
    dir = await mkdtemp(join(tmpdir(), 'switchyard-status-'));
    dataDir = join(dir, 'data');
    const subscriptionsFile = join(dir, 'subscriptions.json');
    await writeFile(
      subscriptionsFile,
      JSON.stringify({
        subscriptions: [
          { id: 'retrying', filter: { source: ['/retrying'] }, target: { webhook: { url: receiver.url('/r'), secret: SECRET } }, delivery: { timeoutSeconds: 5 } },
          { id: 'dying', filter: { source: ['/dying'] }, target: { webhook: { url: receiver.url('/d'), secret: SECRET } }, delivery: { timeoutSeconds: 5, maxAttempts: 1 } },
        ],
      }),
    );
    bus = await startLocalBus({ port: 0, shards: 2, dataDir, subscriptionsFile });
  });
  afterAll(async () => {
    await bus?.stop();
    await receiver?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const status = () => runCli(['status', '--json', '--data-dir', dataDir]);

  test('counts pending deliveries and dead letters, the events stored in the last hour by type, and no router lag once routed', async () => {
    const events = [
      makeEvent({ source: '/retrying', type: 'com.example.order.created', subject: 'order-1' }),
      makeEvent({ source: '/retrying', type: 'com.example.order.created', subject: 'order-2' }),
      makeEvent({ source: '/dying', type: 'com.example.invoice.paid', subject: 'invoice-1' }),
    ];
    for (const event of events) {
      const response = await fetch(`${bus.url}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) });
      expect(response.status).toBe(202);
    }

    const shown = await eventually(
      async () => {
        const result = await status();
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        const parsed = JSON.parse(result.stdout) as LocalStatus;
        return parsed.pendingDeliveries === 2 && parsed.deadLetters === 1 && parsed.storedTotal === 3 ? parsed : undefined;
      },
      40_000,
      500,
    );
    expect(shown).toMatchObject({ kind: 'local', target: `local bus at ${bus.url}` });
    expect(shown.storedByType).toEqual({ 'com.example.invoice.paid': 1, 'com.example.order.created': 2 });
    expect(Date.parse(shown.to) - Date.parse(shown.from)).toBe(3_600_000);
    expect(shown.stream.map((shard) => shard.shard).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    // Every record routed: the checkpoint is the shard's latest record, nothing behind.
    for (const shard of shown.stream) {
      expect(shard).toMatchObject({ recordsBehind: 0, behindAtLeast: false, oldestUnroutedAgeMs: null });
      expect(shard.latest).toBe(shard.checkpoint);
    }
    expect(shown.stream.filter((shard) => shard.checkpoint !== null).length).toBeGreaterThanOrEqual(1);
  });

  test('prints the same figures as text, one section per part', async () => {
    const result = await runCli(['status', '--data-dir', dataDir]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^local bus at ${bus.url}: \\S+ to \\S+$`));
    expect(lines).toEqual(expect.arrayContaining(['Ledger', 'Router lag per shard', 'Events stored (3)']));
    expect(lines.find((line) => line.trim().startsWith('pending deliveries'))).toMatch(/pending deliveries\s+2$/);
    expect(lines.find((line) => line.trim().startsWith('dead letters'))).toMatch(/dead letters\s+1$/);
    expect(lines.find((line) => line.includes('com.example.order.created'))).toMatch(/com\.example\.order\.created\s+2$/);
    expect(lines.filter((line) => /shardId-\d+\s+0 records behind/.test(line))).toHaveLength(2);
  });

  test('without a running bus it says how to start one (exit 1)', async () => {
    const result = await runCli(['status', '--data-dir', join(dir, 'nowhere')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^switchyard: no local bus is running on .*nowhere .*npm start/);
  });

  test('a bad --stage is a usage error naming the option (exit 2)', async () => {
    const result = await runCli(['status', '--stage', 'no stage!']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--stage must be a stage name');
  });
});

describe('local status: router lag measured from the poller checkpoint', () => {
  let emulators: TestEmulators;
  let dir: string;
  beforeAll(async () => {
    emulators = await startTestEmulators({ shards: 1 });
    dir = await mkdtemp(join(tmpdir(), 'switchyard-lag-'));
  });
  afterAll(async () => {
    await emulators?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('counts the records after the checkpoint, names the latest, and ages the oldest one not routed', async () => {
    const put = async (n: number) =>
      (await emulators.clients.kinesis.send(new PutRecordCommand({ StreamName: emulators.names.stream, PartitionKey: 'k', Data: Buffer.from(`record ${n}`) }))).SequenceNumber!;
    const sequences = [await put(1), await put(2), await put(3)];
    const sources = {
      target: 'test bus',
      ledger: new DeliveryLedger({
        documents: emulators.clients.documents,
        tableName: emulators.names.deliveryTable,
        keys: createEventKeys({ kms: emulators.clients.kms, keyId: emulators.emulators.kmsKeyId }),
      }),
      store: eventStoreFromEnvironment(emulators.env, emulators.clients),
      kinesis: emulators.clients.kinesis,
      streamName: emulators.names.stream,
      dataDir: dir,
    };

    // No checkpoint yet: every record is behind.
    const before = await readLocalStatus(sources);
    expect(before.stream).toEqual([
      { shard: 'shardId-000000000000', checkpoint: null, latest: sequences[2], recordsBehind: 3, behindAtLeast: false, oldestUnroutedAgeMs: expect.any(Number) },
    ]);

    // The router finished the first record (the file the local bus's FileCheckpointStore writes).
    await mkdir(join(dir, 'checkpoints', 'router'), { recursive: true });
    await writeFile(join(dir, 'checkpoints', 'router', 'shardId-000000000000'), sequences[0]!);
    const later = await readLocalStatus({ ...sources, now: Date.now() + 60_000 });
    expect(later.stream[0]).toMatchObject({ checkpoint: sequences[0], latest: sequences[2], recordsBehind: 2 });
    expect(later.stream[0]!.oldestUnroutedAgeMs).toBeGreaterThanOrEqual(60_000);
    expect(later).toMatchObject({ pendingDeliveries: 0, deadLetters: 0, storedTotal: 0, storedByType: {} });
  });
});
