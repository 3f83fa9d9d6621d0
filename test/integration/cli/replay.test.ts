import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { runCli as runCliInProcess } from '../../../src/cli/program';
import type { CloudEventJson } from '../../../src/events/types';
import { runCli, startCli } from '../../helpers/cliProcess';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../delivery/support/Receiver';
import { SECRET } from '../replay/support/replayBus';

/** `switchyard replay` as its own process against a local bus in this process (reached through --data-dir). */
let bus: LocalBus;
let receiver: Receiver;
let dataDir: string;
let from: string;
let to: string;
let firstSequence: string;
const ORDERS: CloudEventJson[] = [];

const count = (path: string) => receiver.requests.filter((request) => request.path === path).length;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  receiver = await Receiver.start();
  dataDir = await mkdtemp(join(tmpdir(), 'switchyard-cli-replay-'));
  const subscriptionsFile = join(dataDir, 'subscriptions.json');
  await writeFile(
    subscriptionsFile,
    JSON.stringify({
      subscriptions: [
        // Of the order events, only the urgent ones: 12 read, 8 matched.
        { id: 'orders', types: ['com.example.orders.>'], filter: { data: { urgent: [true] } }, target: { webhook: { url: receiver.url('/orders'), secret: SECRET } } },
        { id: 'audit', target: { webhook: { url: receiver.url('/audit'), secret: SECRET } } },
      ],
    }),
  );
  bus = await startLocalBus({ port: 0, dataDir, subscriptionsFile });

  from = new Date(Date.now() - 1_000).toISOString();
  for (let n = 0; n < 12; n++) ORDERS.push(makeEvent({ partitionkey: `order-${n % 3}`, data: { n, urgent: n % 3 !== 2 } }));
  const events = [...ORDERS, makeEvent({ type: 'com.example.users.created' })];
  const response = await fetch(`${bus.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify(events),
  });
  expect(response.status).toBe(202);
  firstSequence = ((await response.json()) as { accepted: { sequence: string }[] }).accepted[0].sequence;
  await eventually(async () => (count('/audit') === events.length ? true : undefined), 30_000);
  await pause(50);
  to = new Date().toISOString();
});
afterAll(async () => {
  await bus?.stop();
  await receiver?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const replay = (...args: string[]) => runCli(['replay', '--data-dir', dataDir, ...args]);

describe('switchyard replay', () => {
  test('--dry-run counts what the subscription matches in the window and delivers nothing', async () => {
    const before = count('/orders');
    const text = await replay('--subscription', 'orders', '--from', from, '--to', to, '--dry-run');
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toBe(`dry run: 8 of 12 stored events from ${from} to ${to} match subscription orders; nothing was delivered\n`);

    const json = await replay('--subscription', 'orders', '--from', from, '--to', to, '--dry-run', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ dryRun: true, subscription: 'orders', from, to, scanned: 12, matched: 8 });
    await pause(1_500);
    expect(count('/orders')).toBe(before);
  });

  test('replays the window to the subscription, then prints one summary line (exit 0); --json prints the finished job', async () => {
    const before = count('/orders');
    const auditBefore = count('/audit');
    const result = await replay('--subscription', 'orders', '--from', from, '--to', to, '--rate', '50');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^replay \\S+ done: 8 delivered, 0 failed, of 8 matching events \\(12 read\\) from ${escape(from)} to ${escape(to)} in \\d+\\.\\d s\\n$`),
    );
    expect(result.stderr).toMatch(/^replay \S+: 8 events to subscription orders at up to 50\/s\n$/);
    const replayed = receiver.requests.slice(-8).map((request) => JSON.parse(request.body.toString('utf8')) as CloudEventJson);
    expect(count('/orders')).toBe(before + 8);
    expect(replayed.map((event) => event.id).sort()).toEqual(ORDERS.filter((event) => (event.data as { urgent: boolean }).urgent).map((event) => event.id).sort());
    expect(count('/audit')).toBe(auditBefore);

    const json = await replay('--subscription', 'orders', '--from', from, '--to', to, '--json');
    expect(json).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(json.stdout)).toMatchObject({
      subscriptionId: 'orders',
      state: 'done',
      from,
      to,
      rate: 100,
      expected: 8,
      counts: { scanned: 12, matched: 8, delivered: 8, failed: 0 },
      jobId: expect.any(String),
      seconds: expect.any(Number),
    });
  });

  test('on a terminal, draws a progress bar of the events done, with the ETA, on standard error', async () => {
    const terminal = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
    let drawn = '';
    terminal.on('data', (chunk: Buffer) => (drawn += chunk.toString('utf8')));
    const out: string[] = [];
    const code = await runCliInProcess(['replay', '--data-dir', dataDir, '--subscription', 'orders', '--from', from, '--to', to, '--rate', '20'], {
      out: (line) => out.push(line),
      err: () => undefined,
      env: {},
      cwd: process.cwd(),
      applyEnv: () => undefined,
      waitForStop: () => new Promise(() => undefined),
      terminal,
    });
    expect(code).toBe(0);
    expect(drawn).toMatch(/replaying \[[^\]]+\] 100% \| 8\/8 events \| ETA/);
    expect(out).toEqual([expect.stringMatching(/^replay \S+ done: 8 delivered, 0 failed, of 8 matching events/)]);
  });

  test('--from a sequence number starts at that record’s arrival; one the stream does not hold says to use a time', async () => {
    const fromSequence = await replay('--subscription', 'orders', '--from', firstSequence, '--to', to, '--dry-run', '--json');
    expect(fromSequence.code).toBe(0);
    const counted = JSON.parse(fromSequence.stdout) as { from: string; matched: number };
    expect(counted.matched).toBe(8);
    expect(counted.from >= from && counted.from < to).toBe(true);

    const unknown = await replay('--subscription', 'orders', '--from', '49590338271490256608559692538361571095921575989136588898', '--dry-run');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^switchyard: sequence 4959\d+ is not in stream \S+ \(past its retention, or never written\): give --from as an ISO 8601 time instead\n$/);
  });

  test('Ctrl-C cancels the replay: it stops, prints its summary and exits 1', async () => {
    const running = startCli(['replay', '--data-dir', dataDir, '--subscription', 'orders', '--from', from, '--to', to, '--rate', '1']);
    await eventually(async () => (/^replay \S+: 8 events/.test(running.stderr()) ? true : undefined), 30_000);
    const result = await running.interrupt();
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^replay \S+ cancelled: \d delivered, 0 failed, of \d matching events \(\d+ read\) from /);
    expect(result.stderr).toMatch(/\nswitchyard: replay \S+ cancelled: what it delivered stays delivered\n$/);
  });

  test('usage mistakes exit 2 with one line saying what to give', async () => {
    const badFrom = await replay('--subscription', 'orders', '--from', 'yesterday');
    expect(badFrom).toMatchObject({ code: 2, stdout: '' });
    expect(badFrom.stderr).toBe(
      'switchyard: --from must be an ISO 8601 time such as 2026-12-06T13:45:00Z (a time needs its zone, Z or ±hh:mm) or a stream sequence number (digits only), got "yesterday"\n',
    );
    const badRate = await replay('--subscription', 'orders', '--from', from, '--rate', '0');
    expect(badRate.code).toBe(2);
    expect(badRate.stderr).toContain('--rate must be a whole number of deliveries per second from 1 to 10000, got "0"');
    const backwards = await replay('--subscription', 'orders', '--from', to, '--to', from);
    expect(backwards).toMatchObject({ code: 2, stderr: `switchyard: --from (${to}) must be before --to (${from})\n` });
    const unknown = await replay('--subscription', 'nope', '--from', from, '--dry-run');
    expect(unknown).toMatchObject({ code: 2, stderr: `switchyard: local bus at ${bus.url} has no subscription "nope" (it has: orders, audit): give --subscription one of its ids\n` });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
