import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { runCli } from '../../helpers/cliProcess';
import { eventually, makeEvent } from '../../helpers/cloudEvents';

/**
 * `switchyard types` as its own process: the catalog of types the local bus has stored, over GET /types. The
 * bus caches catalog reads for 30 s, so the catalog is read once everything is stored.
 */
let bus: LocalBus;
beforeAll(async () => {
  bus = await startLocalBus({ port: 0, shards: 1 });
});
afterAll(() => bus.stop());

describe('switchyard types', () => {
  test('lists each stored type once, one per line, or as a JSON array', async () => {
    const types = ['com.example.orders.created', 'com.example.orders.paid', 'com.example.users.created'];
    const events = [...types, types[0], types[0]].map((type) => makeEvent({ type }));
    const response = await fetch(`${bus.url}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json' }, body: JSON.stringify(events) });
    expect(response.status).toBe(202);
    // One shard, so the last event stored means every one is.
    const last = events.at(-1)!;
    await eventually(async () => ((await fetch(`${bus.url}/events/${last.id}?source=${encodeURIComponent(last.source)}`)).status === 200 ? true : undefined));

    const listed = await runCli(['types', '--url', bus.url]);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout.split('\n').filter(Boolean)).toEqual(types);

    const json = await runCli(['types', '--url', bus.url, '--json']);
    expect(json.code).toBe(0);
    expect(json.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(json.stdout)).toEqual(types);
  });
});
