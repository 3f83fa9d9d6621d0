import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBusProcess } from '../../helpers/busProcess';
import { eventually, makeEvent } from '../../helpers/cloudEvents';

/**
 * DESIGN.md: "An event acknowledged with 202 is never lost, even if the process is killed with SIGKILL and
 * restarted on the same data dir." Producers post concurrently; the bus is killed while requests are still
 * in flight and before the archive has caught up; after a restart every acknowledged event is served.
 */
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchyard-durability-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

it('serves every 202-acknowledged event after SIGKILL and a restart on the same data dir', async () => {
  const first = await startBusProcess({ SWITCHYARD_DATA_DIR: dataDir });
  const acknowledged: { id: string; source: string; sequence: string }[] = [];
  let killed = false;

  const batches = Array.from({ length: 30 }, (_, b) => Array.from({ length: 20 }, (_, i) => makeEvent({ partitionkey: `k${(b + i) % 7}` })));
  const posts = batches.map(async (events) => {
    try {
      const response = await fetch(`${first.url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents-batch+json' },
        body: JSON.stringify(events),
      });
      if (response.status !== 202) return;
      const body = (await response.json()) as { accepted: { id: string; source: string; sequence: string }[] };
      if (!killed) acknowledged.push(...body.accepted);
    } catch {
      // The connection died with the process: not acknowledged, so no promise was made.
    }
  });
  // Kill as soon as a third of the requests are acknowledged, with the rest in flight.
  await eventually(async () => (acknowledged.length >= 200 ? true : undefined), 30_000, 1);
  first.child.kill('SIGKILL');
  killed = true;
  expect((await first.exited).signal).toBe('SIGKILL');
  await Promise.all(posts);
  expect(acknowledged.length).toBeGreaterThanOrEqual(200);

  const second = await startBusProcess({ SWITCHYARD_DATA_DIR: dataDir });
  try {
    for (const { id, source, sequence } of acknowledged) {
      const stored = await eventually(async () => {
        const response = await fetch(`${second.url}/events/${encodeURIComponent(id)}?source=${encodeURIComponent(source)}`);
        return response.status === 200 ? response : undefined;
      }, 30_000);
      expect(stored.headers.get('switchyard-sequence')).toBe(sequence);
      expect(((await stored.json()) as { id: string }).id).toBe(id);
    }
  } finally {
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }
}, 180_000);
