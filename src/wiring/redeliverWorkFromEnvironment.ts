import type { AwsClients } from './awsClients';
import { deliveryRuntimeFromEnvironment } from './deliveryFromEnvironment';
import { ENV, requireEnv } from './environment';
import { RedeliverWork } from '../engine/RedeliverWork';
import type { EngineLog, EngineMetrics } from '../engine/types';
import { ReplayJobs } from '../replay/ReplayJobs';

/** The redeliver function's idle check (see `RedeliverWork`), on the same ledger and clients as its sweep. */
export function redeliverWorkFromEnvironment(env: NodeJS.ProcessEnv, log: EngineLog, metrics?: EngineMetrics, clients?: AwsClients): RedeliverWork {
  const runtime = deliveryRuntimeFromEnvironment(env, log, metrics, clients);
  return new RedeliverWork({
    ledger: runtime.ledger,
    replayJobs: new ReplayJobs({ documents: runtime.aws.documents, tableName: requireEnv(ENV.deliveryTableName, env) }),
    log,
  });
}
