import { ReplayJobs } from '../../../src/replay/ReplayJobs';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';

/** Replay jobs in a real delivery table (dynalite): the lease that keeps two runners off one job, checkpoints, cancel. */
let emulators: TestEmulators;
let now = 1_800_000_000_000;
let jobs: ReplayJobs;

beforeAll(async () => {
  emulators = await startTestEmulators({ shards: 1 });
  jobs = new ReplayJobs({ documents: emulators.clients.documents, tableName: emulators.names.deliveryTable, clock: () => now });
});
afterAll(async () => {
  await emulators.close();
});

const request = { subscriptionId: 'billing', from: '2026-12-06T00:00:00.000Z', to: '2026-12-06T01:00:00.000Z', rate: 50, types: ['com.example.>'] };
const counts = (delivered: number) => ({ scanned: delivered, matched: delivered, delivered, failed: 0 });

describe('ReplayJobs', () => {
  test('a new job is running, readable by id, and claimable', async () => {
    const job = await jobs.create({ ...request, expected: 12 });
    expect(job).toMatchObject({ ...request, expected: 12, state: 'running', counts: counts(0), startedAt: now, updatedAt: now });
    expect(job.jobId).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(await jobs.get(job.jobId)).toEqual(job);
    expect((await jobs.claimable(now)).map((j) => j.jobId)).toContain(job.jobId);
    expect(await jobs.get('no-such-job')).toBeUndefined();
  });

  test('one runner holds a job until its lease runs out or it lets go; checkpoints are fenced by the lease', async () => {
    const job = await jobs.create(request);
    expect(await jobs.claim(job.jobId, 'runner-a', 60_000)).toBe(true);
    expect(await jobs.claim(job.jobId, 'runner-b', 60_000)).toBe(false);
    expect((await jobs.claimable(now)).map((j) => j.jobId)).not.toContain(job.jobId);
    expect(await jobs.checkpoint(job.jobId, 'runner-a', { cursor: 'page-2', counts: counts(100) }, 60_000)).toBe(true);
    expect(await jobs.checkpoint(job.jobId, 'runner-b', { cursor: 'page-9', counts: counts(900) }, 60_000)).toBe(false);
    expect(await jobs.get(job.jobId)).toMatchObject({ cursor: 'page-2', counts: counts(100), state: 'running' });

    // runner-a dies: after its lease, runner-b takes the job from its last checkpoint, and runner-a is fenced off.
    now += 60_001;
    expect((await jobs.claimable(now)).map((j) => j.jobId)).toContain(job.jobId);
    expect(await jobs.claim(job.jobId, 'runner-b', 60_000)).toBe(true);
    expect(await jobs.get(job.jobId)).toMatchObject({ cursor: 'page-2', counts: counts(100) });
    expect(await jobs.checkpoint(job.jobId, 'runner-a', { cursor: 'page-3', counts: counts(200) }, 60_000)).toBe(false);
    expect(await jobs.finish(job.jobId, 'runner-a', { state: 'done', counts: counts(200) })).toBe(false);

    // Let go of (time up): claimable at once by anyone.
    await jobs.release(job.jobId, 'runner-b');
    expect(await jobs.claim(job.jobId, 'runner-c', 60_000)).toBe(true);
    expect(await jobs.finish(job.jobId, 'runner-c', { state: 'done', counts: counts(300) })).toBe(true);
    expect(await jobs.get(job.jobId)).toMatchObject({ state: 'done', counts: counts(300) });
    expect(await jobs.claim(job.jobId, 'runner-c', 60_000)).toBe(false);
    expect((await jobs.claimable(now)).map((j) => j.jobId)).not.toContain(job.jobId);
  });

  test('a cancelled job refuses its runner’s next checkpoint, and cannot be cancelled twice', async () => {
    const job = await jobs.create(request);
    expect(await jobs.claim(job.jobId, 'runner-a', 60_000)).toBe(true);
    expect(await jobs.cancel(job.jobId)).toBe(true);
    expect(await jobs.checkpoint(job.jobId, 'runner-a', { cursor: 'page-2', counts: counts(100) }, 60_000)).toBe(false);
    expect(await jobs.get(job.jobId)).toMatchObject({ state: 'cancelled', counts: counts(0) });
    expect(await jobs.cancel(job.jobId)).toBe(false);
    expect(await jobs.cancel('no-such-job')).toBe(false);
  });

  test('a failed job keeps its reason', async () => {
    const job = await jobs.create(request);
    await jobs.claim(job.jobId, 'runner-a', 60_000);
    expect(await jobs.finish(job.jobId, 'runner-a', { state: 'failed', counts: counts(5), error: 'the target answered 410 Gone' })).toBe(true);
    expect(await jobs.get(job.jobId)).toMatchObject({ state: 'failed', error: 'the target answered 410 Gone', counts: counts(5) });
  });
});
