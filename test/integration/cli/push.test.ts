import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Webhook } from 'standardwebhooks';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { createAwsClients } from '../../../src/wiring/awsClients';
import { runCli } from '../../helpers/cliProcess';
import { eventually, makeEvent } from '../../helpers/cloudEvents';
import { Receiver } from '../delivery/support/Receiver';

/**
 * `switchyard subscriptions push` as its own process: an invalid file is refused with every error's path and
 * nothing uploaded; a valid one lands in the local bus's config bucket, and the bus then delivers by it.
 */
const SECRET = 'whsec_' + randomBytes(32).toString('base64');
let bus: LocalBus;
let dataDir: string;
let receiver: Receiver;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchyard-push-'));
  receiver = await Receiver.start();
  // No SUBSCRIPTIONS_FILE: the bus serves an empty list until something is pushed.
  bus = await startLocalBus({ port: 0, dataDir, shards: 1 });
});
afterAll(async () => {
  await bus.stop();
  await receiver.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function served(): Promise<string> {
  const s3 = createAwsClients(process.env).s3;
  const object = await s3.send(new GetObjectCommand({ Bucket: bus.names.bucket, Key: 'subscriptions.json' }));
  return object.Body!.transformToString();
}

describe('switchyard subscriptions push', () => {
  test('refuses an invalid file with exit code 1 and every error with its path, uploading nothing', async () => {
    const file = join(dataDir, 'invalid.json');
    await writeFile(
      file,
      JSON.stringify({
        subscriptions: [
          { id: 'no-secret', types: ['com.example.>'], target: { webhook: { url: receiver.url('/a') } } },
          { id: 'bad-pattern', types: ['com..x'], target: { webhook: { url: receiver.url('/b'), secret: SECRET } } },
        ],
      }),
    );
    const before = await served();
    const result = await runCli(['subscriptions', 'push', file, '--data-dir', dataDir]);
    expect(result.code).toBe(1);
    const [head, ...errors] = result.stdout.trim().split('\n');
    expect(head).toMatch(new RegExp(`^${file.replace(/[.]/g, '\\.')}: \\d+ errors$`));
    expect(errors.join('\n')).toContain('/subscriptions/0');
    expect(errors.join('\n')).toContain('/subscriptions/1/types/0');
    for (const line of errors) expect(line).toMatch(/^ {2}\/subscriptions\/[01]\S*: \S/);
    expect(result.stderr.trim()).toBe(`switchyard: ${file} is not valid: nothing was uploaded; fix the errors above`);
    expect(await served()).toBe(before);
  });

  test('uploads a valid file to the bus, which then delivers to the receiver it names', async () => {
    const file = join(dataDir, 'subscriptions.json');
    const text = JSON.stringify({ subscriptions: [{ id: 'pushed', types: ['com.example.pushed.*'], target: { webhook: { url: receiver.url('/pushed'), secret: SECRET } } }] });
    await writeFile(file, text);
    const result = await runCli(['subscriptions', 'push', file, '--data-dir', dataDir]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.trim()).toMatch(
      new RegExp(`^pushed ${file.replace(/[.]/g, '\\.')} \\(1 subscription\\) to s3://switchyard-config/subscriptions\\.json on the local bus at http://127\\.0\\.0\\.1:\\d+: ETag "\\w+"$`),
    );
    expect(await served()).toBe(text);

    const json = await runCli(['subscriptions', 'push', file, '--data-dir', dataDir, '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ valid: true, subscriptions: 1, bucket: 'switchyard-config', key: 'subscriptions.json', etag: expect.stringMatching(/^"\w+"$/) });

    // The router re-reads the file every second locally: publish until an event reaches the receiver.
    const delivered = await eventually(async () => {
      const event = makeEvent({ type: 'com.example.pushed.created' });
      const response = await fetch(`${bus.url}/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(event) });
      expect(response.status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const arrived = receiver.requests.filter((request) => request.path === '/pushed');
      return arrived.length > 0 ? (new Webhook(SECRET).verify(arrived[0].body, arrived[0].headers as Record<string, string>) as { type: string }) : undefined;
    }, 20_000);
    expect(delivered.type).toBe('com.example.pushed.created');
  });

  test('says what to do when the file cannot be read (exit code 2)', async () => {
    const result = await runCli(['subscriptions', 'push', join(dataDir, 'absent.json'), '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(`switchyard: cannot read ${join(dataDir, 'absent.json')} (ENOENT): give the path of a subscriptions.json`);
  });
});
