import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../helpers/cliProcess';

// `switchyard subscriptions test` as its own process: which subscriptions match, the first failing clause of
// each that does not, and the exit codes.
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const webhook = { webhook: { url: 'https://hooks.example.com/in', secret: SECRET } };
const subscriptions = {
  subscriptions: [
    { id: 'orders', types: ['com.example.orders.*'], target: webhook },
    { id: 'invoices', types: ['com.example.invoices.>', 'com.example.billing.*'], target: webhook },
    { id: 'big-orders', types: ['com.example.orders.*'], filter: { source: [{ prefix: '/shop' }], data: { total: [{ numeric: ['>', 500] }] } }, target: webhook },
    { id: 'eu', filter: { data: { region: ['eu'] } }, target: webhook },
  ],
};
const event = { specversion: '1.0', id: 'evt-42', source: '/shop/web', type: 'com.example.orders.created', data: { total: 120, region: 'eu' } };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-subscriptions-test-'));
  await writeFile(join(dir, 'subscriptions.json'), JSON.stringify(subscriptions, null, 2));
  await writeFile(join(dir, 'event.json'), JSON.stringify(event));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const file = (name: string) => join(dir, name);

describe('switchyard subscriptions test', () => {
  test('lists the matches and names the failing clause of a NATS types miss and of a numeric miss on a data field', async () => {
    const result = await runCli(['subscriptions', 'test', '--event', file('event.json'), file('subscriptions.json')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      `${file('subscriptions.json')}: 2 of 4 subscriptions match event evt-42 (type com.example.orders.created, source /shop/web)`,
      '  match     orders',
      '  no match  invoices    /subscriptions/1/types: type is "com.example.orders.created", expected one of com.example.invoices.>, com.example.billing.*.',
      '  no match  big-orders  /subscriptions/2/filter/data/total: data.total is 120, expected numeric > 500.',
      '  match     eu',
      '',
    ]);
  });

  test('--json prints one object with every subscription and the clause parts', async () => {
    const result = await runCli(['subscriptions', 'test', '--event', file('event.json'), file('subscriptions.json'), '--json']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toEqual({
      file: file('subscriptions.json'),
      event: { id: 'evt-42', source: '/shop/web', type: 'com.example.orders.created' },
      matched: ['orders', 'eu'],
      subscriptions: [
        { id: 'orders', path: '/subscriptions/0', matched: true },
        {
          id: 'invoices',
          path: '/subscriptions/1',
          matched: false,
          clause: {
            path: '/subscriptions/1/types',
            field: 'type',
            expected: 'one of com.example.invoices.>, com.example.billing.*',
            actual: '"com.example.orders.created"',
            message: 'type is "com.example.orders.created", expected one of com.example.invoices.>, com.example.billing.*.',
          },
        },
        {
          id: 'big-orders',
          path: '/subscriptions/2',
          matched: false,
          clause: { path: '/subscriptions/2/filter/data/total', field: 'data.total', expected: 'numeric > 500', actual: '120', message: 'data.total is 120, expected numeric > 500.' },
        },
        { id: 'eu', path: '/subscriptions/3', matched: true },
      ],
    });
  });

  test('reads the event from standard input with --event -', async () => {
    const other = { ...event, id: 'evt-43', type: 'com.example.invoices.paid', data: { total: 900 } };
    const result = await runCli(['subscriptions', 'test', '--event', '-', file('subscriptions.json'), '--json'], { stdin: JSON.stringify(other) });
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer.matched).toEqual(['invoices']);
    expect(answer.subscriptions.map((s: { clause?: { path: string; actual: string } }) => s.clause && [s.clause.path, s.clause.actual])).toEqual([
      ['/subscriptions/0/types', '"com.example.invoices.paid"'],
      undefined,
      ['/subscriptions/2/types', '"com.example.invoices.paid"'],
      ['/subscriptions/3/filter/data/region', 'absent'],
    ]);
  });

  test('points at BusinessEvent in a PageUp file', async () => {
    await writeFile(
      file('pageup.json'),
      JSON.stringify([
        { Type: 'Webhook', Endpoint: 'https://hooks.example.com/a', BusinessEvent: 'com.example.orders.created' },
        { Type: 'Webhook', Endpoint: 'https://hooks.example.com/b', BusinessEvent: 'JobApplied' },
      ]),
    );
    const result = await runCli(['subscriptions', 'test', '--event', file('event.json'), file('pageup.json'), '--json'], { env: { SWITCHYARD_DEFAULT_WEBHOOK_SECRET: SECRET } });
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout);
    expect(answer.subscriptions.map((s: { path: string; matched: boolean }) => [s.path, s.matched])).toEqual([['/0', true], ['/1', false]]);
    expect(answer.subscriptions[1].clause).toMatchObject({ path: '/1/BusinessEvent', field: 'type', expected: 'JobApplied', actual: '"com.example.orders.created"' });
  });

  test('an invalid subscriptions file: every error with its path, exit 1', async () => {
    const broken = {
      subscriptions: [
        { id: 'a', types: ['com..x'], target: webhook },
        { id: 'b', filter: { data: { total: [{ numeric: ['>', 'ten'] }] } }, target: { webhook: { url: 'https://hooks.example.com/in', secret: { env: 'UNSET_SECRET_FOR_TEST' } } } },
      ],
    };
    await writeFile(file('broken.json'), JSON.stringify(broken));
    const result = await runCli(['subscriptions', 'test', '--event', file('event.json'), file('broken.json')], { env: { UNSET_SECRET_FOR_TEST: undefined } });
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${file('broken.json')}: 3 errors`);
    expect(lines.slice(1).map((line) => line.trim().split(':')[0])).toEqual([
      '/subscriptions/0/types/0',
      '/subscriptions/1/filter/data/total/0/numeric/1',
      '/subscriptions/1/target/webhook/secret',
    ]);
    expect(result.stderr).toContain(`switchyard: ${file('broken.json')} is not valid; fix the errors above`);
  });

  test('an invalid event names the field, exit 1; an event that is not JSON, exit 1', async () => {
    await writeFile(file('bad-event.json'), JSON.stringify({ specversion: '1.0', id: 'x', source: '/shop', type: 'com.example.orders.created', time: 'yesterday' }));
    const invalid = await runCli(['subscriptions', 'test', '--event', file('bad-event.json'), file('subscriptions.json')]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toMatch(new RegExp(`^switchyard: ${file('bad-event.json')} is not a valid CloudEvent \\(time: .+\\); fix that field\\n$`));

    const missing = await runCli(['subscriptions', 'test', '--event', '-', file('subscriptions.json')], { stdin: JSON.stringify({ specversion: '1.0', source: '/shop' }) });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('the event on standard input is not a valid CloudEvent (id: required; type: required); fix those fields');

    const notJson = await runCli(['subscriptions', 'test', '--event', '-', file('subscriptions.json')], { stdin: '{"id": ' });
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/^switchyard: the event on standard input is not JSON \(.+\): give one CloudEvent in structured JSON\n$/);
  });

  test('usage mistakes exit 2: no --event, a file that cannot be read', async () => {
    const noEvent = await runCli(['subscriptions', 'test', file('subscriptions.json')]);
    expect(noEvent.code).toBe(2);
    expect(noEvent.stderr).toContain("required option '--event <file>' not specified");

    const noFile = await runCli(['subscriptions', 'test', '--event', file('event.json'), file('absent.json')]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain(`switchyard: cannot read ${file('absent.json')} (ENOENT)`);

    const noEventFile = await runCli(['subscriptions', 'test', '--event', file('absent-event.json'), file('subscriptions.json')]);
    expect(noEventFile.code).toBe(2);
    expect(noEventFile.stderr).toContain(`switchyard: cannot read ${file('absent-event.json')} (ENOENT): give --event the path of a CloudEvent JSON file, or - for standard input`);
  });
});
