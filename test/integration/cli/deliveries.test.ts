import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { runCli } from '../../helpers/cliProcess';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../delivery/support/Receiver';

/**
 * `switchyard deliveries list|show|redrive` as their own processes against an in-process local bus (found through
 * its data dir), with a receiver that fails: `flaky` answers 500 to an event's first delivery and 204 after;
 * `broken` answers 500 (one attempt allowed, so its failures are dead at once) until it is "fixed".
 */
const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

let bus: LocalBus;
let receiver: Receiver;
let dir: string;
let dataDir: string;
let brokenFixed = false;

beforeAll(async () => {
  receiver = await Receiver.start((request, response) => {
    const id = (JSON.parse(request.body.toString('utf8')) as { id: string }).id;
    const seen = receiver.requests.filter((r) => r.path === request.path && r.body.toString('utf8').includes(id)).length;
    const fail = request.path === '/flaky' ? seen === 1 : request.path === '/broken' && !brokenFixed;
    response.writeHead(fail ? 500 : 204).end();
  });
  dir = await mkdtemp(join(tmpdir(), 'switchyard-deliveries-'));
  dataDir = join(dir, 'data');
  const subscriptionsFile = join(dir, 'subscriptions.json');
  await writeFile(
    subscriptionsFile,
    JSON.stringify({
      subscriptions: [
        { id: 'flaky', filter: { source: ['/flaky'] }, target: { webhook: { url: receiver.url('/flaky'), secret: SECRET } }, delivery: { timeoutSeconds: 5 } },
        { id: 'broken', filter: { source: ['/broken'] }, target: { webhook: { url: receiver.url('/broken'), secret: SECRET } }, delivery: { timeoutSeconds: 5, maxAttempts: 1 } },
      ],
    }),
  );
  bus = await startLocalBus({ port: 0, shards: 1, dataDir, subscriptionsFile });
});
afterAll(async () => {
  await bus?.stop();
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli([...args, '--data-dir', dataDir]);

async function post(event: object): Promise<void> {
  const response = await fetch(`${bus.url}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) });
  expect(response.status).toBe(202);
}

const arrivals = (path: string, id: string) => receiver.requests.filter((r) => r.path === path && r.body.toString('utf8').includes(id)).length;

/** Runs `show --json` until the delivery reaches `status`. */
function showWhen(id: string, source: string, subscription: string, status: string) {
  return eventually(
    async () => {
      const shown = await cli('deliveries', 'show', id, '--source', source, '--subscription', subscription, '--json');
      const history = shown.code === 0 ? (JSON.parse(shown.stdout) as { status: string; attempts: Record<string, unknown>[] }) : undefined;
      return history?.status === status ? history : undefined;
    },
    30_000,
    250,
  );
}

describe('switchyard deliveries show', () => {
  test('shows a delivery that failed once and was delivered by its retry: both attempts with time, status, latency, error', async () => {
    const event = makeEvent({ source: '/flaky' });
    await post(event);
    // The retry falls due 5 s after the first failure; the local redeliver loop sweeps every second.
    await eventually(async () => (arrivals('/flaky', event.id) >= 2 ? true : undefined), 30_000, 100);
    const history = await showWhen(event.id, '/flaky', 'flaky', 'delivered_after_retry');
    expect(history.attempts.map((a) => [a.attempt, a.status, a.outcome, typeof a.durationMs])).toEqual([
      [1, 500, 'retry', 'number'],
      [2, 204, 'delivered', 'number'],
    ]);
    expect(JSON.stringify(history)).not.toContain('"data"');

    const shown = await cli('deliveries', 'show', event.id, '--source', '/flaky', '--subscription', 'flaky');
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    const lines = shown.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`event ${event.id} (source /flaky) to subscription flaky: delivered after retry (2 attempts)`);
    expect(lines[1]).toMatch(/^ATTEMPT\s+TIME\s+STATUS\s+LATENCY\s+OUTCOME\s+ERROR$/);
    expect(lines[2]!.split(/\s{2,}/)).toEqual(['1', expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/), '500', expect.stringMatching(/^\d+ ms$/), 'retry (http_status)', 'receiver answered 500 Internal Server Error']);
    expect(lines[3]!.split(/\s{2,}/)).toEqual(['2', expect.stringMatching(/^\d{4}-/), '204', expect.stringMatching(/^\d+ ms$/), 'delivered', '-']);
    expect(lines).toHaveLength(4);
  });

  test('answers exit 1 with what to do for a delivery it has no record of, and exit 2 for a missing option', async () => {
    const missing = await cli('deliveries', 'show', 'no-such-event', '--source', '/flaky', '--subscription', 'flaky');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.trim()).toBe(
      'switchyard: no record of event "no-such-event" (source "/flaky") for subscription flaky: only deliveries that failed at least once are recorded ' +
        '(a first-attempt success is not), for 30 days; check the id, --source and --subscription, or list them with `switchyard deliveries list --subscription flaky`',
    );
    const usage = await cli('deliveries', 'show', 'no-such-event', '--subscription', 'flaky');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '--source <source>' not specified");
  });
});

describe('switchyard deliveries list and redrive', () => {
  test('lists a dead delivery, redrives the window it died in once the receiver is fixed, and shows it delivered', async () => {
    const event = makeEvent({ source: '/broken', type: 'com.example.invoices.issued' });
    await post(event);
    await showWhen(event.id, '/broken', 'broken', 'dead');

    const listed = await cli('deliveries', 'list', '--subscription', 'broken', '--status', 'dead');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const [header, row, ...rest] = listed.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^STATE\s+EVENT ID\s+SOURCE\s+TYPE\s+ATTEMPTS\s+SINCE\s+NEXT \/ REASON\s+LAST ERROR$/);
    expect(row!.split(/\s{2,}/)).toEqual(['dead', event.id, '/broken', 'com.example.invoices.issued', '1', expect.stringMatching(/^\d{4}-/), 'exhausted', '500 receiver answered 500 Internal Server Error']);
    expect(rest).toEqual([]);
    const json = await cli('deliveries', 'list', '--subscription', 'broken', '--since', '1h', '--json');
    expect(json.stdout.trim().split('\n').map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ state: 'dead', deadReason: 'exhausted', attempts: 1, event: { source: '/broken', id: event.id, type: 'com.example.invoices.issued' } }),
    ]);
    expect(await cli('deliveries', 'list', '--subscription', 'broken', '--status', 'pending')).toMatchObject({ code: 0, stdout: 'no pending deliveries for subscription broken\n' });

    brokenFixed = true;
    const redriven = await cli('deliveries', 'redrive', '--subscription', 'broken', '--since', '1h', '--json');
    // Standard error is not a terminal here: no progress bar, only the result.
    expect(redriven).toMatchObject({ code: 0, stdout: '{"redriven":1}\n', stderr: '' });
    const history = await showWhen(event.id, '/broken', 'broken', 'delivered_after_retry');
    expect(history.attempts.map((a) => [a.attempt, a.status, a.outcome])).toEqual([
      [1, 500, 'dead'],
      [1, 204, 'delivered'],
    ]);

    const nothing = await cli('deliveries', 'redrive', '--subscription', 'broken', '--all');
    expect(nothing.code).toBe(1);
    expect(nothing.stderr.trim()).toBe(
      'switchyard: no dead letters of subscription broken; list them with `switchyard deliveries list --subscription broken --status dead`',
    );
  });

  test('refuses usage mistakes with exit 2 and a line saying what is expected', async () => {
    const cases: Array<[string[], string]> = [
      [['deliveries', 'redrive', '--subscription', 'broken'], 'redrive needs exactly one of: --lane and --sequence (one dead letter), --all, or --since [--until]'],
      [['deliveries', 'redrive', '--subscription', 'broken', '--all', '--since', '1h'], 'redrive needs exactly one of'],
      [['deliveries', 'redrive', '--subscription', 'broken', '--all', '--until', '2026-01-01T00:00:00Z'], '--until goes with --since'],
      [['deliveries', 'redrive', '--subscription', 'broken', '--since', '1h', '--until', 'tomorrow'], '--until must be an ISO 8601 time'],
      [['deliveries', 'list', '--subscription', 'broken', '--since', 'yesterday'], '--since must be a duration such as 24h'],
      [['deliveries', 'list', '--subscription', 'broken', '--status', 'lost'], "option '--status <status>' argument 'lost' is invalid"],
      [['deliveries', 'list'], "required option '--subscription <id>' not specified"],
    ];
    for (const [args, message] of cases) {
      const result = await cli(...args);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(result.stderr).toContain(message);
    }
  });
});
