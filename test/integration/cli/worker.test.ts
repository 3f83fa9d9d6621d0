import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { encodeEvent, publishOrdered } from '../../../src/stream';
import { EventIdempotency } from '../../../src/worker/EventIdempotency';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { useLocalBus } from './support/localBus';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'bin', 'cli.ts');

// The CLI runs as its own process, as a user runs it, against emulators in this process. The test plays the
// local bus's part of publishing `endpoints.json` in a data dir.
const local = useLocalBus(2, (bus) => ({ EVENT_STREAM_NAME: bus.names.stream, IDEMPOTENCY_TABLE_NAME: bus.names.idempotencyTable }));
const ordersTable = `orders-${randomUUID().slice(0, 8)}`;

interface CliProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs `bin/cli.ts` through its shebang (`#!/usr/bin/env -S node --import tsx`), as `npx switchyard` does. */
function runCli(args: string[]): CliProcess {
  const child = spawn(CLI, args, { cwd: ROOT, env: { ...process.env, ORDERS_TABLE: ordersTable }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

async function orders(): Promise<Map<string, Record<string, unknown>>> {
  const { Items = [] } = await local.bus.clients.documents.send(new ScanCommand({ TableName: ordersTable, ConsistentRead: true }));
  return new Map(Items.map((item) => [item.orderId as string, item]));
}

describe('switchyard worker', () => {
  test('runs the example projection on the local bus: each order event applied once, in order; Ctrl-C stops it cleanly', async () => {
    const orderIds = Array.from({ length: 4 }, (_, i) => `order-${i}-${randomUUID().slice(0, 6)}`);
    const events = orderIds.flatMap((orderId, i) => [
      makeEvent({ type: 'com.example.orders.created', subject: orderId, data: { total: 100 + i, currency: 'AUD' } }),
      makeEvent({ type: 'com.example.orders.paid', subject: orderId, data: {} }),
      makeEvent({ type: 'com.example.orders.shipped', subject: orderId, data: { carrier: 'AusPost' } }),
    ]);
    await publishOrdered(events.slice(0, 6).map((e) => encodeEvent(e, e.subject!)), { kinesis: local.bus.clients.kinesis, streamName: local.bus.names.stream });

    const worker = runCli(['worker', '--consumer', 'order-projector', '--handler', './examples/worker/projectOrders.ts', '--data-dir', local.dataDir, '--log-level', 'warn']);
    await eventually(async () => (worker.output().includes('running on the local bus at http://127.0.0.1:4000') ? true : undefined), 30_000);
    // Events published while it runs are picked up too.
    await publishOrdered(events.slice(6).map((e) => encodeEvent(e, e.subject!)), { kinesis: local.bus.clients.kinesis, streamName: local.bus.names.stream });
    await eventually(async () => {
      const projected = await orders();
      return orderIds.every((id) => projected.get(id)?.status === 'shipped') ? true : undefined;
    }, 30_000);

    worker.child.kill('SIGINT');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    expect(worker.output()).toContain('SIGINT: stopping worker order-projector');
    expect(worker.output()).toContain('worker order-projector stopped');

    const projected = await orders();
    orderIds.forEach((orderId, i) => {
      expect(projected.get(orderId)).toMatchObject({ status: 'shipped', total: 100 + i, currency: 'AUD', carrier: 'AusPost', eventsApplied: 3 });
    });
    // Every event's idempotency record is completed for this consumer: a restart would skip them all.
    const records = new EventIdempotency({ documents: local.bus.clients.documents, tableName: local.bus.names.idempotencyTable, consumer: 'order-projector' });
    for (const event of events) expect(await records.inspect(event)).toMatchObject({ status: 'completed', attempts: 1 });
  });

  test('answers --help through its shebang, and refuses a missing handler module in one line', async () => {
    const { stdout } = await promisify(execFile)(CLI, ['worker', '--help'], { cwd: ROOT });
    expect(stdout).toContain('--from <position>');
    const failed = runCli(['worker', '--consumer', 'c', '--handler', './examples/worker/absent.js', '--data-dir', local.dataDir]);
    expect((await failed.exited).code).toBe(2);
    expect(failed.output()).toMatch(/^switchyard: handler module \.\/examples\/worker\/absent\.js did not load: /m);
  });
  test('with --json prints its running and stopped lines as JSON objects', async () => {
    const worker = runCli(['worker', '--consumer', 'json-consumer', '--handler', './examples/worker/projectOrders.ts', '--data-dir', local.dataDir, '--log-level', 'warn', '--json']);
    const running = await eventually(async () => worker.output().split('\n').find((line) => line.startsWith('{"state":"running"')), 30_000);
    expect(JSON.parse(running)).toMatchObject({ state: 'running', consumer: 'json-consumer', workerId: expect.any(String), bus: 'local bus at http://127.0.0.1:4000', shards: expect.any(Array) });
    worker.child.kill('SIGINT');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    const stopped = worker.output().split('\n').find((line) => line.startsWith('{"state":"stopped"'));
    expect(JSON.parse(stopped!)).toMatchObject({ state: 'stopped', consumer: 'json-consumer', signal: 'SIGINT' });
  });
});
