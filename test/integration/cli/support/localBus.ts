import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTable } from '../../../../local/provision';
import { writeLocalBusEndpoints } from '../../../../src/cli/target/localBusEndpoints';
import { WORKER_TABLE_SCHEMA } from '../../../../src/store/tableSchemas';
import { startTestEmulators, type TestEmulators } from '../../../helpers/emulators';

/** Emulators in this process, published to the CLI through `endpoints.json` in a data dir. */
export interface LocalBus {
  readonly bus: TestEmulators;
  readonly dataDir: string;
  readonly workerTable: string;
}

/**
 * Plays the local bus's part for the CLI tests: before all tests, starts emulators with `shards` shards and a
 * fresh worker table, and publishes their endpoints (with `env`'s extra variables) in a temporary data dir;
 * after all, stops them and removes the dir. The fields are set once the `beforeAll` has run.
 */
export function useLocalBus(shards: number, env: (bus: TestEmulators) => Record<string, string>): LocalBus {
  const local = { workerTable: `workers-${randomUUID().slice(0, 8)}` } as { bus: TestEmulators; dataDir: string; workerTable: string };
  beforeAll(async () => {
    local.bus = await startTestEmulators({ shards });
    await ensureTable(local.bus.clients.dynamodb, local.workerTable, WORKER_TABLE_SCHEMA);
    local.dataDir = await mkdtemp(join(tmpdir(), 'switchyard-cli-'));
    await writeLocalBusEndpoints(local.dataDir, {
      url: 'http://127.0.0.1:4000',
      pid: process.pid,
      env: {
        ...local.bus.emulators.env,
        ...env(local.bus),
        WORKER_TABLE_NAME: local.workerTable,
        KMS_KEY_ID: local.bus.emulators.kmsKeyId,
      },
    });
  });
  afterAll(async () => {
    await local.bus.close();
    await rm(local.dataDir, { recursive: true, force: true });
  });
  return local;
}
