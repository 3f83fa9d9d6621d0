import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { makeEvent } from '../../helpers/cloudEvents';
import { runCli } from '../../helpers/cliProcess';

/**
 * `switchyard producers add|list|revoke` as spawned processes against a local bus's data dir: the token printed
 * once works on the bus (which re-reads the producers file), list shows rights but never a token or hash, and a
 * revoked token is refused.
 */
let dir: string;
let bus: LocalBus;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-producers-cli-'));
  bus = await startLocalBus({ port: 0, shards: 1, producersFile: join(dir, 'producers.json') });
});
afterAll(async () => {
  await bus?.stop();
  await rm(dir, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(['producers', ...args, '--data-dir', dir]);

async function publish(token: string | undefined, event = makeEvent({ source: '/shop/web', type: 'order.created' })) {
  const response = await fetch(`${bus.url}/events`, {
    method: 'POST',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(event),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('switchyard producers', () => {
  it('adds a producer whose token, printed once, publishes its sources and types only; list shows rights, never secrets; revoke ends it', async () => {
    // No producers file yet: the local bus is open.
    expect((await publish(undefined)).status).toBe(202);

    const added = await cli(['add', 'shop', '--sources', '/shop,/web', '--types', 'order.>,cart.*']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const lines = added.stdout.trim().split('\n');
    expect(lines[0]).toBe(`producer shop added to ${join(dir, 'producers.json')}`);
    const token = /^token: (sy_[A-Za-z0-9_-]{43})$/.exec(lines[1])?.[1];
    expect(token).toBeDefined();
    expect(lines[2]).toBe('keep it now: only its hash is stored, so it cannot be shown again');

    const file = await readFile(join(dir, 'producers.json'), 'utf8');
    expect(file).not.toContain(token);
    expect(JSON.parse(file).producers.shop).toEqual({ tokenHashes: [expect.stringMatching(/^sha256:[0-9a-f]{64}$/)], sources: ['/shop', '/web'], types: ['order.>', 'cart.*'] });
    expect((await stat(join(dir, 'producers.json'))).mode & 0o077).toBe(0);

    // Now rights apply: no token is a 401, the token publishes what it may, and nothing else.
    expect((await publish(undefined)).status).toBe(401);
    expect((await publish(token)).status).toBe(202);
    const forbidden = await publish(token, makeEvent({ source: '/shop', type: 'user.created' }));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.details).toEqual([{ index: 0, field: 'type', message: 'shop may not publish type "user.created" (its types: order.>, cart.*)' }]);

    const reader = await cli(['add', 'analytics', '--reader', '--types', 'order.>', '--json']);
    expect(reader.code).toBe(0);
    expect(JSON.parse(reader.stdout)).toEqual({ name: 'analytics', kind: 'reader', token: expect.stringMatching(/^sy_/), rights: { types: ['order.>'] } });

    const listed = await cli(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\n')).toEqual([
      'NAME       KIND      SOURCES     TYPES           IAM PRINCIPALS  TOKENS',
      'analytics  reader    -           order.>         -               1',
      'shop       producer  /shop,/web  order.>,cart.*  -               1',
    ]);
    expect(listed.stdout).not.toContain('sha256');
    expect(listed.stdout).not.toContain(token);
    const json = await cli(['list', '--json']);
    expect(json.stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      { name: 'analytics', kind: 'reader', types: ['order.>'], tokens: 1 },
      { name: 'shop', kind: 'producer', sources: ['/shop', '/web'], types: ['order.>', 'cart.*'], tokens: 1 },
    ]);

    const revoked = await cli(['revoke', 'shop']);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout.trim()).toBe(`shop revoked in ${join(dir, 'producers.json')}`);
    const after = await publish(token);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toBe('invalid bearer token');
  });

  it('says what to do next on a mistake: a name in use, an unknown name, a bad pattern, a producer without sources', async () => {
    await cli(['add', 'dup', '--sources', '*', '--types', '>']);
    const again = await cli(['add', 'dup', '--sources', '*', '--types', '>']);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe('switchyard: dup exists already: revoke it first (switchyard producers revoke dup)');

    const unknown = await cli(['revoke', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(`switchyard: no producer or reader named nobody in ${join(dir, 'producers.json')}: see switchyard producers list`);

    const badPattern = await cli(['add', 'x', '--sources', '/x', '--types', 'a..b']);
    expect(badPattern.code).toBe(2);
    expect(badPattern.stderr).toContain(`"a..b" has an empty token at position 1`);

    const noSources = await cli(['add', 'x', '--types', 'a.>']);
    expect(noSources.code).toBe(2);
    expect(noSources.stderr.trim()).toBe('switchyard: a producer needs --sources (the source prefixes it may publish, "*" for any), or pass --reader');
  });
});
