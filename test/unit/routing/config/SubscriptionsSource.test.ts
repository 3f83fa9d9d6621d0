import { GetObjectCommand, ListObjectVersionsCommand, NoSuchKey, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidSubscriptionsError, SubscriptionsUnavailableError } from '../../../../src/routing/config/errors';
import { SubscriptionsSource } from '../../../../src/routing/config/SubscriptionsSource';
import { WHSEC } from './fixtures';

// Unit tests of the caching logic with a stubbed client; test/integration/routing/config runs it against s3rver.
const s3Mock = mockClient(S3Client);

const fileWith = (...ids: string[]) =>
  JSON.stringify({ subscriptions: ids.map((id) => ({ id, target: { webhook: { url: 'https://a.example/hooks', secret: WHSEC } } })) });

function object(text: string, etag: string) {
  // What GetObject returns, as far as SubscriptionsSource reads it.
  return { ETag: etag, Body: { transformToString: async () => text } as never };
}

const notModified = () =>
  new S3ServiceException({ name: 'NotModified', $fault: 'client', $metadata: { httpStatusCode: 304 }, message: 'Not Modified' });

function makeSource(overrides: Partial<ConstructorParameters<typeof SubscriptionsSource>[0]> = {}) {
  const clock = { now: 0 };
  const onChange = jest.fn();
  const onInvalid = jest.fn();
  const onError = jest.fn();
  const source = new SubscriptionsSource({
    s3: new S3Client({ region: 'us-east-1' }),
    bucket: 'config',
    key: 'subscriptions.json',
    now: () => clock.now,
    onChange,
    onInvalid,
    onError,
    ...overrides,
  });
  return { source, clock, onChange, onInvalid, onError };
}

const ids = (config: { subscriptions: { id: string }[] }) => config.subscriptions.map((s) => s.id);

beforeEach(() => s3Mock.reset());

describe('SubscriptionsSource', () => {
  it('loads and validates the file on first use, and reports it as a change', async () => {
    s3Mock.on(GetObjectCommand).resolves(object(fileWith('a', 'b'), '"e1"'));
    const { source, onChange } = makeSource();
    expect(ids(await source.current())).toEqual(['a', 'b']);
    expect(source.etag).toBe('"e1"');
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ subscriptions: expect.any(Array) }), '"e1"');
    expect(s3Mock.commandCalls(GetObjectCommand)[0].args[0].input).toEqual({ Bucket: 'config', Key: 'subscriptions.json' });
  });

  it('answers from memory within the refresh interval (10 s by default)', async () => {
    s3Mock.on(GetObjectCommand).resolves(object(fileWith('a'), '"e1"'));
    const { source, clock } = makeSource();
    const first = await source.current();
    clock.now = 9_999;
    expect(await source.current()).toBe(first);
    expect(s3Mock.calls()).toHaveLength(1);
  });

  it('asks with If-None-Match after the interval; an unchanged file is neither downloaded nor parsed', async () => {
    s3Mock.on(GetObjectCommand).resolvesOnce(object(fileWith('a'), '"e1"')).rejects(notModified());
    const { source, clock, onChange } = makeSource({ refreshIntervalSeconds: 5 });
    const first = await source.current();
    clock.now = 5_000;
    expect(await source.current()).toBe(first);
    expect(s3Mock.commandCalls(GetObjectCommand)[1].args[0].input).toMatchObject({ IfNoneMatch: '"e1"' });
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('picks up a new valid version', async () => {
    s3Mock.on(GetObjectCommand).resolvesOnce(object(fileWith('a'), '"e1"')).resolves(object(fileWith('a', 'c'), '"e2"'));
    const { source, clock, onChange } = makeSource();
    await source.current();
    clock.now = 10_000;
    expect(ids(await source.current())).toEqual(['a', 'c']);
    expect(source.etag).toBe('"e2"');
    expect(onChange).toHaveBeenCalledTimes(2);
  });

  it('refuses an invalid new version once, keeps serving the last valid one, and does not re-parse it', async () => {
    s3Mock
      .on(GetObjectCommand)
      .resolvesOnce(object(fileWith('a'), '"e1"'))
      .resolvesOnce(object(fileWith('a', 'a'), '"e2"'))
      .rejects(notModified());
    const { source, clock, onInvalid, onChange } = makeSource();
    const valid = await source.current();
    clock.now = 10_000;
    expect(await source.current()).toBe(valid);
    expect(onInvalid).toHaveBeenCalledWith([{ path: '/subscriptions/1/id', message: expect.stringMatching(/already the id/) }], '"e2"');
    expect(source.etag).toBe('"e1"');
    clock.now = 20_000;
    expect(await source.current()).toBe(valid);
    expect(s3Mock.commandCalls(GetObjectCommand)[2].args[0].input).toMatchObject({ IfNoneMatch: '"e2"' });
    expect(onInvalid).toHaveBeenCalledTimes(1);
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('throws an InvalidSubscriptionsError carrying the errors while no valid version was ever loaded', async () => {
    s3Mock.on(GetObjectCommand).resolves(object('{"subscriptions": "none"}', '"bad"'));
    const { source, onInvalid } = makeSource();
    const error = await source.current().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSubscriptionsError);
    expect((error as InvalidSubscriptionsError).errors).toEqual([{ path: '/subscriptions', message: 'must be an array, got a string' }]);
    expect((error as InvalidSubscriptionsError).etag).toBe('"bad"');
    expect(onInvalid).toHaveBeenCalledTimes(1);
  });

  it('refuses invalid JSON with its position, without the text', async () => {
    s3Mock.on(GetObjectCommand).resolves(object('{"subscriptions": [TOPSECRET]}', '"j"'));
    const { source } = makeSource();
    const error = (await source.current().catch((e: unknown) => e)) as InvalidSubscriptionsError;
    expect(error.errors).toEqual([{ path: '', message: 'is not valid JSON (line 1, column 20)' }]);
    expect(error.message).not.toContain('TOPSECRET');
  });

  // s3rver keeps no object versions, so this runs on the stubbed client only.
  it('on a cold start whose latest version is invalid, serves the newest valid earlier version', async () => {
    s3Mock.on(GetObjectCommand, { Key: 'subscriptions.json', VersionId: undefined }).resolves(object('{"subscriptions": [{"id": 1}]}', '"e3"'));
    s3Mock.on(GetObjectCommand, { VersionId: 'v2' }).resolves(object('{ broken', '"e2"'));
    s3Mock.on(GetObjectCommand, { VersionId: 'v1' }).resolves(object(fileWith('older'), '"e1"'));
    s3Mock.on(ListObjectVersionsCommand).resolves({
      Versions: [
        { Key: 'subscriptions.json', VersionId: 'v1', ETag: '"e1"', LastModified: new Date(1_000) },
        { Key: 'subscriptions.json', VersionId: 'v3', ETag: '"e3"', LastModified: new Date(3_000), IsLatest: true },
        { Key: 'subscriptions.json', VersionId: 'v2', ETag: '"e2"', LastModified: new Date(2_000) },
      ],
    });
    const onFallback = jest.fn();
    const { source, onInvalid, onChange } = makeSource({ onFallback });
    expect(ids(await source.current())).toEqual(['older']);
    expect(source.etag).toBe('"e1"');
    expect(onInvalid).toHaveBeenCalledWith(expect.arrayContaining([expect.objectContaining({ path: '/subscriptions/0/id' })]), '"e3"');
    expect(onFallback).toHaveBeenCalledWith('v1', '"e1"');
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('throws the latest errors on a cold start when no earlier version is valid', async () => {
    s3Mock.on(GetObjectCommand).resolves(object('{ broken', '"e3"'));
    s3Mock.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: 'subscriptions.json', VersionId: 'v3', ETag: '"e3"', LastModified: new Date(3_000) }] });
    const { source } = makeSource();
    await expect(source.current()).rejects.toBeInstanceOf(InvalidSubscriptionsError);
  });

  it('serves no subscriptions while the object is missing (not an error), and loads it at the next check', async () => {
    s3Mock
      .on(GetObjectCommand)
      .rejectsOnce(new NoSuchKey({ message: 'no such key', $metadata: { httpStatusCode: 404 } }))
      .resolves(object(fileWith('a'), '"e1"'));
    const { source, clock, onChange } = makeSource();
    expect(await source.current()).toEqual({ subscriptions: [] });
    expect(onChange).toHaveBeenCalledWith({ subscriptions: [] }, undefined);
    clock.now = 10_000;
    expect(ids(await source.current())).toEqual(['a']);
  });

  it('throws a SubscriptionsUnavailableError while S3 cannot be read and nothing was served, and tries again on the next call', async () => {
    s3Mock.on(GetObjectCommand).rejectsOnce(new Error('socket hang up')).resolves(object(fileWith('a'), '"e1"'));
    const { source } = makeSource();
    const error = await source.current().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubscriptionsUnavailableError);
    expect((error as Error).message).toBe('subscriptions s3://config/subscriptions.json could not be loaded: S3 GetObject failed (Error)');
    // Nothing to serve, so no waiting for the interval.
    expect(ids(await source.current())).toEqual(['a']);
  });

  it('keeps serving the last valid version when S3 fails, reporting it and waiting for the next interval', async () => {
    s3Mock.on(GetObjectCommand).resolvesOnce(object(fileWith('a'), '"e1"')).rejects(new Error('socket hang up'));
    const { source, clock, onError } = makeSource();
    const valid = await source.current();
    clock.now = 10_000;
    expect(await source.current()).toBe(valid);
    expect(onError).toHaveBeenCalledWith(expect.any(SubscriptionsUnavailableError));
    expect(onError.mock.calls[0][0].message).toMatch(/S3 GetObject failed \(Error\)/);
    clock.now = 15_000;
    await source.current();
    expect(s3Mock.calls()).toHaveLength(2);
  });

  it('does not re-parse the same bytes under a new ETag (a re-upload)', async () => {
    s3Mock.on(GetObjectCommand).resolvesOnce(object(fileWith('a'), '"e1"')).resolves(object(fileWith('a'), '"e1-again"'));
    const { source, clock, onChange } = makeSource();
    const valid = await source.current();
    clock.now = 10_000;
    expect(await source.current()).toBe(valid);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(source.etag).toBe('"e1-again"');
  });

  it('shares one request between concurrent callers', async () => {
    s3Mock.on(GetObjectCommand).resolves(object(fileWith('a'), '"e1"'));
    const { source } = makeSource();
    const configs = await Promise.all(Array.from({ length: 10 }, () => source.current()));
    expect(new Set(configs).size).toBe(1);
    expect(s3Mock.calls()).toHaveLength(1);
  });

  it('applies maxSubscriptions and the environment to the file', async () => {
    s3Mock.on(GetObjectCommand).resolves(object(fileWith('a', 'b'), '"e1"'));
    const { source } = makeSource({ maxSubscriptions: 1 });
    await expect(source.current()).rejects.toThrow(/has 2 subscriptions; at most 1/);
  });
});
