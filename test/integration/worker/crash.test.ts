import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '../../helpers/cloudEvents';
import { startWorkerHarness, type WorkerHarness } from './support/harness';

const KEYS = 10;
const PER_KEY = 30;
const SHARDS = 2;

describe('ShardWorker killed with SIGKILL mid-batch and restarted', () => {
  let bus: WorkerHarness;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    bus = await startWorkerHarness({ shards: SHARDS });
    await bus.createTable('counters');
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await bus.close();
  });

  /** Starts a worker process; `handled()` counts the events it finished. */
  let duplicates = 0;
  function startChild(): { child: ChildProcess; handled: () => number; exited: Promise<number | null> } {
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'support', 'counterWorker.ts')], {
      env: { ...bus.env, WORKER_TABLE_NAME: bus.workerTable, COUNTER_TABLE: 'counters', CONSUMER: 'projection', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let handled = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      handled += (chunk.toString().match(/^handled /gm) ?? []).length;
      duplicates += (chunk.toString().match(/^duplicate$/gm) ?? []).length;
    });
    child.stderr!.resume();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, handled: () => handled, exited };
  }

  it('applies every event exactly once, in order per key', async () => {
    const specs = [];
    for (let n = 0; n < PER_KEY; n++) for (let k = 0; k < KEYS; k++) specs.push({ key: `key-${k}`, event: { data: { n } } });
    const published = await bus.publish(specs);

    let kills = 0;
    for (const killAfter of [40, 60]) {
      const run = startChild();
      await eventually(async () => (run.handled() >= killAfter ? true : undefined), 40_000, 5);
      run.child.kill('SIGKILL');
      await run.exited;
      kills += 1;
    }
    const last = startChild();
    await eventually(async () => {
      const items = await bus.scan('counters');
      return items.filter((item) => String(item.pk).startsWith('event#')).length === published.length ? items : undefined;
    }, 60_000, 250);
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0); // graceful stop: finished, checkpointed, released

    const items = new Map((await bus.scan('counters')).map((item) => [String(item.pk), item]));
    for (const { event } of published) {
      expect(items.get(`event#${event.id}`)?.applied).toBe(1);
      expect(items.get(`runs#${event.id}`)?.runs).toBeGreaterThanOrEqual(1);
    }
    for (let k = 0; k < KEYS; k++) expect(items.get(`key#key-${k}`)?.n).toBe(PER_KEY - 1);
    // A kill interrupts at most the event in flight on each shard: only those run twice. Without the
    // idempotency records, every event since the last batch checkpoint would.
    const runs = published.reduce((sum, { event }) => sum + Number(items.get(`runs#${event.id}`)?.runs), 0);
    expect(runs - published.length).toBeLessThanOrEqual(kills * SHARDS);
    // ...and those were re-read: the restarts resumed from checkpoints behind completed events.
    expect(duplicates).toBeGreaterThan(0);
  });
});
