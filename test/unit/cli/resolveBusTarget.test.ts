import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../../../src/cli/errors';
import { readLocalBusEndpoints, removeLocalBusEndpoints, writeLocalBusEndpoints } from '../../../src/cli/target/localBusEndpoints';
import { resolveBusTarget } from '../../../src/cli/target/resolveBusTarget';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'switchyard-cli-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const busEnv = {
  AWS_ENDPOINT_URL_KINESIS: 'http://127.0.0.1:5001',
  EVENT_STREAM_NAME: 'switchyard-events',
  WORKER_TABLE_NAME: 'switchyard-workers',
};

describe('the local bus target', () => {
  test("overlays the running bus's published environment on the process's", async () => {
    await writeLocalBusEndpoints(dataDir, { url: 'http://127.0.0.1:4000', pid: process.pid, env: busEnv });
    const target = await resolveBusTarget({ dataDir }, { env: { HOME: '/home/me', EVENT_STREAM_NAME: 'stale' } });
    expect(target.description).toBe('local bus at http://127.0.0.1:4000');
    expect(target.env).toEqual({ HOME: '/home/me', ...busEnv });
    expect(target.need('WORKER_TABLE_NAME')).toBe('switchyard-workers');
    expect(() => target.need('DELIVERY_TABLE_NAME')).toThrow(`the local bus on ${dataDir} did not publish DELIVERY_TABLE_NAME: restart it with this version`);
  });

  test('takes the data dir from SWITCHYARD_DATA_DIR', async () => {
    await writeLocalBusEndpoints(dataDir, { url: 'http://127.0.0.1:4001', pid: process.pid, env: busEnv });
    const target = await resolveBusTarget({}, { env: { SWITCHYARD_DATA_DIR: dataDir } });
    expect(target.description).toBe('local bus at http://127.0.0.1:4001');
  });

  test('says to start the bus when none runs: no file, or a file left by a dead process', async () => {
    await expect(resolveBusTarget({ dataDir }, { env: {} })).rejects.toThrow(
      new CliError(`no local bus is running on ${dataDir} (${join(dataDir, 'endpoints.json')} is missing): start one with \`npm start\`, or pass --data-dir / --stage`),
    );
    await writeLocalBusEndpoints(dataDir, { url: 'http://127.0.0.1:4000', pid: 999_999, env: busEnv });
    await expect(resolveBusTarget({ dataDir }, { env: {}, isAlive: () => false })).rejects.toThrow(
      `the local bus that wrote ${join(dataDir, 'endpoints.json')} (pid 999999) is not running: start it with \`npm start\``,
    );
    await removeLocalBusEndpoints(dataDir);
    await removeLocalBusEndpoints(dataDir); // already gone: fine
    await expect(readLocalBusEndpoints(dataDir)).rejects.toThrow('is missing');
  });

  test('refuses a malformed file', async () => {
    await writeFile(join(dataDir, 'endpoints.json'), '{"url": 1}');
    await expect(readLocalBusEndpoints(dataDir)).rejects.toThrow('lacks url, pid or env; restart the local bus to rewrite it');
    await writeFile(join(dataDir, 'endpoints.json'), 'not json');
    await expect(readLocalBusEndpoints(dataDir)).rejects.toThrow('is not JSON');
  });
});

describe('a stage target', () => {
  const outputs = {
    EventStreamName: 'Switchyard-prod-EventStream-abc',
    IdempotencyTableName: 'Switchyard-prod-Idempotency-def',
    WorkerTableName: 'Switchyard-prod-Workers-ghi',
    DeliveryTableName: 'Switchyard-prod-Deliveries-jkl',
    ApiUrl: 'https://example.execute-api.ap-southeast-2.amazonaws.com/',
  };

  test("reads stack Switchyard-<stage>'s outputs into the variables the runtime reads, without local endpoint overrides", async () => {
    const asked: Array<[string, string | undefined]> = [];
    const target = await resolveBusTarget(
      { stage: 'prod', region: 'ap-southeast-2' },
      {
        env: { HOME: '/home/me', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:5000', AWS_PROFILE: 'ops' },
        readStackOutputs: async (stack, region) => {
          asked.push([stack, region]);
          return outputs;
        },
      },
    );
    expect(asked).toEqual([['Switchyard-prod', 'ap-southeast-2']]);
    expect(target.description).toBe('stage prod (Switchyard-prod)');
    expect(target.env).toEqual({
      HOME: '/home/me',
      AWS_PROFILE: 'ops',
      AWS_REGION: 'ap-southeast-2',
      EVENT_STREAM_NAME: outputs.EventStreamName,
      IDEMPOTENCY_TABLE_NAME: outputs.IdempotencyTableName,
      WORKER_TABLE_NAME: outputs.WorkerTableName,
      DELIVERY_TABLE_NAME: outputs.DeliveryTableName,
      KMS_KEY_ID: 'alias/switchyard-prod',
      SWITCHYARD_URL: outputs.ApiUrl,
    });
  });

  test('names the stack output a command needs and the stack lacks', async () => {
    const target = await resolveBusTarget({ stage: 'dev' }, { env: {}, readStackOutputs: async () => ({ EventStreamName: 's' }) });
    expect(() => target.need('WORKER_TABLE_NAME')).toThrow('stack Switchyard-dev has no output WorkerTableName: redeploy the stage with this version');
  });

  test('refuses a stage name that cannot name a stack', async () => {
    await expect(resolveBusTarget({ stage: 'prod;rm' }, { env: {}, readStackOutputs: async () => ({}) })).rejects.toThrow(
      '--stage must be a stage name (letters, digits, hyphens), got "prod;rm"',
    );
  });
});
