/**
 * `npm run screenshots`: the README's pictures of the console (docs/console/*.png). Starts a local bus in memory
 * with three subscriptions and a receiver (one of them failing), publishes a few events, waits for a dead letter,
 * then photographs each page in headless Chromium (/usr/bin/chromium, or CHROMIUM_PATH).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startLocalBus } from '../../local/LocalBus';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const OUT = resolve(__dirname, '..', '..', 'docs', 'console');
const SECRET = 'whsec_' + Buffer.alloc(32, 7).toString('base64');

async function main() {
  // A receiver: /payments always fails (its deliveries die), the others answer 204 after a short while.
  const receiver = createServer((request, response) => {
    request.resume();
    setTimeout(() => response.writeHead(request.url === '/payments' ? 503 : 204).end(), 5 + Math.random() * 40);
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-screenshots-'));
  const subscriptionsFile = join(dir, 'subscriptions.json');
  const webhook = (path: string) => ({ webhook: { url: `${base}${path}`, secret: SECRET } });
  await writeFile(
    subscriptionsFile,
    JSON.stringify({
      subscriptions: [
        { id: 'orders-to-warehouse', types: ['com.example.orders.*'], target: webhook('/warehouse') },
        { id: 'big-orders-to-sales', types: ['com.example.orders.created'], filter: { data: { amount: [{ numeric: ['>', 100] }] } }, target: webhook('/sales') },
        { id: 'payments-ledger', types: ['com.example.payments.>'], target: webhook('/payments'), delivery: { maxAttempts: 2 } },
      ],
    }),
  );
  const bus = await startLocalBus({ port: 0, shards: 1, subscriptionsFile, log: () => undefined });
  const silence = console.error;
  console.error = () => undefined; // the bus's delivery warnings are expected here
  const browserDir = await mkdtemp(join(tmpdir(), 'switchyard-chromium-'));
  try {
    const events = [
      ...Array.from({ length: 12 }, (_, i) => ({ type: 'com.example.orders.created', source: '/shop', subject: `order-${1000 + i}`, data: { amount: 40 + i * 15, currency: 'EUR' } })),
      ...Array.from({ length: 4 }, (_, i) => ({ type: 'com.example.orders.shipped', source: '/warehouse', subject: `order-${1000 + i}`, data: { carrier: 'dhl' } })),
      ...Array.from({ length: 3 }, (_, i) => ({ type: 'com.example.payments.captured', source: '/payments', subject: `pay-${i}`, data: { amount: 99 } })),
    ];
    for (const [i, event] of events.entries()) {
      await fetch(`${bus.url}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify({ specversion: '1.0', id: `evt-${String(i).padStart(4, '0')}`, time: new Date().toISOString(), ...event }),
      });
    }
    // Two attempts 5 s apart: the payments deliveries are dead after about 6 s.
    await new Promise((done) => setTimeout(done, 8000));
    await mkdir(OUT, { recursive: true });
    const context = await chromium.launchPersistentContext(browserDir, {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      viewport: { width: 1360, height: 820 },
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const shoot = async (hash: string, name: string, ready: string, act?: () => Promise<void>) => {
      await page.goto(`${bus.url}/console#${hash}`);
      await page.locator(ready).first().waitFor({ timeout: 20_000 });
      await act?.();
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
      console.log(`docs/console/${name}.png`);
    };
    await shoot('/events', 'events', 'tr.event-row');
    await shoot('/event?source=/shop&id=evt-0008', 'event', 'tr.delivery');
    await shoot('/subscriptions', 'subscriptions', 'tr.subscription-row');
    await shoot('/subscription/payments-ledger', 'subscription', '.delivery-entry.dead', async () => {
      await page.getByRole('button', { name: 'Count (dry run)' }).click();
      await page.locator('.dry-run').waitFor();
    });
    await shoot('/dead', 'dead-letters', 'tr.dead-row');
    await shoot('/test', 'test-box', 'textarea', async () => {
      await page.getByRole('button', { name: 'Test' }).click();
      await page.locator('tr.test-result').first().waitFor();
    });
    await context.close();
  } finally {
    console.error = silence;
    await bus.stop();
    receiver.close();
    await rm(dir, { recursive: true, force: true });
    await rm(browserDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
