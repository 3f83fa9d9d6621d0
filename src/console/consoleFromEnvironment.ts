import { createEventKeys } from '../crypto';
import { DeliveryLedger } from '../delivery/ledger/DeliveryLedger';
import { ReplayJobs } from '../replay/ReplayJobs';
import { SubscriptionsSource } from '../routing/config/SubscriptionsSource';
import { createAwsClients, type AwsClients } from '../wiring/awsClients';
import { DEFAULT_SUBSCRIPTIONS_KEY } from '../wiring/deliveryFromEnvironment';
import { ENV } from '../wiring/environment';
import { eventStoreFromEnvironment } from '../wiring/ingestFromEnvironment';
import type { Actor, AuditRecord, ConsoleDeps } from './types';

export interface ConsoleEnvironmentOptions {
  /** `local bus at …` or `stage prod (Switchyard-prod)`. */
  description: string;
  /** Who is at the keyboard (see `whoIsOperator`). */
  actor: () => Promise<Actor>;
  /** @default one JSON line on stderr per action */
  audit?: (record: AuditRecord) => void;
  clients?: AwsClients;
}

/**
 * The console's dependencies from a bus's environment (the local bus's process.env, or a stage's through
 * `resolveBusTarget`): the same store, ledger, replay jobs and subscriptions source the bus's functions use.
 */
export function consoleFromEnvironment(env: NodeJS.ProcessEnv, options: ConsoleEnvironmentOptions): ConsoleDeps {
  const clients = options.clients ?? createAwsClients(env);
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`the console needs ${name}, which ${options.description} does not set`);
    return value;
  };
  const deliveryTable = need(ENV.deliveryTableName);
  const source = new SubscriptionsSource({
    s3: clients.s3,
    bucket: need(ENV.configBucketName),
    key: env[ENV.subscriptionsKey] || DEFAULT_SUBSCRIPTIONS_KEY,
    refreshIntervalSeconds: 1,
    env,
    // Shown, never delivered to: the bus judged the targets when it loaded the file.
    allowPrivateNetworks: true,
    fallbackVersions: 0,
  });
  let actor: Promise<Actor> | undefined;
  return {
    description: options.description,
    store: eventStoreFromEnvironment(env, clients),
    ledger: new DeliveryLedger({
      documents: clients.documents,
      tableName: deliveryTable,
      keys: createEventKeys({ kms: clients.kms, keyId: need(ENV.kmsKeyId) }),
      // One unreadable item must not blank a whole listing: it is skipped and reported.
      onUnreadable: (ref, error) =>
        console.error(JSON.stringify({ level: 'WARN', message: 'console: unreadable ledger item skipped', ...ref, error: error instanceof Error ? error.message : String(error) })),
    }),
    jobs: new ReplayJobs({ documents: clients.documents, tableName: deliveryTable }),
    subscriptions: () => source.current(),
    kinesis: clients.kinesis,
    streamName: need(ENV.eventStreamName),
    actor: () => (actor ??= options.actor()),
    audit: options.audit ?? ((record) => console.error(JSON.stringify({ level: 'INFO', message: 'console action', ...record }))),
  };
}
