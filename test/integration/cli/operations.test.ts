import { runCli } from '../../../src/cli/program';
import type { CliContext } from '../../../src/cli/types';
import { createEventKeys } from '../../../src/crypto';
import { DeliveryLedger } from '../../../src/delivery/ledger/DeliveryLedger';
import { ParkedLanes } from '../../../src/worker/ParkedLanes';
import { makeEvent } from '../../helpers/cloudEvents';
import { useLocalBus } from './support/localBus';

// The operator commands, run in-process against the emulators through a published endpoints file.
const local = useLocalBus(1, (bus) => ({ DELIVERY_TABLE_NAME: bus.names.deliveryTable }));
let ledger: DeliveryLedger;
beforeAll(() => {
  ledger = new DeliveryLedger({
    documents: local.bus.clients.documents,
    tableName: local.bus.names.deliveryTable,
    keys: createEventKeys({ kms: local.bus.clients.kms, keyId: local.bus.emulators.kmsKeyId }),
  });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { SWITCHYARD_DATA_DIR: local.dataDir },
    cwd: process.cwd(),
    applyEnv: () => undefined,
    waitForStop: () => new Promise(() => undefined),
  };
  return { code: await runCli(argv, context), out, err };
}

describe('switchyard deliveries and subscriptions', () => {
  test('lists dead letters without their data, redrives one, then a disabled subscription is enabled with its dead letters redriven', async () => {
    const secret = makeEvent({ type: 'com.example.orders.paid', data: { card: '4111-secret' } });
    const killed = makeEvent({ type: 'com.example.orders.created' });
    const last = { at: Date.now() - 1_000, status: 500, reason: 'http_status', error: 'HTTP 500 from https://hooks.example.com/…' } as const;
    await ledger.deadLetter({ subscriptionId: 'billing', lane: 'key:order-9', sequence: '4960001', attempts: 12 }, secret, 'exhausted', last);
    await ledger.disableSubscription('crm', 'HTTP 410 Gone');
    await ledger.deadLetter({ subscriptionId: 'crm', lane: 'event:abc', sequence: '4960002' }, killed, 'subscription_disabled');

    const listed = await cli('deliveries', 'dead', '--subscription', 'billing');
    expect(listed.code).toBe(0);
    expect(listed.out[0]).toMatch(/^SUBSCRIPTION\s+LANE\s+SEQUENCE\s+TYPE\s+EVENT ID\s+ATTEMPTS\s+REASON\s+LAST ERROR$/);
    expect(listed.out[1].split(/\s{2,}/)).toEqual(['billing', 'key:order-9', '4960001', 'com.example.orders.paid', secret.id, '12', 'exhausted', '500 HTTP 500 from https://hooks.example.com/…']);
    const json = await cli('deliveries', 'dead', '--json');
    expect(json.out.map((line) => JSON.parse(line).event.id).sort()).toEqual([secret.id, killed.id].sort());
    expect(json.out.join('\n')).not.toContain('4111-secret');

    const redriven = await cli('deliveries', 'redrive', '--subscription', 'billing', '--lane', 'key:order-9', '--sequence', '4960001');
    expect(redriven.out).toEqual([expect.stringMatching(/^redriven: subscription billing, now lane redrive:\S+ sequence 4960001, due now$/)]);
    expect((await cli('deliveries', 'dead', '--subscription', 'billing')).out).toEqual(['no dead letters']);
    const pending = await cli('deliveries', 'pending', '--subscription', 'billing', '--json');
    expect(pending.out.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ state: 'pending', attempts: 0, sequence: '4960001' })]);
    const again = await cli('deliveries', 'redrive', '--subscription', 'billing', '--lane', 'key:order-9', '--sequence', '4960001');
    expect(again).toMatchObject({
      code: 1,
      err: ['switchyard: no dead letter of subscription billing at lane key:order-9 sequence 4960001; list them with `switchyard deliveries list --subscription billing --status dead`'],
    });

    expect((await cli('subscriptions', 'disabled')).out[1].split(/\s{2,}/)).toEqual(['crm', expect.stringMatching(/^\d{4}-/), 'HTTP 410 Gone']);
    expect((await cli('subscriptions', 'enable', 'crm', '--redrive')).out).toEqual(['subscription crm enabled; 1 dead letter(s) redriven']);
    expect((await cli('subscriptions', 'disabled')).out).toEqual(['no disabled subscriptions']);
    expect((await cli('deliveries', 'dead', '--subscription', 'crm')).out).toEqual(['no dead letters']);
    expect(await cli('subscriptions', 'enable', 'crm')).toMatchObject({
      code: 1,
      err: ['switchyard: subscription crm is not disabled; `switchyard subscriptions disabled` lists those that are'],
    });
    expect((await cli('subscriptions', 'disable', 'crm', '--reason', 'maintenance')).out).toEqual(['subscription crm disabled']);
    expect((await cli('subscriptions', 'disable', 'a#b', '--reason', 'x')).code).toBe(2);
    expect((await ledger.disabledSubscriptions()).map((d) => [d.subscriptionId, d.reason])).toEqual([['crm', 'maintenance']]);
    expect((await cli('subscriptions', 'enable', 'crm', '--json')).out).toEqual(['{"subscriptionId":"crm","enabled":true,"redriven":0}']);
  });
});

describe('switchyard parked', () => {
  test("lists a consumer's parked keys and requests a release or a skip", async () => {
    const lanes = new ParkedLanes({ documents: local.bus.clients.documents, tableName: local.workerTable, consumer: 'projector' });
    const event = makeEvent({ subject: 'order-7' });
    await lanes.park(
      { shardId: 'shardId-000000000000', depth: 0, sequenceNumber: '4970001', partitionKey: 'order-7', data: Buffer.from(JSON.stringify(event)).toString('base64'), arrivedAt: new Date().toISOString() },
      { source: event.source, id: event.id, type: event.type, reason: 'handler_failed', attempts: 5, lastError: 'Error: no such customer' },
    );

    const listed = await cli('parked', 'list', '--consumer', 'projector');
    expect(listed.out[1].split(/\s{2,}/)).toEqual(['order-7', event.id, event.type, 'handler_failed', '5', '1', '-', expect.stringMatching(/^\d{4}-/), 'Error: no such customer']);
    expect(await cli('parked', 'skip', '--consumer', 'projector', '--key', 'order-7')).toMatchObject({
      code: 0,
      out: ['skip of key "order-7" requested; a running worker of projector carries it out'],
    });
    expect((await lanes.get('order-7'))?.action).toBe('skip');
    expect(await cli('parked', 'release', '--consumer', 'projector', '--key', 'order-8')).toMatchObject({
      code: 1,
      err: ['switchyard: key "order-8" is not parked for consumer projector: see switchyard parked list --consumer projector'],
    });
    expect(await cli('parked', 'release', '--consumer', 'projector', '--key', 'order-7', '--json')).toMatchObject({
      code: 0,
      out: ['{"consumer":"projector","key":"order-7","action":"release","requested":true}'],
    });
    expect((await lanes.get('order-7'))?.action).toBe('release');
    expect((await cli('parked', 'list', '--consumer', 'other')).out).toEqual(['no parked keys for consumer other']);
  });
});
