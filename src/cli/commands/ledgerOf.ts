import { createEventKeys } from '../../crypto';
import { DeliveryLedger } from '../../delivery/ledger/DeliveryLedger';
import { createAwsClients } from '../../wiring/awsClients';
import { ENV } from '../../wiring/environment';
import { resolveBusTarget } from '../target/resolveBusTarget';
import type { CliContext } from '../types';
import { busTargetOf } from './options';

/** `--stage`, `--region`, `--data-dir` as parsed (see `addBusTargetOptions`). */
export interface TargetOptions {
  stage?: string;
  region?: string;
  dataDir?: string;
}

/** The delivery ledger of the bus the options name (the local bus by default). */
export async function ledgerOf(options: TargetOptions, context: CliContext): Promise<DeliveryLedger> {
  const target = await resolveBusTarget(busTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
  const clients = createAwsClients(target.env);
  return new DeliveryLedger({
    documents: clients.documents,
    tableName: target.need(ENV.deliveryTableName),
    keys: createEventKeys({ kms: clients.kms, keyId: target.need(ENV.kmsKeyId) }),
    onUnreadable: (ref, error) =>
      context.err(`cannot open the ledger item of subscription ${ref.subscriptionId} lane ${ref.lane} sequence ${ref.sequence}: ${error instanceof Error ? error.message : String(error)}`),
  });
}
