import fc from 'fast-check';
import { CliError } from '../../../src/cli/errors';
import { normalizeBaseUrl, resolveApiTarget } from '../../../src/cli/target/resolveApiTarget';

const noStack = async () => {
  throw new Error('no stack read expected');
};

describe('resolveApiTarget', () => {
  test('targets the local bus at http://127.0.0.1:4000 when nothing is given', async () => {
    expect(await resolveApiTarget({}, { env: {}, readStackOutputs: noStack })).toEqual({
      url: 'http://127.0.0.1:4000/',
      description: 'http://127.0.0.1:4000',
      origin: 'default',
    });
  });

  test('takes SWITCHYARD_URL and SWITCHYARD_TOKEN from the environment; --url and --token win over them', async () => {
    const env = { SWITCHYARD_URL: 'http://bus.internal:8080', SWITCHYARD_TOKEN: 'from-env' };
    expect(await resolveApiTarget({}, { env })).toEqual({ url: 'http://bus.internal:8080/', token: 'from-env', description: 'http://bus.internal:8080', origin: 'env' });
    expect(await resolveApiTarget({ url: 'https://x.example/api', token: 'flag' }, { env })).toEqual({
      url: 'https://x.example/api/',
      token: 'flag',
      description: 'https://x.example/api',
      origin: 'url',
    });
  });

  test("takes a stage's ApiUrl stack output, beneath its path", async () => {
    const asked: Array<[string, string | undefined]> = [];
    const target = await resolveApiTarget(
      { stage: 'prod', region: 'ap-southeast-2' },
      {
        env: { SWITCHYARD_URL: 'http://127.0.0.1:4000' },
        readStackOutputs: async (stack, region) => {
          asked.push([stack, region]);
          return { ApiUrl: 'https://abc.execute-api.ap-southeast-2.amazonaws.com/prod/' };
        },
      },
    );
    expect(asked).toEqual([['Switchyard-prod', 'ap-southeast-2']]);
    expect(target.url).toBe('https://abc.execute-api.ap-southeast-2.amazonaws.com/prod/');
    expect(new URL('events', target.url).toString()).toBe('https://abc.execute-api.ap-southeast-2.amazonaws.com/prod/events');
    expect(target.description).toBe('stage prod (Switchyard-prod) at https://abc.execute-api.ap-southeast-2.amazonaws.com/prod/');
    await expect(resolveApiTarget({ stage: 'old' }, { env: {}, readStackOutputs: async () => ({}) })).rejects.toThrow(
      'stack Switchyard-old has no output ApiUrl: redeploy the stage with this version',
    );
  });

  test.each([
    [{ url: 'http://a', stage: 'prod' }, 'pass --url or --stage, not both'],
    [{ url: 'localhost:4000' }, '--url must be an http(s) URL such as http://127.0.0.1:4000, got "localhost:4000"'],
    [{ url: 'ftp://bus' }, '--url must be an http(s) URL such as http://127.0.0.1:4000, got "ftp://bus"'],
    [{ url: 'http://bus/?x=1' }, '--url must be the API\'s base URL, without a query or fragment, got "http://bus/?x=1"'],
    [{ token: 'two words' }, '--token (or SWITCHYARD_TOKEN) must be one word without spaces'],
  ])('refuses %j as a usage mistake (exit code 2)', async (options, message) => {
    const refused = resolveApiTarget(options, { env: {}, readStackOutputs: noStack });
    await expect(refused).rejects.toThrow(new CliError(message));
    await expect(refused).rejects.toMatchObject({ exitCode: 2 });
  });

  test('a base URL always ends in `/`, keeps its path, and `events` resolves beneath it', () => {
    const segment = fc.stringMatching(/^[a-z0-9-]{1,8}$/);
    fc.assert(
      fc.property(fc.constantFrom('http', 'https'), fc.domain(), fc.array(segment, { maxLength: 3 }), fc.boolean(), (scheme, host, path, slash) => {
        const given = `${scheme}://${host}${path.length ? `/${path.join('/')}` : ''}${slash ? '/' : ''}`;
        const base = normalizeBaseUrl(given, '--url');
        expect(base.endsWith('/')).toBe(true);
        expect(new URL('events', base).pathname).toBe(`/${[...path, 'events'].join('/')}`);
      }),
    );
  });
});
