import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import type { CloudEventJson } from '../../../src/events/types';
import { runCli, startCli, type RunningCli } from '../../helpers/cliProcess';
import { eventually, makeEvent } from '../../helpers/cloudEvents';

/**
 * `switchyard tail` as its own process, reading the local bus's Kinesis stream directly (found through the bus's
 * data dir), while events are published over HTTP; stopped with SIGINT as Ctrl-C would.
 */
let bus: LocalBus;
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchyard-tail-'));
  bus = await startLocalBus({ port: 0, dataDir, shards: 2 });
});
afterAll(async () => {
  await bus.stop();
  await rm(dataDir, { recursive: true, force: true });
});

interface Accepted {
  id: string;
  sequence: string;
  shard: string;
}

async function publish(events: CloudEventJson[]): Promise<Accepted[]> {
  const response = await fetch(`${bus.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json' },
    body: JSON.stringify(events),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { accepted: Accepted[] }).accepted;
}

/** Starts `tail` and waits for its line saying it reads every shard. */
async function startTail(...args: string[]): Promise<RunningCli> {
  const tail = startCli(['tail', '--data-dir', dataDir, ...args]);
  await eventually(async () => (/Ctrl-C stops\.$/m.test(tail.stderr()) ? true : tail.child.exitCode !== null ? fail(tail) : undefined), 30_000);
  return tail;
}

function fail(tail: RunningCli): never {
  throw new Error(`tail exited early: ${tail.stderr()}`);
}

const linesOf = (text: string) => text.split('\n').filter((line) => line !== '');

describe('switchyard tail', () => {
  test('prints each event published after it started, in stream order, one line each, and stops on SIGINT with exit code 0', async () => {
    const tail = await startTail();
    expect(tail.stderr()).toMatch(/^tailing stream switchyard-events on the local bus at http:\/\/127\.0\.0\.1:\d+ from latest: 2 shard\(s\)\. Ctrl-C stops\.$/m);
    // One key, so one shard: the stream order is the publishing order.
    const events = Array.from({ length: 6 }, (_, i) =>
      makeEvent({ type: i % 2 === 0 ? 'com.example.orders.created' : 'com.example.users.created', partitionkey: 'order-1', ...(i === 0 ? { subject: 'first' } : {}) }),
    );
    await publish(events.slice(0, 3));
    await publish(events.slice(3));
    await eventually(async () => (linesOf(tail.stdout()).length >= 6 ? true : undefined), 20_000);
    const result = await tail.interrupt();
    expect(result.code).toBe(0);
    const lines = linesOf(result.stdout);
    expect(lines).toHaveLength(6);
    lines.forEach((line, i) => {
      const { type, source, id, subject } = events[i];
      expect(line).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z ${type} ${source} ${id}${subject ? ` ${subject}` : ''}$`));
    });
    expect(result.stderr).toMatch(/^SIGINT: stopped after 6 event\(s\)$/m);
  });

  test('--types keeps the matching types only, and --json prints each whole event', async () => {
    const tail = await startTail('--types', 'com.example.orders.>', '--json');
    const events = [
      makeEvent({ type: 'com.example.orders.created', partitionkey: 'a' }),
      makeEvent({ type: 'com.example.users.created', partitionkey: 'b' }),
      makeEvent({ type: 'com.example.orders.paid.late', partitionkey: 'c' }),
      makeEvent({ type: 'com.example.order', partitionkey: 'd' }),
    ];
    await publish(events);
    await eventually(async () => (linesOf(tail.stdout()).length >= 2 ? true : undefined), 20_000);
    // A few more reads of every shard, in which an unmatched event would show up.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const result = await tail.interrupt();
    expect(result.code).toBe(0);
    const printed = linesOf(result.stdout).map((line) => JSON.parse(line) as CloudEventJson);
    expect(printed.sort((a, b) => a.id.localeCompare(b.id))).toEqual([events[0], events[2]].sort((a, b) => a.id.localeCompare(b.id)));
  });

  test('--from a sequence starts its shard at that record (the other shards at its arrival time); --from a time too', async () => {
    const before = new Date(Date.now() - 1).toISOString();
    const events = Array.from({ length: 4 }, () => makeEvent({ partitionkey: 'replayed' }));
    const accepted = await publish(events);
    const tail = await startTail('--from', accepted[1].sequence);
    await eventually(async () => (linesOf(tail.stdout()).length >= 3 ? true : undefined), 20_000);
    const result = await tail.interrupt();
    expect(result.code).toBe(0);
    expect(linesOf(result.stdout).map((line) => line.split(' ')[3])).toEqual(events.slice(1).map((event) => event.id));

    const fromTime = await startTail('--from', before, '--json');
    await eventually(async () => (linesOf(fromTime.stdout()).length >= 4 ? true : undefined), 20_000);
    const timed = await fromTime.interrupt();
    expect(linesOf(timed.stdout).map((line) => (JSON.parse(line) as CloudEventJson).id)).toEqual(events.map((event) => event.id));
  });

  test('refuses a bad --types or --from with exit code 2, and fails with exit code 1 when no local bus runs on the data dir', async () => {
    const badPattern = await runCli(['tail', '--types', 'com..x', '--data-dir', dataDir]);
    expect(badPattern.code).toBe(2);
    expect(badPattern.stderr).toContain('--types has an empty token at position 1 ("com..x")');
    const badFrom = await runCli(['tail', '--from', 'yesterday', '--data-dir', dataDir]);
    expect(badFrom.code).toBe(2);
    expect(badFrom.stderr).toContain('start position must be trim-horizon, latest, an ISO 8601 time or a sequence number, got "yesterday"');
    const noBus = await runCli(['tail', '--data-dir', join(dataDir, 'nothing-here')]);
    expect(noBus.code).toBe(1);
    expect(noBus.stderr).toMatch(/^switchyard: no local bus is running on .*nothing-here .*: start one with `npm start`, or pass --data-dir \/ --stage$/m);
  });
});
