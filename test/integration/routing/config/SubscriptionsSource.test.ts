import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as parseModule from '../../../../src/routing/config/loadSubscriptionsFile';
import { InvalidSubscriptionsError } from '../../../../src/routing/config/errors';
import { SubscriptionsSource } from '../../../../src/routing/config/SubscriptionsSource';
import { startTestEmulators, type TestEmulators } from '../../../helpers/emulators';

const WHSEC = `whsec_${Buffer.from('integration-test-secret!!').toString('base64')}`;

const fileWith = (...ids: string[]) =>
  JSON.stringify({ subscriptions: ids.map((id) => ({ id, target: { webhook: { url: 'http://127.0.0.1:4001/hooks', secret: WHSEC } } })) }, null, 2);

/** Counts GetObject answers by kind: a body downloaded, or 304 Not Modified. */
function countResponses(s3: S3Client) {
  const counts = { downloaded: 0, notModified: 0 };
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'GetObjectCommand') return next(args);
      try {
        const output = await next(args);
        counts.downloaded++;
        return output;
      } catch (error) {
        if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 304) counts.notModified++;
        throw error;
      }
    },
    { step: 'initialize', name: 'countGetObjectResponses' },
  );
  return counts;
}

describe('SubscriptionsSource against s3rver', () => {
  let emulators: TestEmulators;
  let s3: S3Client;
  const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: emulators.names.bucket, Key: key, Body: body, ContentType: 'application/json' }));

  beforeAll(async () => {
    emulators = await startTestEmulators({ shards: 1 });
    s3 = emulators.clients.s3;
  });
  afterAll(async () => {
    await emulators.close();
  });
  afterEach(() => jest.restoreAllMocks());

  it('loads, skips an unchanged file, picks up a new version, and refuses an invalid one while the last valid keeps serving', async () => {
    const key = 'lifecycle/subscriptions.json';
    const counts = countResponses(s3);
    const parse = jest.spyOn(parseModule, 'loadSubscriptionsFile');
    const onChange = jest.fn();
    const onInvalid = jest.fn();
    // Interval 0: every current() asks S3, so each step below is one conditional GET.
    const source = new SubscriptionsSource({ s3, bucket: emulators.names.bucket, key, refreshIntervalSeconds: 0, onChange, onInvalid });

    await put(key, fileWith('a', 'b'));
    const v1 = await source.current();
    expect(v1.subscriptions.map((s) => s.id)).toEqual(['a', 'b']);
    expect(v1.subscriptions[0]).toMatchObject({ delivery: { maxAttempts: 12 }, target: { webhook: { secrets: [WHSEC] } } });
    const etag1 = source.etag;
    expect(etag1).toMatch(/^"[0-9a-f]+"$/);
    expect(counts).toEqual({ downloaded: 1, notModified: 0 });
    expect(parse).toHaveBeenCalledTimes(1);

    // Unchanged: S3 answers 304 to If-None-Match, nothing is downloaded or parsed.
    expect(await source.current()).toBe(v1);
    expect(await source.current()).toBe(v1);
    expect(counts).toEqual({ downloaded: 1, notModified: 2 });
    expect(parse).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledTimes(1);

    // A new valid version.
    await put(key, fileWith('a', 'b', 'c'));
    const v2 = await source.current();
    expect(v2.subscriptions.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(source.etag).not.toBe(etag1);
    expect(parse).toHaveBeenCalledTimes(2);
    expect(onChange).toHaveBeenCalledTimes(2);
    expect(onChange).toHaveBeenLastCalledWith(v2, source.etag);

    // An invalid version: refused with every error, once; v2 keeps serving.
    const invalid = JSON.parse(fileWith('a', 'a', 'c'));
    invalid.subscriptions[2].target.webhook.url = 'ftp://x';
    await put(key, JSON.stringify(invalid));
    expect(await source.current()).toBe(v2);
    expect(onInvalid).toHaveBeenCalledTimes(1);
    const [errors, refusedEtag] = onInvalid.mock.calls[0];
    expect(errors).toEqual([
      { path: '/subscriptions/1/id', message: expect.stringMatching(/"a" is already the id of \/subscriptions\/0/) },
      { path: '/subscriptions/2/target/webhook/url', message: 'must be an http:// or https:// URL' },
    ]);
    expect(refusedEtag).toMatch(/^"[0-9a-f]+"$/);
    expect(refusedEtag).not.toBe(source.etag);
    expect(parse).toHaveBeenCalledTimes(3);

    // The refused version is not downloaded or parsed again, nor reported twice.
    expect(await source.current()).toBe(v2);
    expect(parse).toHaveBeenCalledTimes(3);
    expect(onInvalid).toHaveBeenCalledTimes(1);
    expect(counts.notModified).toBe(3);

    // Fixed again: served.
    await put(key, fileWith('d'));
    expect((await source.current()).subscriptions.map((s) => s.id)).toEqual(['d']);
  });

  it('throws InvalidSubscriptionsError with the errors when no valid version was ever loaded', async () => {
    const key = 'invalid/subscriptions.json';
    await put(key, JSON.stringify({ subscriptions: [{ id: 'x', target: {} }] }));
    const source = new SubscriptionsSource({ s3, bucket: emulators.names.bucket, key });
    const error = await source.current().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSubscriptionsError);
    expect((error as InvalidSubscriptionsError).errors).toEqual([
      { path: '/subscriptions/0/target', message: 'must have exactly one of "webhook", "oauthWebhook" or "lambda"' },
    ]);
  });

  it('serves no subscriptions while the object does not exist, and loads it once it does', async () => {
    const key = 'later/subscriptions.json';
    const source = new SubscriptionsSource({ s3, bucket: emulators.names.bucket, key, refreshIntervalSeconds: 0 });
    expect(await source.current()).toEqual({ subscriptions: [] });
    await put(key, fileWith('late'));
    expect((await source.current()).subscriptions.map((s) => s.id)).toEqual(['late']);
  });

  it('reads the PageUp format from S3 too', async () => {
    const key = 'pageup/subscriptions.json';
    await put(key, JSON.stringify([{ Type: 'Lambda', BusinessEvent: 'offer-accepted', LambdaArn: 'arn:aws:lambda:ap-southeast-2:123456789012:function:f' }]));
    const source = new SubscriptionsSource({ s3, bucket: emulators.names.bucket, key });
    expect((await source.current()).subscriptions[0]).toMatchObject({ types: ['offer-accepted'], target: { kind: 'lambda' } });
    const object = await s3.send(new GetObjectCommand({ Bucket: emulators.names.bucket, Key: key }));
    expect(object.ETag).toBe(source.etag);
  });
});
