import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { runCli } from '../../helpers/cliProcess';
import { eventually, makeEvent } from '../../helpers/cloudEvents';

/**
 * `switchyard publish` and `switchyard get` as their own processes against an in-process local bus that asks for a
 * token. The spawned CLI inherits SWITCHYARD_TOKEN from this process (the local bus set it), as a producer's shell would.
 */
const TOKEN = 'cli-publish-token';
let bus: LocalBus;
let dir: string;
beforeAll(async () => {
  bus = await startLocalBus({ port: 0, token: TOKEN, shards: 2 });
  dir = await mkdtemp(join(tmpdir(), 'switchyard-publish-'));
});
afterAll(async () => {
  await bus.stop();
  await rm(dir, { recursive: true, force: true });
});

// Files by absolute path: the CLI runs from the repository (its shebang loads tsx from there).
const cli = (args: string[], options: { stdin?: string; env?: Record<string, string | undefined> } = {}) => runCli([...args, '--url', bus.url], options);

/** The stored event, once the router has stored it. */
const stored = (id: string, source: string) =>
  eventually(async () => {
    const response = await fetch(`${bus.url}/events/${encodeURIComponent(id)}?source=${encodeURIComponent(source)}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined;
  }, 30_000, 100);

const PUBLISHED = /^published (\S+) sequence (\d+) shard (shardId-\d+)$/;

describe('switchyard publish (one event) and get', () => {
  test('publishes an event built from options, prints its id, sequence and shard, and get prints the same event', async () => {
    const published = await cli(['publish', '--type', 'com.example.orders.created', '--source', '/shop', '--subject', 'order-1', '--data', '{"total":120,"items":["a","b"]}']);
    expect(published).toMatchObject({ code: 0, stderr: '' });
    const [, id] = PUBLISHED.exec(published.stdout.trim())!;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await stored(id, '/shop');

    const got = await cli(['get', id, '--source', '/shop']);
    expect(got.code).toBe(0);
    // Pretty: indented over several lines.
    expect(got.stdout.split('\n').length).toBeGreaterThan(5);
    expect(JSON.parse(got.stdout)).toEqual({
      specversion: '1.0',
      id,
      source: '/shop',
      type: 'com.example.orders.created',
      subject: 'order-1',
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      datacontenttype: 'application/json',
      data: { total: 120, items: ['a', 'b'] },
    });
    const compact = await cli(['get', id, '--source', '/shop', '--json']);
    expect(compact.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(compact.stdout)).toEqual(JSON.parse(got.stdout));
  });

  test('answers a re-published source and id as duplicate with the first position, in text and --json', async () => {
    const first = await cli(['publish', '--type', 't.dup', '--source', '/dup', '--id', 'dup-1', '--partition-key', 'k', '--json']);
    expect(first.code).toBe(0);
    const entry = JSON.parse(first.stdout);
    expect(entry).toEqual({ id: 'dup-1', source: '/dup', sequence: expect.stringMatching(/^\d+$/), shard: expect.stringMatching(/^shardId-/), duplicate: false });
    expect((await stored('dup-1', '/dup')).partitionkey).toBe('k');

    const again = await cli(['publish', '--type', 't.dup', '--source', '/dup', '--id', 'dup-1']);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout.trim()).toBe(`duplicate dup-1: the bus already holds it (sequence ${entry.sequence}, shard ${entry.shard}); not published again`);
  });

  test('takes --data from a file (@path) and from standard input (-)', async () => {
    await writeFile(join(dir, 'data.json'), '{"from":"file","n":[1,2,3]}\n');
    const fromFile = await cli(['publish', '--type', 't.data', '--source', '/data', '--id', 'from-file', '--data', `@${join(dir, 'data.json')}`]);
    const fromStdin = await cli(['publish', '--type', 't.data', '--source', '/data', '--id', 'from-stdin', '--data', '-'], { stdin: '{"from":"stdin"}' });
    expect([fromFile.code, fromStdin.code]).toEqual([0, 0]);
    expect((await stored('from-file', '/data')).data).toEqual({ from: 'file', n: [1, 2, 3] });
    expect((await stored('from-stdin', '/data')).data).toEqual({ from: 'stdin' });
  });

  test('refuses usage mistakes with exit code 2 and says what to do, sending nothing', async () => {
    const noType = await cli(['publish', '--source', '/shop']);
    expect(noType).toMatchObject({ code: 2, stdout: '' });
    expect(noType.stderr).toContain('switchyard: publish needs --type (or --file events.ndjson); see switchyard publish --help');
    const badData = await cli(['publish', '--type', 't', '--source', '/s', '--data', '{total: 1}']);
    expect(badData.code).toBe(2);
    expect(badData.stderr).toMatch(/^switchyard: --data is not JSON \(.+\): give JSON such as '\{"total":12\}' or '"text"', @file, or - for standard input$/m);
    const both = await cli(['publish', '--file', 'x.ndjson', '--type', 't']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('switchyard: --file publishes the events of a file: drop --type');
    const unknown = await cli(['publish', '--colour', 'red']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown option '--colour'");
    expect(unknown.stderr).toContain('(switchyard publish --help shows the usage)');
  });

  test('fails with exit code 1: no bus at the URL (start one), a wrong token (pass --token), an unknown event (get)', async () => {
    const port = await closedPort();
    const noBus = await runCli(['publish', '--type', 't', '--source', '/s', '--url', `http://127.0.0.1:${port}`]);
    expect(noBus).toMatchObject({ code: 1, stdout: '' });
    expect(noBus.stderr.trim()).toBe(`switchyard: no bus at http://127.0.0.1:${port}: start one with \`npm start\`, or pass --url / --stage`);

    const wrongToken = await cli(['publish', '--type', 't', '--source', '/s'], { env: { SWITCHYARD_TOKEN: 'wrong' } });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr.trim()).toBe(`switchyard: ${bus.url} answered 401 unauthorized: invalid bearer token — pass --token or set SWITCHYARD_TOKEN`);
    // --token wins over the environment.
    expect((await cli(['publish', '--type', 't', '--source', '/s', '--token', TOKEN], { env: { SWITCHYARD_TOKEN: 'wrong' } })).code).toBe(0);

    const missing = await cli(['get', 'no-such-id', '--source', '/nowhere']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr.trim()).toBe(`switchyard: ${bus.url} answered 404 not_found: no event with source "/nowhere" and id "no-such-id"`);
  });

  test('reports the bus\'s refusal with its message and each field', async () => {
    const refused = await cli(['publish', '--type', 't', '--source', '/s', '--id', ' ', '--subject', '']);
    expect(refused.code).toBe(1);
    const [head, ...details] = refused.stderr.trim().split('\n');
    expect(head).toMatch(new RegExp(`^switchyard: ${bus.url.replace(/[.]/g, '\\.')} answered 400 invalid_event: `));
    expect(details.length).toBeGreaterThan(0);
    for (const line of details) expect(line).toMatch(/^ {2}(id|subject): \S/);
  });
});

describe('switchyard publish --file', () => {
  const lineOf = (event: object) => JSON.stringify(event);

  test('sends 1,200 lines in batches of 500, refuses the batch holding a bad line (naming it), and a re-send answers duplicates', async () => {
    const events = Array.from({ length: 1_200 }, (_, i) => makeEvent({ source: '/bulk', id: `bulk-${i + 1}`, partitionkey: `key-${i % 7}` }));
    const lines = events.map(lineOf);
    const bad = { ...events[599] } as Record<string, unknown>;
    delete bad.source;
    lines[599] = lineOf(bad); // line 600, in the second batch (lines 501–1000)
    await writeFile(join(dir, 'events.ndjson'), `${lines.join('\n')}\n`);

    const run = await cli(['publish', '--file', join(dir, 'events.ndjson')]);
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).toBe('accepted 700, duplicate 0, refused 500');
    const errors = run.stderr.trim().split('\n');
    expect(errors[0]).toMatch(/^line 600: source: /);
    expect(errors.at(-1)).toBe(
      'switchyard: 500 event(s) refused (their batches were not published): fix the lines named above and publish the file again — what was accepted is answered as duplicate',
    );
    // Three batches: lines 1–500 and 1001–1200 were published, the batch of lines 501–1000 was not.
    await stored('bulk-1', '/bulk');
    await stored('bulk-500', '/bulk');
    await stored('bulk-1200', '/bulk');
    const notPublished = await fetch(`${bus.url}/events/bulk-501?source=%2Fbulk`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(notPublished.status).toBe(404);

    lines[599] = lineOf(events[599]);
    await writeFile(join(dir, 'events.ndjson'), `${lines.join('\n')}\n`);
    const again = await cli(['publish', '--file', join(dir, 'events.ndjson'), '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ accepted: 500, duplicate: 700, refused: 0, errors: [] });
    // Piped stderr: no progress bar, nothing at all.
    expect(again.stderr).toBe('');
    expect((await stored('bulk-600', '/bulk')).partitionkey).toBe('key-4');
  });

  test('reads standard input (-), skips blank lines, and refuses a line that is not JSON without sending its batch', async () => {
    const good = [makeEvent({ source: '/stdin', id: 'stdin-1' }), makeEvent({ source: '/stdin', id: 'stdin-2' })];
    const ok = await cli(['publish', '--file', '-'], { stdin: `${lineOf(good[0])}\n\n${lineOf(good[1])}\n` });
    expect(ok).toMatchObject({ code: 0, stdout: 'accepted 2, duplicate 0, refused 0\n', stderr: '' });

    const broken = await cli(['publish', '--file', '-', '--json'], { stdin: `${lineOf(makeEvent({ source: '/stdin', id: 'stdin-3' }))}\n{"id": \n` });
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout)).toEqual({
      accepted: 0,
      duplicate: 0,
      refused: 2,
      errors: [{ line: 2, field: 'line', message: 'is not JSON (one CloudEvent per line)' }],
    });
    await stored('stdin-2', '/stdin');
    expect((await fetch(`${bus.url}/events/stdin-3?source=%2Fstdin`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });
});

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
