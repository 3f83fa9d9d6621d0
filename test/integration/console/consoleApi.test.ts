import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { runCli } from '../../../src/cli/program';
import type { CliContext } from '../../../src/cli/types';
import { launchBrowser } from '../../helpers/browser';

/**
 * The console's JSON routes and their guards on a local bus that has a token: the token as a header (never in a
 * URL), the console header, a loopback Host; bad input answered 4xx naming the field; disable and enable logged
 * with who; and `switchyard console` serving the same routes on its own loopback server.
 */
const TOKEN = 'console-test-token';
let bus: LocalBus;
let dir: string;
const actions: Record<string, unknown>[] = [];
const originalError = console.error;

beforeAll(async () => {
  console.error = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('"console action"')) actions.push(JSON.parse(args[0]) as Record<string, unknown>);
    else originalError(...args);
  };
  dir = await mkdtemp(join(tmpdir(), 'switchyard-console-api-'));
  const subscriptionsFile = join(dir, 'subscriptions.json');
  await writeFile(subscriptionsFile, JSON.stringify({ subscriptions: [{ id: 'orders', types: ['com.example.orders.*'], target: { webhook: { url: 'http://127.0.0.1:9/hooks', secret: 'whsec_' + Buffer.alloc(32, 7).toString('base64') } } }] }));
  bus = await startLocalBus({ port: 0, shards: 1, dataDir: join(dir, 'data'), subscriptionsFile, token: TOKEN });
});

afterAll(async () => {
  await bus?.stop();
  await rm(dir, { recursive: true, force: true });
  console.error = originalError;
});

const HEADERS = { 'x-switchyard-console': '1', authorization: `Bearer ${TOKEN}` };

async function call(path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${bus.url}/console/api${path}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers: init.headers ?? HEADERS,
    ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string; details?: { field: string }[] } } & Record<string, unknown> };
}

describe('guards', () => {
  test('the page itself is served without the token (it holds no data); the API refuses a missing or wrong token with 401', async () => {
    const page = await fetch(`${bus.url}/console`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/console/app.js">');
    expect((await call('/info', { headers: { 'x-switchyard-console': '1' } })).status).toBe(401);
    expect((await call('/info', { headers: { 'x-switchyard-console': '1', authorization: 'Bearer wrong' } })).body.error?.code).toBe('unauthorized');
    expect((await call('/info')).body).toEqual({ description: expect.stringMatching(/^local bus/), operator: expect.any(String) });
  });

  test('refuses a call without the console header (a cross-site form cannot send it) and one to a non-loopback Host', async () => {
    const noHeader = await call('/info', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(noHeader).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'forbidden', details: [expect.objectContaining({ field: 'x-switchyard-console' })] }) } });
    const port = new URL(bus.url).port;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/console/api/info', headers: { ...HEADERS, host: `evil.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject).end();
    });
    expect(status).toBe(403);
  });

  test('in a browser, the token is asked for once, kept in the tab, and sent as a header', async () => {
    const browser = await launchBrowser();
    try {
      const urls: string[] = [];
      browser.page.on('request', (request) => urls.push(request.url()));
      await browser.page.goto(`${bus.url}/console#/subscriptions`);
      await browser.page.locator('input[name=token]').fill(TOKEN);
      await browser.page.getByRole('button', { name: 'Open' }).click();
      await browser.page.locator('tr.subscription-row[data-id="orders"]').waitFor();
      expect(urls.filter((url) => url.includes(TOKEN))).toEqual([]);
      // Evaluated in the page, where sessionStorage exists (a string, so Node's types need not know it).
      expect(await browser.page.evaluate("sessionStorage.getItem('switchyard-console-token')")).toBe(TOKEN);
    } finally {
      await browser.close();
    }
  });
});

describe('bad input', () => {
  test.each([
    ['/events?limit=0', 'limit'],
    ['/events?from=yesterday', 'from'],
    ['/event?source=/shop', 'id'],
  ])('GET %s answers 400 naming %s', async (path, field) => {
    const { status, body } = await call(path);
    expect(status).toBe(400);
    expect(body.error?.details?.map((detail) => detail.field)).toEqual([field]);
  });

  test.each([
    ['/subscriptions/orders/replay', { to: '2026-01-01T00:00:00Z' }, 'from'],
    ['/subscriptions/orders/replay', { from: '2026-01-01T00:00:00Z', rate: 0 }, 'rate'],
    ['/subscriptions/orders/replay', { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'from'],
    ['/subscriptions/orders/redrive', { lane: 'event:x' }, 'sequence'],
    ['/subscriptions/orders/disable', {}, 'reason'],
    ['/test', { event: { id: 'x' } }, 'event.source'],
  ])('POST %s %j answers 400 naming %s', async (path, body, field) => {
    const answer = await call(path, { body });
    expect(answer.status).toBe(400);
    expect(answer.body.error?.details?.map((detail) => detail.field)).toContain(field);
  });

  test('answers 404 for an unknown route, subscription or event, 405 for a wrong method, 400 for a body that is not JSON', async () => {
    expect((await call('/nothing')).status).toBe(404);
    expect((await call('/subscriptions/nope')).body.error?.message).toBe('the live subscriptions.json has no subscription "nope"');
    expect((await call('/event?source=/shop&id=missing')).status).toBe(404);
    expect((await call('/events', { body: {} })).status).toBe(405);
    expect((await call('/test', { body: '{not json' })).body.error?.code).toBe('invalid_json');
  });
});

test('disable and enable change the state the page shows and are logged with who and what', async () => {
  expect((await call('/subscriptions/orders/disable', { body: { reason: 'receiver down' } })).body).toMatchObject({ state: 'disabled' });
  expect((await call('/subscriptions/orders')).body).toMatchObject({ subscription: { state: 'disabled', disabled: { reason: 'receiver down' } } });
  expect((await call('/subscriptions/orders/enable', { body: { redrive: true } })).body).toMatchObject({ state: 'enabled', redriven: 0 });
  expect(actions.map(({ action, subscriptionId, detail, actor }) => ({ action, subscriptionId, detail, actor }))).toEqual([
    { action: 'disable', subscriptionId: 'orders', detail: { reason: 'receiver down' }, actor: expect.any(String) },
    { action: 'enable', subscriptionId: 'orders', detail: { redrive: true }, actor: expect.any(String) },
  ]);
});

test('switchyard console serves the same routes on its own loopback server, found through the data dir', async () => {
  let stop!: (signal: string) => void;
  const out: string[] = [];
  const context: CliContext = {
    out: (line) => out.push(line),
    err: () => undefined,
    env: { ...process.env },
    cwd: dir,
    applyEnv: () => undefined,
    waitForStop: () => new Promise((resolve) => (stop = resolve)),
  };
  const running = runCli(['console', '--data-dir', join(dir, 'data'), '--port', '0'], context);
  const deadline = Date.now() + 20_000;
  while (out.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const url = /(http:\/\/127\.0\.0\.1:\d+\/console)/.exec(out[0] ?? '')?.[1];
  expect(out[0]).toMatch(/^Switchyard console for local bus at http:\/\/127\.0\.0\.1:\d+: http:\/\/127\.0\.0\.1:\d+\/console \(Ctrl-C stops it\)$/);
  const answer = await fetch(`${url}/api/subscriptions`, { headers: { 'x-switchyard-console': '1' } });
  expect(answer.status).toBe(200);
  expect(((await answer.json()) as { subscriptions: { id: string }[] }).subscriptions.map((s) => s.id)).toEqual(['orders']);
  stop('SIGINT');
  expect(await running).toBe(0);
});
