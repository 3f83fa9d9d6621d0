import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import type { CloudEventJson } from '../../../src/events/types';
import { runCli } from '../../helpers/cliProcess';
import { eventually } from '../../helpers/cloudEvents';
import { referenceMatch, type ReferenceSubscription } from '../../helpers/routing/referenceMatcher';
import { Receiver } from '../delivery/support/Receiver';

/**
 * `switchyard subscriptions backtest` as its own process against a local bus in this process: a few hundred
 * varied events are published over HTTP and stored; the backtest of a proposed file must count, per
 * subscription, exactly what a brute-force evaluation of the same events counts, show real events as samples,
 * and deliver nothing (the proposed file points every subscription at a receiver that must stay silent).
 */
const TYPES = ['com.example.orders.created', 'com.example.orders.paid', 'com.example.invoices.issued', 'com.example.users.signup', 'org.other.ping'];
const SOURCES = ['/shop/eu', '/shop/us', '/billing', '/crm'];
const REGIONS = ['eu', 'us', 'apac'];
const SKUS = ['a', 'b', 'c'];

/** Deterministic variety: every combination of type, source, region, total and items shows up. */
function eventNumber(i: number, runId: string): CloudEventJson {
  const region = REGIONS[i % 3];
  return {
    specversion: '1.0',
    id: `bt-${runId}-${i}`,
    source: SOURCES[(i * 7) % SOURCES.length],
    type: TYPES[(i * 3) % TYPES.length],
    ...(i % 4 === 0 ? {} : { subject: `orders.${region}.${i}` }),
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: {
      total: (i * 37) % 1000,
      region,
      ...(i % 5 === 0 ? { tags: ['vip', 'early'] } : i % 5 === 1 ? { tags: ['early'] } : {}),
      items: [
        { sku: SKUS[i % 3], qty: i % 6 },
        { sku: SKUS[(i + 1) % 3], qty: (i + 2) % 6 },
      ],
    },
  } as CloudEventJson;
}

/** The proposed file's subscriptions (their matching parts); every target is the silent receiver. */
const PROPOSED: ReferenceSubscription[] = [
  { id: 'orders', types: ['com.example.orders.*'] },
  { id: 'big-totals', filter: { data: { total: [{ numeric: ['>', 500] }] } } },
  { id: 'shops-outside-eu', filter: { source: [{ prefix: '/shop' }], data: { region: [{ 'anything-but': 'eu' }] } } },
  { id: 'invoices-or-vip', filter: { $or: [{ type: [{ wildcard: 'com.example.invoices.*' }] }, { data: { tags: ['vip'] } }] } },
  { id: 'eu-subjects', subjects: ['orders.eu.>'] },
  { id: 'sku-a-in-bulk', types: ['com.example.>'], filter: { data: { items: { sku: ['a'], qty: [{ numeric: ['>=', 4] }] } } } },
  { id: 'no-subject', filter: { subject: [{ exists: false }] } },
  { id: 'nothing', types: ['com.none.>'] },
];

let receiver: Receiver;
let bus: LocalBus;
let dataDir: string;
let proposedFile: string;
const runId = Date.now().toString(36);
const first = Array.from({ length: 200 }, (_, i) => eventNumber(i, runId));
const second = Array.from({ length: 100 }, (_, i) => eventNumber(200 + i, runId));
let between: string;

async function publish(events: CloudEventJson[]): Promise<void> {
  for (let start = 0; start < events.length; start += 100) {
    const response = await fetch(`${bus.url}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(events.slice(start, start + 100)),
    });
    expect(response.status).toBe(202);
  }
}

/** Until the bus has stored every one of them (GET /events/{id} answers 200). */
async function stored(events: CloudEventJson[]): Promise<void> {
  for (const event of events) {
    await eventually(async () => ((await fetch(`${bus.url}/events/${encodeURIComponent(event.id)}?source=${encodeURIComponent(event.source)}`)).status === 200 ? true : undefined), 30_000, 100);
  }
}

beforeAll(async () => {
  receiver = await Receiver.start();
  dataDir = await mkdtemp(join(tmpdir(), 'switchyard-backtest-'));
  // The running bus has no subscriptions: anything the receiver gets could only come from the backtest.
  bus = await startLocalBus({ port: 0, dataDir, shards: 2 });
  proposedFile = join(dataDir, 'proposed.json');
  await writeFile(
    proposedFile,
    JSON.stringify({
      subscriptions: PROPOSED.map((subscription, i) => ({
        ...subscription,
        // Secrets the backtest must not need: an unset variable and an AWS secret it may not reach.
        target: { webhook: { url: receiver.url(`/proposed/${subscription.id}`), secret: i % 2 === 0 ? { env: 'BACKTEST_UNSET_SECRET' } : { secretsManager: 'no-such-secret' } } },
      })),
    }),
  );
  await publish(first);
  await stored(first);
  // Arrival times are Kinesis's: leave a clear gap around the instant between the two halves.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  between = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  await publish(second);
  await stored(second);
}, 120_000);

afterAll(async () => {
  await bus?.stop();
  await receiver?.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface BacktestJson {
  file: string;
  bus: string;
  from: string;
  to: string;
  types: number;
  scanned: number;
  subscriptions: { id: string; matched: number; samples: { source: string; id: string; type: string }[] }[];
}

function bruteForce(events: CloudEventJson[]): Map<string, CloudEventJson[]> {
  const matches = new Map(PROPOSED.map((subscription) => [subscription.id, [] as CloudEventJson[]]));
  for (const event of events) for (const id of referenceMatch(PROPOSED, event)) matches.get(id)?.push(event);
  return matches;
}

describe('switchyard subscriptions backtest', () => {
  test('counts per subscription what a brute-force evaluation of the same events counts, with real samples, delivering nothing', async () => {
    const result = await runCli(['subscriptions', 'backtest', proposedFile, '--since', '1h', '--data-dir', dataDir, '--json'], {
      env: { BACKTEST_UNSET_SECRET: undefined, AWS_ACCESS_KEY_ID: undefined, AWS_PROFILE: 'switchyard-backtest-none' },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const answer = JSON.parse(result.stdout) as BacktestJson;
    const all = [...first, ...second];
    expect(answer.scanned).toBe(all.length);
    expect(answer.types).toBe(TYPES.length);
    const expected = bruteForce(all);
    expect(answer.subscriptions.map((s) => [s.id, s.matched])).toEqual(PROPOSED.map((s) => [s.id, expected.get(s.id)?.length]));
    // The fixture must give every kind of answer, or equal counts prove little.
    expect(answer.subscriptions.find((s) => s.id === 'nothing')?.matched).toBe(0);
    expect(answer.subscriptions.filter((s) => s.matched > 0 && s.matched < all.length).length).toBeGreaterThanOrEqual(6);

    for (const subscription of answer.subscriptions) {
      const matching = expected.get(subscription.id) ?? [];
      expect(subscription.samples).toHaveLength(Math.min(3, matching.length));
      for (const sample of subscription.samples) {
        const event = matching.find((candidate) => candidate.id === sample.id);
        expect(event && { source: event.source, id: event.id, type: event.type }).toEqual(sample);
      }
    }
    // Give a stray delivery time to land before declaring there was none.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.requests).toEqual([]);
  });

  test('--until bounds the window by arrival time; --samples sets how many are shown; the text form is a table', async () => {
    const windowed = await runCli(['subscriptions', 'backtest', proposedFile, '--since', '1h', '--until', between, '--samples', '1', '--data-dir', dataDir, '--json']);
    expect(windowed.code).toBe(0);
    const answer = JSON.parse(windowed.stdout) as BacktestJson;
    expect(answer.to).toBe(between);
    expect(answer.scanned).toBe(first.length);
    const expected = bruteForce(first);
    expect(answer.subscriptions.map((s) => [s.id, s.matched, s.samples.length])).toEqual(
      PROPOSED.map((s) => [s.id, expected.get(s.id)?.length, Math.min(1, expected.get(s.id)?.length ?? 0)]),
    );

    const text = await runCli(['subscriptions', 'backtest', proposedFile, '--since', '1h', '--samples', '1', '--data-dir', dataDir]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^${proposedFile} against local bus at http://127\\.0\\.0\\.1:\\d+, \\S+Z to \\S+Z: 300 events of 5 types scanned, nothing delivered$`));
    expect(lines[1]).toMatch(/^SUBSCRIPTION\s+MATCHES\s+SHARE$/);
    const all = bruteForce([...first, ...second]);
    expect(lines.slice(2, 2 + PROPOSED.length).map((line) => line.split(/\s+/))).toEqual(
      PROPOSED.map((s) => {
        const count = all.get(s.id)?.length ?? 0;
        return [s.id, String(count), `${((100 * count) / 300).toFixed(1)}%`];
      }),
    );
    // One sample per subscription that matched anything, its id in a column of its own.
    const sampled = PROPOSED.filter((s) => (all.get(s.id)?.length ?? 0) > 0);
    expect(lines[2 + PROPOSED.length]).toBe('samples (source id type):');
    const width = Math.max(...sampled.map((s) => s.id.length));
    expect(lines.slice(3 + PROPOSED.length)).toEqual(sampled.map((s) => expect.stringMatching(new RegExp(`^  ${s.id.padEnd(width)}  /\\S+ bt-${runId}-\\d+ (com|org)\\.\\S+$`))));
  });

  test('an invalid proposed file is refused with its errors (exit 1); a bad window is a usage error (exit 2)', async () => {
    const broken = join(dataDir, 'broken.json');
    await writeFile(broken, JSON.stringify({ subscriptions: [{ id: 'x', filter: { data: { total: [{ numeric: ['>'] }] } }, target: { lambda: { arn: 'arn:aws:lambda:eu-west-1:123456789012:function:f' } } }] }));
    const invalid = await runCli(['subscriptions', 'backtest', broken, '--since', '1h', '--data-dir', dataDir]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toMatch(/^.*broken\.json: 1 error\n {2}\/subscriptions\/0\/filter\/data\/total\/0\/numeric: /);

    const badSince = await runCli(['subscriptions', 'backtest', proposedFile, '--since', 'yesterday', '--data-dir', dataDir]);
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toContain('switchyard: --since must be a duration such as 24h');
    const noSince = await runCli(['subscriptions', 'backtest', proposedFile, '--data-dir', dataDir]);
    expect(noSince.code).toBe(2);
    expect(noSince.stderr).toContain("required option '--since <when>' not specified");
  });
});
