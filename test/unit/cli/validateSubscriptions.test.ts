import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/program';
import { cliContext } from './support/cliContext';

const WHSEC = `whsec_${Buffer.from('a-cli-test-webhook-secret').toString('base64')}`;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-validate-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const context = (env: NodeJS.ProcessEnv = {}) => cliContext(env, dir);

async function file(name: string, json: unknown): Promise<string> {
  await writeFile(join(dir, name), JSON.stringify(json));
  return name;
}

describe('switchyard subscriptions validate', () => {
  it('says a good file is valid and exits 0', async () => {
    const name = await file('good.json', { subscriptions: [{ id: 'a', target: { webhook: { url: 'http://127.0.0.1:4001/h', secret: WHSEC } } }] });
    const { ctx, out } = context();
    expect(await runCli(['subscriptions', 'validate', name], ctx)).toBe(0);
    expect(out).toEqual([`${name}: valid (1 subscription)`]);
  });

  it('lists every error with its path, resolving { env } secrets, and exits 1', async () => {
    const name = await file('bad.json', {
      subscriptions: [
        { id: 'a', target: { webhook: { url: 'http://127.0.0.1:4001/h' } } },
        { id: 'b', target: { webhook: { url: 'https://h.example.com', secret: { env: 'SHORT' } } } },
      ],
    });
    const { ctx, out, err } = context({ SHORT: 'whsec_c2hvcnQ=' });
    expect(await runCli(['subscriptions', 'validate', name], ctx)).toBe(1);
    expect(out).toEqual([
      `${name}: 2 errors`,
      '  /subscriptions/0/target/webhook/secret: is required: give the webhook a Standard Webhooks signing secret, or set defaults.webhookSecret',
      expect.stringMatching(/^ {2}\/subscriptions\/1\/target\/webhook\/secret: resolves to a value that must be a Standard Webhooks secret/),
    ]);
    expect(err).toEqual([`switchyard: ${name} is not valid; fix the errors above`]);
  });

  it('with --aws refuses what a deployed stage refuses (plain http, loopback), as JSON with --json', async () => {
    const name = await file('local.json', { subscriptions: [{ id: 'a', target: { webhook: { url: 'http://127.0.0.1:4001/h', secret: WHSEC } } }] });
    const { ctx, out } = context();
    expect(await runCli(['subscriptions', 'validate', name, '--aws', '--json'], ctx)).toBe(1);
    expect(JSON.parse(out[0])).toEqual({ file: name, valid: false, errors: [{ path: '/subscriptions/0/target/webhook/url', message: expect.stringContaining('https://') }] });
  });

  it('exits 2 when the file cannot be read, saying what to give', async () => {
    const { ctx, err } = context();
    expect(await runCli(['subscriptions', 'validate', 'missing.json'], ctx)).toBe(2);
    expect(err[0]).toMatch(/^switchyard: cannot read missing\.json \(ENOENT\)/);
  });
});
