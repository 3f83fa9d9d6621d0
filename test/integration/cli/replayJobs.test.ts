import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { runCli, startCli } from '../../helpers/cliProcess';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../delivery/support/Receiver';
import { SECRET } from '../replay/support/replayBus';

/** `switchyard replay list` and `replay cancel` as their own processes, against a replay another process started. */
let bus: LocalBus;
let receiver: Receiver;
let dataDir: string;
let from: string;
let to: string;
const EVENTS = 20;

const count = (path: string) => receiver.requests.filter((request) => request.path === path).length;

beforeAll(async () => {
  receiver = await Receiver.start();
  dataDir = await mkdtemp(join(tmpdir(), 'switchyard-cli-replay-jobs-'));
  const subscriptionsFile = join(dataDir, 'subscriptions.json');
  await writeFile(
    subscriptionsFile,
    JSON.stringify({
      subscriptions: [
        { id: 'orders', types: ['com.example.orders.>'], target: { webhook: { url: receiver.url('/orders'), secret: SECRET } } },
        { id: 'audit', target: { webhook: { url: receiver.url('/audit'), secret: SECRET } } },
      ],
    }),
  );
  bus = await startLocalBus({ port: 0, dataDir, subscriptionsFile });
  from = new Date(Date.now() - 1_000).toISOString();
  const events = Array.from({ length: EVENTS }, (_, n) => makeEvent({ partitionkey: `order-${n}`, data: { n } }));
  const response = await fetch(`${bus.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify(events),
  });
  expect(response.status).toBe(202);
  await eventually(async () => (count('/audit') === EVENTS ? true : undefined), 30_000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  to = new Date().toISOString();
});
afterAll(async () => {
  await bus?.stop();
  await receiver?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(['replay', ...args, '--data-dir', dataDir]);
interface ShownJob {
  jobId: string;
  subscriptionId: string;
  state: string;
  rate: number;
  from: string;
  to: string;
  counts: { matched: number; delivered: number; failed: number };
  startedAt: number;
  updatedAt: number;
}
const jobsOf = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as ShownJob);

describe('switchyard replay list | cancel', () => {
  test('a slow replay is listed as running, cancelled from another process, then listed as cancelled', async () => {
    const empty = await cli('list');
    expect(empty).toMatchObject({ code: 0, stdout: 'no replays\n', stderr: '' });

    // A finished one first, so the list has two, newest first.
    const finished = await cli('--subscription', 'orders', '--from', from, '--to', to, '--rate', '1000', '--json');
    expect(finished.code).toBe(0);
    const doneId = (JSON.parse(finished.stdout) as ShownJob).jobId;

    const running = startCli(['replay', '--data-dir', dataDir, '--subscription', 'orders', '--from', from, '--to', to, '--rate', '1']);
    await eventually(async () => (/^replay \S+: 20 events/.test(running.stderr()) ? true : undefined), 30_000);
    const jobId = /^replay (\S+):/.exec(running.stderr())![1];

    const listed = await cli('list', '--json');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const jobs = jobsOf(listed.stdout);
    expect(jobs.map((job) => job.jobId)).toEqual([jobId, doneId]);
    expect(jobs[0]).toMatchObject({ subscriptionId: 'orders', state: 'running', rate: 1, from, to, startedAt: expect.any(Number), updatedAt: expect.any(Number) });
    expect(jobs[0]).not.toHaveProperty('cursor');
    expect(jobs[1]).toMatchObject({ state: 'done', counts: { matched: EVENTS, delivered: EVENTS, failed: 0 } });

    const table = await cli('list', '--state', 'running');
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+SUBSCRIPTION\s+WINDOW\s+RATE\s+STATE\s+MATCHED\s+DELIVERED\s+FAILED\s+STARTED\s+UPDATED$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${jobId}\\s+orders\\s+${escape(from)} → ${escape(to)}\\s+1/s\\s+running\\s+\\d+\\s+\\d+\\s+0\\s+\\S+Z\\s+\\S+Z$`));

    const cancelled = await cli('cancel', jobId);
    expect(cancelled).toMatchObject({ code: 0, stderr: '' });
    expect(cancelled.stdout).toMatch(new RegExp(`^replay ${jobId} cancelled: \\d+ delivered, 0 failed so far, of 20 matching events; its runner stops after the page in flight`));

    // The process that started it sees the cancel and ends as Ctrl-C would have it end.
    const ended = await running.exited;
    expect(ended.code).toBe(1);
    expect(ended.stdout).toMatch(new RegExp(`^replay ${jobId} cancelled: \\d+ delivered`));
    expect(ended.stderr).toMatch(new RegExp(`\\nswitchyard: replay ${jobId} cancelled: what it delivered stays delivered\\n$`));

    const after = await cli('list', '--state', 'cancelled', '--json');
    expect(after.code).toBe(0);
    expect(jobsOf(after.stdout)).toEqual([expect.objectContaining({ jobId, state: 'cancelled' })]);
    expect(jobsOf((await cli('list', '--subscription', 'audit', '--json')).stdout)).toEqual([]);
    expect(jobsOf((await cli('list', '--subscription', 'orders', '--json')).stdout).map((job) => job.jobId)).toEqual([jobId, doneId]);

    const again = await cli('cancel', jobId, '--json');
    expect(again).toMatchObject({ code: 1, stdout: '', stderr: `switchyard: replay ${jobId} is already cancelled, not running: nothing to cancel\n` });
    const doneAgain = await cli('cancel', doneId);
    expect(doneAgain).toMatchObject({ code: 1, stderr: `switchyard: replay ${doneId} is already done, not running: nothing to cancel\n` });
  }, 60_000);

  test('an unknown job id exits 1 saying where to look', async () => {
    const unknown = await cli('cancel', '20260101T000000Z-deadbeef');
    expect(unknown).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `switchyard: local bus at ${bus.url} has no replay "20260101T000000Z-deadbeef": switchyard replay list shows its replays\n`,
    });
  });

  test('usage mistakes exit 2; --help exits 0', async () => {
    const badState = await cli('list', '--state', 'paused');
    expect(badState).toMatchObject({ code: 2, stdout: '' });
    expect(badState.stderr).toContain('--state must be one of running, done, failed, cancelled, got "paused"');
    const noId = await cli('cancel');
    expect(noId.code).toBe(2);
    expect(noId.stderr).toContain("missing required argument 'job-id'");
    const help = await runCli(['replay', 'list', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: switchyard replay list [options]');
    const replayHelp = await runCli(['replay', '--help']);
    expect(replayHelp.code).toBe(0);
    expect(replayHelp.stdout).toMatch(/Commands:\n\s+list \[options\][\s\S]+cancel \[options\] <job-id>/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
