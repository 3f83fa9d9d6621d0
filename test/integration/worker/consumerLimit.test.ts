import { ConsumerLimitError, ConsumerRegistry, type ShardWorker } from '../../../src/worker';
import { queryPartition } from '../../../src/worker/workerTable';
import { startWorkerHarness, type WorkerHarness } from './support/harness';

/**
 * The stage's limit of worker consumers (`maxWorkerConsumers`, Chef Automate's `listener_limit`): a registry of
 * numbered slots in one partition of the worker table (dynalite), read by Query, never a scan.
 */
describe('worker consumer limit (ConsumerRegistry, ShardWorker; kinesalite + dynalite)', () => {
  let bus: WorkerHarness;
  const workers: ShardWorker[] = [];
  beforeAll(async () => {
    bus = await startWorkerHarness({ shards: 1 });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    const registry = new ConsumerRegistry({ documents: bus.clients.documents, tableName: bus.workerTable });
    for (const { consumer } of await registry.list()) await registry.unregister(consumer);
  });
  afterAll(() => bus.close());

  const registry = (maxConsumers: number) => new ConsumerRegistry({ documents: bus.clients.documents, tableName: bus.workerTable, maxConsumers });
  const leasesOf = async (consumer: string) => {
    let count = 0;
    for await (const page of queryPartition(bus.clients.documents, bus.workerTable, JSON.stringify(['lease', consumer]), 'COUNT')) count += page.Count ?? 0;
    return count;
  };

  it('admits exactly maxConsumers of many new consumers starting at once, and one slot for two workers of one new consumer', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    // Each registration is its own process's registry (no shared memory), all racing for 3 slots.
    const outcomes = await Promise.allSettled([...names, 'a', 'a'].map((name, i) => registry(3).register(name, `worker-${i}`)));
    const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    for (const { reason } of refused) expect(reason).toBeInstanceOf(ConsumerLimitError);
    const registered = await registry(3).list();
    expect(registered).toHaveLength(3);
    expect(new Set(registered.map((entry) => entry.consumer)).size).toBe(3);
    expect(registered.map((entry) => entry.slot).sort()).toEqual(['slot#0000', 'slot#0001', 'slot#0002']);
    // Every refused registration was of a consumer that did not get in.
    const admitted = new Set(registered.map((entry) => entry.consumer));
    expect(refused.map(({ reason }) => admitted.has((reason as ConsumerLimitError).consumer))).not.toContain(true);
  });

  it('refuses a new ShardWorker consumer beyond the limit before it takes a lease, with a clear error; known consumers and freed slots pass', async () => {
    const handler = async () => undefined;
    const first = bus.worker({ consumer: 'billing', handler, maxConsumers: 2 });
    workers.push(first);
    await first.start();
    const second = bus.worker({ consumer: 'search-index', handler, maxConsumers: 2 });
    workers.push(second);
    await second.start();

    const third = bus.worker({ consumer: 'analytics', handler, maxConsumers: 2 });
    const refusal = await third.start().then(() => undefined, (error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConsumerLimitError);
    expect((refusal as Error).message).toBe(
      'consumer "analytics" refused: the stage allows at most 2 worker consumers (maxWorkerConsumers), and 2 are registered ("billing", "search-index"); reuse one of their names, remove one that is gone (switchyard consumers remove <name>), or raise maxWorkerConsumers',
    );
    expect(await leasesOf('analytics')).toBe(0);
    expect(await leasesOf('billing')).toBe(1);

    // Another worker of a registered consumer is no new consumer.
    const secondBilling = bus.worker({ consumer: 'billing', handler, maxConsumers: 2 });
    workers.push(secondBilling);
    await expect(secondBilling.start()).resolves.toBeUndefined();

    // Once a consumer is unregistered its slot is free for the new one.
    await second.stop();
    expect(await registry(2).unregister('search-index')).toBe(true);
    const retried = bus.worker({ consumer: 'analytics', handler, maxConsumers: 2 });
    workers.push(retried);
    await expect(retried.start()).resolves.toBeUndefined();
    expect((await registry(2).list()).map((entry) => entry.consumer).sort()).toEqual(['analytics', 'billing']);
  });
});
