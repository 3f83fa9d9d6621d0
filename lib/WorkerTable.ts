import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { WORKER_TABLE_SCHEMA } from '../src/store/tableSchemas';
import { KEY_ENCRYPT_DECRYPT_ACTIONS, actions } from './perms';
import { SwitchyardTable, type SwitchyardTableProps } from './SwitchyardTable';

/** Props of {@link WorkerTable}. */
export type WorkerTableProps = SwitchyardTableProps;

/**
 * Leases and checkpoints of `ShardWorker` consumers (src/worker): one item per (consumer, shard), keyed by
 * `pk` + `sk`, every checkpoint a conditional write fenced by the lease counter; on-demand, SSE-KMS with a
 * customer-managed key, point-in-time recovery. Worker processes and worker functions get
 * {@link grantWorker}; its name reaches them as `WORKER_TABLE_NAME`. Losing the checkpoints sends every
 * consumer back to its start position, so the table is retained unless a stage says otherwise.
 */
export class WorkerTable extends SwitchyardTable {
  constructor(scope: Construct, id: string, props: WorkerTableProps = {}) {
    super(scope, id, props, { schema: WORKER_TABLE_SCHEMA, keyDescription: 'Switchyard worker leases' });
  }

  /**
   * Lets `grantee` run workers: take, renew and release leases and write fenced checkpoints (single-item
   * conditional reads and writes, Query per consumer, no Scan), plus the key actions. A worker also needs
   * `EventStream.grantConsume` (the shards) and `IdempotencyTable.grantReadWrite` (its per-event records).
   */
  public grantWorker(grantee: iam.IGrantable): iam.Grant {
    return this.grantItemReadWrite(grantee);
  }

  /**
   * Lets `grantee` register its consumer (`ConsumerRegistry`: a worker function checking the stage's consumer limit
   * at cold start): Query, PutItem and DeleteItem on the table (no Scan), plus the key actions.
   */
  public grantConsumerRegistry(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grant(grantee, ...actions(KEY_ENCRYPT_DECRYPT_ACTIONS));
    return this.grantOn(grantee, ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem']);
  }
}
