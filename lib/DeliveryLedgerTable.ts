import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { DELIVERY_TABLE_SCHEMA } from '../src/store/tableSchemas';
import { INDEX_QUERY_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, LEDGER_ACTIONS, actions } from './perms';
import { SwitchyardTable, type SwitchyardTableProps } from './SwitchyardTable';

/** Name of the sparse index of lane heads awaiting their next attempt (`dueBucket` + `dueAt`). */
export const DUE_INDEX = 'due';

/** Props of {@link DeliveryLedgerTable}. */
export type DeliveryLedgerTableProps = SwitchyardTableProps;

/**
 * The delivery ledger (src/delivery/ledger): lanes of failed or held-back deliveries, dead letters and
 * disabled subscriptions, and the delivery log (every attempt of a delivery that failed once) in one table keyed by `pk` + `sk`, with the sparse `due` index the redeliver
 * sweep reads; on-demand, SSE-KMS with a customer-managed key, point-in-time recovery. The engine and
 * redeliver functions get {@link grantReadWrite}; its name reaches them as `DELIVERY_TABLE_NAME`. They also
 * use its key to generate the data keys that seal each stored event (`sealEventData`). It holds pending
 * retries and dead letters — the only record of deliveries that have not happened — so it is retained
 * unless a stage says otherwise.
 */
export class DeliveryLedgerTable extends SwitchyardTable {
  constructor(scope: Construct, id: string, props: DeliveryLedgerTableProps = {}) {
    // The delivery log's attempt items carry `expiresAt` (30 days), and dead letters when the stage sets
    // `deadLetterDays` (`DEAD_LETTER_DAYS`); lanes, disabled subscriptions and replay jobs never expire.
    super(scope, id, props, { schema: DELIVERY_TABLE_SCHEMA, keyDescription: 'Switchyard delivery ledger', timeToLiveAttribute: 'expiresAt' });
  }

  /**
   * Lets `grantee` keep the ledger: single-item conditional reads and writes and queries on the table
   * (no Scan), Query on the `due` index, plus Encrypt/Decrypt/GenerateDataKey on the key (SSE-KMS and
   * the data keys that seal stored events).
   */
  public grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grant(grantee, ...actions(KEY_ENCRYPT_DECRYPT_ACTIONS));
    iam.Grant.addToPrincipal({
      grantee,
      actions: actions(INDEX_QUERY_ACTIONS),
      resourceArns: this.indexArns(this.indexNames),
    });
    return this.grantOn(grantee, actions(LEDGER_ACTIONS));
  }
}
