import { ConsumerRegistry } from '../../../src/worker/ConsumerRegistry';
import { runCli } from '../../helpers/cliProcess';
import { useLocalBus } from './support/localBus';

// `switchyard consumers` as its own process against emulators in this process (the data dir's endpoints.json).
const local = useLocalBus(1, () => ({}));

describe('switchyard consumers', () => {
  test('lists the registered worker consumers and removes one, freeing its slot; an unknown one is a failure saying what to do', async () => {
    const registry = new ConsumerRegistry({ documents: local.bus.clients.documents, tableName: local.workerTable, maxConsumers: 2 });
    expect((await runCli(['consumers', 'list', '--data-dir', local.dataDir])).stdout.trim()).toBe('no worker consumers registered');
    await registry.register('billing', 'host-a:1');
    await registry.register('search-index', 'host-b:2');

    const listed = await runCli(['consumers', 'list', '--data-dir', local.dataDir]);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^CONSUMER\s+REGISTERED AT\s+BY$/);
    expect(lines.slice(1).map((line) => [line.split(/\s{2,}/)[0], line.split(/\s{2,}/)[2]])).toEqual([
      ['billing', 'host-a:1'],
      ['search-index', 'host-b:2'],
    ]);
    const json = await runCli(['consumers', 'list', '--json', '--data-dir', local.dataDir]);
    expect(json.stdout.trim().split('\n').map((line) => JSON.parse(line).consumer)).toEqual(['billing', 'search-index']);

    const removed = await runCli(['consumers', 'remove', 'search-index', '--data-dir', local.dataDir]);
    expect(removed).toMatchObject({ code: 0, stdout: 'consumer "search-index" removed; its slot is free\n' });
    await expect(registry.register('analytics', 'host-c:3')).resolves.toBeUndefined();

    const unknown = await runCli(['consumers', 'remove', 'search-index', '--data-dir', local.dataDir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('switchyard: consumer "search-index" is not registered: see switchyard consumers list');
  });
});
