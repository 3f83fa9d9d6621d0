import { randomUUID } from 'node:crypto';
import { createAwsClients, type AwsClients } from '../../src/wiring/awsClients';
import { startEmulators, type Emulators } from '../../local/emulators';
import { provisionLocalResources, resourceEnv, type LocalResourceNames } from '../../local/provision';

export interface TestEmulators {
  emulators: Emulators;
  clients: AwsClients;
  names: LocalResourceNames;
  /** process.env plus the emulator endpoints and resource names, for handler factories. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** Starts in-memory emulators on free loopback ports and creates uniquely named resources. */
export async function startTestEmulators(options: { shards?: number } = {}): Promise<TestEmulators> {
  const emulators = await startEmulators();
  const suffix = randomUUID().slice(0, 8);
  const names: LocalResourceNames = {
    eventTable: `events-${suffix}`,
    idempotencyTable: `idempotency-${suffix}`,
    deliveryTable: `deliveries-${suffix}`,
    workerTable: `workers-${suffix}`,
    stream: `stream-${suffix}`,
    shards: options.shards ?? 2,
    bucket: `config-${suffix}`,
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...emulators.env,
    ...resourceEnv(names, emulators.kmsKeyId),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  const clients = createAwsClients(env);
  await provisionLocalResources(clients, names);
  return {
    emulators,
    clients,
    names,
    env,
    close: async () => {
      for (const client of Object.values(clients)) (client as { destroy?: () => void }).destroy?.();
      await emulators.close();
    },
  };
}
