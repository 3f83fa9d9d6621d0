import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routerCheckpoints } from '../../../local/LocalBus';
import { FileCheckpointStore } from '../../../local/poller/CheckpointStore';

/** A data dir from before the router had `checkpoints/archive` and `checkpoints/engine`; the router takes over from them. */
describe('the router poller positions on a data dir from before the router', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-checkpoints-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const old = (name: string) => new FileCheckpointStore(join(dir, 'checkpoints', name));

  it('starts each shard from the older of the archive and engine positions (compared as numbers)', async () => {
    await old('archive').set('shardId-000000000000', '49650000000000000000000000000000000000000000000000000900');
    await old('engine').set('shardId-000000000000', '49650000000000000000000000000000000000000000000000001000');
    await old('archive').set('shardId-000000000001', '49650000000000000000000000000000000000000000000000009999');
    await old('engine').set('shardId-000000000001', '4965000000000000000000000000000000000000000000000000999');
    const router = routerCheckpoints(dir, 'router');
    expect(await router.get('shardId-000000000000')).toBe('49650000000000000000000000000000000000000000000000000900');
    expect(await router.get('shardId-000000000001')).toBe('4965000000000000000000000000000000000000000000000000999');
  });

  it('starts from the beginning where only one of them had a position, and from its own once it has one', async () => {
    await old('archive').set('shardId-000000000000', '100');
    const router = routerCheckpoints(dir, 'router');
    expect(await router.get('shardId-000000000000')).toBeUndefined();
    await router.set('shardId-000000000000', '50');
    await old('engine').set('shardId-000000000000', '10');
    // Its own position wins, and is kept in checkpoints/router.
    expect(await routerCheckpoints(dir, 'router').get('shardId-000000000000')).toBe('50');
    expect(await old('router').get('shardId-000000000000')).toBe('50');
  });
});
