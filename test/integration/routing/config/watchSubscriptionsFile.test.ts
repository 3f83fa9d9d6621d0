import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { watchSubscriptionsFile, type SubscriptionsFileWatcher } from '../../../../local/watchSubscriptionsFile';
import { SubscriptionsSource } from '../../../../src/routing/config/SubscriptionsSource';
import { eventually } from '../../../helpers/cloudEvents';
import { startTestEmulators, type TestEmulators } from '../../../helpers/emulators';

const WHSEC = `whsec_${Buffer.from('integration-test-secret!!').toString('base64')}`;

const fileWith = (...ids: string[]) =>
  JSON.stringify({ subscriptions: ids.map((id) => ({ id, target: { webhook: { url: 'http://127.0.0.1:4001/hooks', secret: WHSEC } } })) }, null, 2);

describe('watchSubscriptionsFile (the local bus) against s3rver', () => {
  let emulators: TestEmulators;
  let s3: S3Client;
  let dir: string;
  let watcher: SubscriptionsFileWatcher | undefined;
  const log: string[] = [];
  const key = 'subscriptions.json';

  const stored = async (): Promise<string | undefined> => {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: emulators.names.bucket, Key: key }));
      return await object.Body?.transformToString('utf-8');
    } catch {
      return undefined;
    }
  };
  const upload = async (text: string): Promise<void> => {
    await s3.send(new PutObjectCommand({ Bucket: emulators.names.bucket, Key: key, Body: text, ContentType: 'application/json' }));
  };
  const until = (predicate: (text: string | undefined) => boolean) =>
    eventually(async () => {
      const text = await stored();
      return predicate(text) ? true : undefined;
    }, 10_000);

  beforeAll(async () => {
    emulators = await startTestEmulators({ shards: 1 });
    s3 = emulators.clients.s3;
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'switchyard-subscriptions-'));
    log.length = 0;
  });
  afterEach(async () => {
    await watcher?.close();
    watcher = undefined;
    await rm(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await emulators.close();
  });

  it('uploads at start and on every change; a broken file is logged, not uploaded, and the engine keeps the last valid one', async () => {
    const file = join(dir, 'subscriptions.json');
    await writeFile(file, fileWith('first'));
    // A long poll interval, so the changes below are seen through fs.watch.
    watcher = await watchSubscriptionsFile(file, upload, { debounceMs: 50, pollIntervalMs: 60_000, log: (line) => log.push(line) });
    // Uploaded before the promise resolved.
    expect(await stored()).toBe(fileWith('first'));
    expect(log).toEqual([`${file}: uploaded (1 subscription)`]);

    await writeFile(file, fileWith('first', 'second'));
    await until((text) => text === fileWith('first', 'second'));

    // Broken: errors to the log, S3 unchanged, the engine still routes with the last valid file.
    await writeFile(file, '{ "subscriptions": [ { "id": "x", "target": { "lambda": { "arn": "nope" } } } ] }');
    await eventually(async () => (log.some((line) => line.includes('not uploaded')) ? true : undefined), 10_000);
    expect(log).toContainEqual(`${file}: not uploaded, 1 error; the bus keeps the last valid subscriptions`);
    expect(log).toContainEqual(expect.stringMatching(/^ {2}\/subscriptions\/0\/target\/lambda\/arn: must be a Lambda function ARN/));
    expect(await stored()).toBe(fileWith('first', 'second'));
    const source = new SubscriptionsSource({ s3, bucket: emulators.names.bucket, key });
    expect((await source.current()).subscriptions.map((s) => s.id)).toEqual(['first', 'second']);

    // Invalid JSON is no crash either.
    await writeFile(file, '{ "subscriptions": [');
    await eventually(async () => (log.some((line) => line.includes('is not valid JSON')) ? true : undefined), 10_000);

    // Fixed: uploaded again.
    await writeFile(file, fileWith('third'));
    await until((text) => text === fileWith('third'));
  });

  it('refuses on save a file whose { env } secret resolves to an unusable value, naming the path; the last valid one stays', async () => {
    const file = join(dir, 'subscriptions.json');
    await writeFile(file, fileWith('first'));
    const env = { SHORT_KEY: Buffer.alloc(16).toString('base64') };
    watcher = await watchSubscriptionsFile(file, upload, { debounceMs: 50, pollIntervalMs: 60_000, log: (line) => log.push(line), parseOptions: { env } });
    await until((text) => text === fileWith('first'));
    const bad = JSON.parse(fileWith('second'));
    bad.subscriptions[0].delivery = { payload: 'encrypted', encryption: { key: { env: 'SHORT_KEY' } } };
    await writeFile(file, JSON.stringify(bad));
    await eventually(async () => (log.some((line) => line.includes('/subscriptions/0/delivery/encryption/key')) ? true : undefined), 10_000);
    expect(log.find((line) => line.includes('/subscriptions/0/delivery/encryption/key'))).toContain('resolves to a value that must be the base64 of 32 random bytes');
    expect(await stored()).toBe(fileWith('first'));
  });

  it('sees a save that replaces the file by renaming (as many editors do)', async () => {
    const file = join(dir, 'subscriptions.json');
    await writeFile(file, fileWith('before'));
    watcher = await watchSubscriptionsFile(file, upload, { debounceMs: 50, pollIntervalMs: 60_000, log: (line) => log.push(line) });
    const temporary = join(dir, '.subscriptions.json.swp');
    await writeFile(temporary, fileWith('after-rename'));
    await rename(temporary, file);
    await until((text) => text === fileWith('after-rename'));
  });

  it('falls back to polling, and uploads a file that appears after the start', async () => {
    const file = join(dir, 'missing', 'subscriptions.json');
    // The directory does not exist: fs.watch cannot start, polling carries on alone.
    watcher = await watchSubscriptionsFile(file, upload, { debounceMs: 50, pollIntervalMs: 100, log: (line) => log.push(line) });
    expect(log).toEqual([`${file}: cannot be read (ENOENT); the bus keeps its current subscriptions`]);
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'missing'));
    await writeFile(file, fileWith('polled'));
    await until((text) => text === fileWith('polled'));
  });

  it('retries a failed upload at the next poll, saying so once', async () => {
    const file = join(dir, 'subscriptions.json');
    await writeFile(file, fileWith('retry'));
    let failures = 3;
    const flaky = async (text: string) => {
      if (failures-- > 0) throw new Error('S3 is not up yet');
      await upload(text);
    };
    watcher = await watchSubscriptionsFile(file, flaky, { debounceMs: 50, pollIntervalMs: 50, log: (line) => log.push(line) });
    await until((text) => text === fileWith('retry'));
    expect(log.filter((line) => line.includes('upload failed'))).toEqual([`${file}: upload failed (S3 is not up yet); retrying`]);
  });
});
