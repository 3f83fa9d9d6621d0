import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { launchBrowser, type Browser } from '../../helpers/browser';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../delivery/support/Receiver';

/**
 * The operator console in headless Chromium against an in-process local bus. Subscriptions: `orders` and `audit`
 * both take the order events (`audit` is there to show a replay reaches only the subscription it names);
 * `broken` fails until "fixed", with two attempts allowed, so its deliveries go pending, then dead 5 s later.
 */
const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

let bus: LocalBus;
let receiver: Receiver;
let browser: Browser;
let page: Page;
let dir: string;
let brokenFixed = false;
const actions: Record<string, unknown>[] = [];
const originalError = console.error;

beforeAll(async () => {
  // The bus logs operator actions as JSON lines on stderr: collect those, pass the rest on.
  console.error = (...args: unknown[]) => {
    const line = typeof args[0] === 'string' && args[0].includes('"console action"') ? (JSON.parse(args[0]) as Record<string, unknown>) : undefined;
    if (line) actions.push(line);
    else originalError(...args);
  };
  receiver = await Receiver.start((request, response) => {
    response.writeHead(request.path === '/broken' && !brokenFixed ? 500 : 204).end();
  });
  dir = await mkdtemp(join(tmpdir(), 'switchyard-console-'));
  const subscriptionsFile = join(dir, 'subscriptions.json');
  const webhook = (path: string) => ({ webhook: { url: receiver.url(path), secret: SECRET } });
  await writeFile(
    subscriptionsFile,
    JSON.stringify({
      subscriptions: [
        { id: 'orders', types: ['com.example.orders.*'], target: webhook('/orders'), delivery: { timeoutSeconds: 5 } },
        { id: 'audit', types: ['com.example.orders.*'], target: webhook('/audit'), delivery: { timeoutSeconds: 5 } },
        { id: 'broken', filter: { source: ['/broken'] }, target: webhook('/broken'), delivery: { timeoutSeconds: 5, maxAttempts: 2 } },
      ],
    }),
  );
  bus = await startLocalBus({ port: 0, shards: 1, dataDir: join(dir, 'data'), subscriptionsFile });
  browser = await launchBrowser();
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await bus?.stop();
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
  console.error = originalError;
});

async function publish(event: object): Promise<void> {
  const response = await fetch(`${bus.url}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) });
  expect(response.status).toBe(202);
}

const arrivals = (path: string, id: string) => receiver.requests.filter((r) => r.path === path && r.body.toString('utf8').includes(id)).length;

/** Clicks the page's Refresh until `selector` is on it. */
async function refreshUntil(selector: string, timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForLoadState('networkidle');
      return (await page.locator(selector).count()) > 0 ? true : undefined;
    },
    timeoutMs,
    500,
  );
}

/** Published by the first test; the replay test replays them (the tests run in order, on one bus). */
const orders = [0, 1, 2].map((i) => makeEvent({ type: 'com.example.orders.created', source: '/shop', data: { order: i } }));

test('publishes events and sees them listed, then opens one: attributes, data, deliveries per subscription', async () => {
  for (const event of orders) await publish(event);
  await eventually(async () => (orders.every((e) => arrivals('/orders', e.id) === 1 && arrivals('/audit', e.id) === 1) ? true : undefined), 30_000, 100);
  await page.goto(`${bus.url}/console#/events`);
  await eventually(async () => {
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForLoadState('networkidle');
    return (await page.locator('tr.event-row').count()) >= 3 ? true : undefined;
  });
  const rows = await page.locator('tr.event-row').allTextContents();
  for (const event of orders) expect(rows.some((row) => row.includes(event.id) && row.includes('com.example.orders.created') && row.includes('/shop'))).toBe(true);

  await page.getByRole('link', { name: orders[1]!.id }).click();
  await page.locator('pre.data').waitFor();
  expect(JSON.parse((await page.locator('pre.data').textContent())!)).toEqual({ order: 1 });
  expect(await page.locator('table.attributes').textContent()).toContain('com.example.orders.created');
  const deliveries = await page.locator('tr.delivery').allTextContents();
  expect(deliveries).toEqual([
    expect.stringMatching(/^orders.*delivered first attempt or in flight/),
    expect.stringMatching(/^audit.*delivered first attempt or in flight/),
    'brokennot matched /subscriptions/2/filter/source: source is "/shop", expected "/broken".',
  ]);
});

test("a failing receiver's delivery shows pending, then dead with its attempts; redrive from the page delivers it", async () => {
  const event = makeEvent({ source: '/broken', type: 'com.example.invoices.issued' });
  await publish(event);
  await page.goto(`${bus.url}/console#/subscription/broken`);
  await refreshUntil(`.delivery-entry.pending[data-id="${event.id}"]`);
  const pending = page.locator(`.delivery-entry.pending[data-id="${event.id}"]`);
  expect(await pending.locator('tr.attempt').allTextContents()).toEqual([expect.stringMatching(/^1.*500.*ms.*retry.*receiver answered 500/)]);

  // The retry falls due 5 s after the first failure and fails too: the second of two attempts kills it.
  await refreshUntil(`.delivery-entry.dead[data-id="${event.id}"]`);
  const dead = page.locator(`.delivery-entry.dead[data-id="${event.id}"]`);
  const attempts = await dead.locator('tr.attempt').allTextContents();
  expect(attempts).toEqual([expect.stringMatching(/^1.*500.*retry/), expect.stringMatching(/^2.*500.*dead \(exhausted\)/)]);
  expect(await page.locator('.chart figcaption').textContent()).toContain('dead: 1');

  // Dead letters across subscriptions list it too.
  await page.goto(`${bus.url}/console#/dead`);
  await page.locator(`tr.dead-row[data-id="${event.id}"]`).waitFor();
  expect((await page.locator('tr.dead-row').allTextContents()).map((row) => row.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/, 'TIME'))).toEqual([
    `broken${event.id}com.example.invoices.issued/brokenTIMEexhausted500 receiver answered 500 Internal Server ErrorRedrive`,
  ]);
  await page.goto(`${bus.url}/console#/subscription/broken`);
  await dead.waitFor();

  brokenFixed = true;
  await dead.getByRole('button', { name: 'Redrive' }).click();
  // It asks first; nothing has moved yet.
  expect(await dead.locator('.confirm').textContent()).toContain(`Deliver ${event.id} to broken again now?`);
  expect(arrivals('/broken', event.id)).toBe(2);
  await dead.getByRole('button', { name: 'Confirm' }).click();
  await eventually(async () => (arrivals('/broken', event.id) === 3 ? true : undefined), 30_000, 100);
  await refreshUntil(`.delivery-entry.delivered_after_retry[data-id="${event.id}"]`);
  expect(await page.locator(`.delivery-entry.dead[data-id="${event.id}"]`).count()).toBe(0);
  expect(actions).toContainEqual(expect.objectContaining({ action: 'redrive', subscriptionId: 'broken', actor: userInfo().username, result: expect.objectContaining({ redriven: 1 }) }));
});

test('replay of a window counts first, asks, then delivers to that subscription only', async () => {
  await page.goto(`${bus.url}/console#/subscription/orders`);
  await page.getByRole('button', { name: 'Count (dry run)' }).click();
  await page.locator('.dry-run').waitFor();
  expect(await page.locator('.replay-count').textContent()).toBe('3');
  expect(orders.map((e) => arrivals('/orders', e.id))).toEqual([1, 1, 1]);

  await page.getByRole('button', { name: 'Replay 3 events' }).click();
  expect(await page.locator('.dry-run .confirm').textContent()).toContain('Deliver 3 events again to orders only');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.locator('.replay-state', { hasText: 'done' }).waitFor({ timeout: 30_000 });
  expect(await page.locator('.replay-job').textContent()).toMatch(/done, 3 delivered, 0 failed of 3 matched/);
  expect(orders.map((e) => arrivals('/orders', e.id))).toEqual([2, 2, 2]);
  expect(orders.map((e) => arrivals('/audit', e.id))).toEqual([1, 1, 1]);
  expect(actions).toContainEqual(expect.objectContaining({ action: 'replay', subscriptionId: 'orders', result: expect.objectContaining({ expected: 3 }) }));
});

test('the test box names the failing clause of each subscription that does not match', async () => {
  await page.goto(`${bus.url}/console#/test`);
  await page.locator('textarea[name=event]').fill(JSON.stringify({ specversion: '1.0', id: 'try-2', source: '/shop', type: 'com.example.refunds.created' }));
  await page.getByRole('button', { name: 'Test' }).click();
  await page.locator('tr.test-result').first().waitFor();
  const row = (id: string) => page.locator(`tr.test-result[data-id="${id}"]`).textContent();
  expect(await row('orders')).toBe('ordersno match/subscriptions/0/types: type is "com.example.refunds.created", expected com.example.orders.*.');
  expect(await row('broken')).toContain('no match/subscriptions/2/filter/source:');
  expect(await row('broken')).toContain('"/shop"');

  await page.locator('textarea[name=event]').fill(JSON.stringify({ specversion: '1.0', id: 'try-3', source: '/broken', type: 'x.y' }));
  await page.getByRole('button', { name: 'Test' }).click();
  await page.locator('tr.test-result.match[data-id="broken"]').waitFor();
  expect(await page.locator('tr.test-result.match').count()).toBe(1);
});

test('the subscriptions page shows each one from the live file with its rules, target, state and counts', async () => {
  await page.goto(`${bus.url}/console#/subscriptions`);
  await page.locator('tr.subscription-row').first().waitFor();
  const cells = async (id: string) => page.locator(`tr.subscription-row[data-id="${id}"] td`).allTextContents();
  const ordersRow = await cells('orders');
  expect(ordersRow.slice(0, 5)).toEqual(['orders', 'types com.example.orders.*', `webhook ${receiver.url('/orders')}`, 'enabled', '3']);
  const brokenRow = await cells('broken');
  expect(brokenRow.slice(0, 4)).toEqual(['broken', 'filter {"source":["/broken"]}', `webhook ${receiver.url('/broken')}`, 'enabled']);
  // Its one delivery, from the log: delivered by the redrive, one failure retried, one death; nothing left in the ledger.
  expect(brokenRow.slice(6, 12)).toEqual(['1', '1', '1', expect.stringMatching(/^\d+ \/ \d+ ms$/), '0', '0']);
});

test('the live tail shows events as they are published', async () => {
  await page.goto(`${bus.url}/console#/tail`);
  await page.locator('.tail-state.live').waitFor({ timeout: 15_000 });
  const event = makeEvent({ type: 'com.example.tail.seen', source: '/tail' });
  await publish(event);
  await page.locator('tr.tail-row', { hasText: event.id }).waitFor({ timeout: 15_000 });
  expect(await page.locator('tr.tail-row', { hasText: event.id }).textContent()).toContain('com.example.tail.seen/tail');
});
