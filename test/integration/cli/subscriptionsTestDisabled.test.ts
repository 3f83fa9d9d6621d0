import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventKeys } from '../../../src/crypto';
import { DeliveryLedger } from '../../../src/delivery/ledger/DeliveryLedger';
import { runCli } from '../../helpers/cliProcess';
import { useLocalBus } from './support/localBus';

// `subscriptions test --data-dir`: the subscriptions the bus has disabled are marked, whether they match or not.
const local = useLocalBus(1, (bus) => ({ DELIVERY_TABLE_NAME: bus.names.deliveryTable }));
const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-subscriptions-disabled-'));
  const webhook = { webhook: { url: 'https://hooks.example.com/in', secret: SECRET } };
  await writeFile(
    join(dir, 'subscriptions.json'),
    JSON.stringify({
      subscriptions: [
        { id: 'crm', types: ['com.example.>'], target: webhook },
        { id: 'billing', types: ['com.example.invoices.*'], target: webhook },
        { id: 'audit', target: webhook },
      ],
    }),
  );
  await writeFile(join(dir, 'event.json'), JSON.stringify({ specversion: '1.0', id: 'e-1', source: '/shop', type: 'com.example.orders.created' }));
  const ledger = new DeliveryLedger({
    documents: local.bus.clients.documents,
    tableName: local.bus.names.deliveryTable,
    keys: createEventKeys({ kms: local.bus.clients.kms, keyId: local.bus.emulators.kmsKeyId }),
  });
  await ledger.disableSubscription('crm', 'HTTP 410 Gone');
  await ledger.disableSubscription('billing', 'maintenance');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test('marks the subscriptions the bus has disabled, matching or not; offline without --data-dir', async () => {
  const args = ['subscriptions', 'test', '--event', join(dir, 'event.json'), join(dir, 'subscriptions.json')];
  const marked = await runCli([...args, '--data-dir', local.dataDir]);
  expect(marked.stderr).toBe('');
  expect(marked.code).toBe(0);
  const lines = marked.stdout.trim().split('\n');
  expect(lines.slice(1)).toEqual([
    expect.stringMatching(/^ {2}match {5}crm \(disabled on the bus since \d{4}-\d\d-\d\dT[\d:.]+Z: HTTP 410 Gone; its events become dead letters\)$/),
    expect.stringMatching(/^ {2}no match {2}billing {2}\/subscriptions\/1\/types: type is "com\.example\.orders\.created", expected com\.example\.invoices\.\*\. \(disabled on the bus since \S+: maintenance; its events become dead letters\)$/),
    '  match     audit',
  ]);

  const json = JSON.parse((await runCli([...args, '--data-dir', local.dataDir, '--json'])).stdout);
  expect(json.subscriptions.map((s: { id: string; matched: boolean; disabled?: { reason: string } }) => [s.id, s.matched, s.disabled?.reason])).toEqual([
    ['crm', true, 'HTTP 410 Gone'],
    ['billing', false, 'maintenance'],
    ['audit', true, undefined],
  ]);

  // Without a bus option nothing is asked of any bus (the default data dir has none running).
  const offline = await runCli(args, { env: { SWITCHYARD_DATA_DIR: join(dir, 'no-bus-here') } });
  expect(offline.code).toBe(0);
  expect(offline.stdout).not.toContain('disabled on the bus');
  expect(offline.stdout.trim().split('\n').slice(1)).toEqual(['  match     crm', expect.stringMatching(/^  no match  billing  /), '  match     audit']);
});
