import type { Construct } from 'constructs';
import { EVENT_TTL_ATTRIBUTE } from '../src/store/constants';
import { EVENT_TABLE_SCHEMA } from '../src/store/tableSchemas';
import * as iam from 'aws-cdk-lib/aws-iam';
import { INDEX_QUERY_ACTIONS, KEY_DECRYPT_ACTIONS, KEY_ENCRYPT_DECRYPT_ACTIONS, TABLE_READ_ACTIONS, TABLE_STORE_ACTIONS, actions } from './perms';
import { SwitchyardTable, type SwitchyardTableProps } from './SwitchyardTable';

/** Name of the index that serves queries by type and arrival time (and the type catalog). */
export { BY_TYPE_BUCKET_INDEX } from '../src/store/constants';

/** Props of {@link EventStore}. */
export type EventStoreProps = SwitchyardTableProps;

/**
 * The event store: one item per event keyed by source + id (`pk`) — also the dedupe record — and a
 * `byTypeBucket` index by type, bucket and arrival time projecting only keys (see EVENT_TABLE_SCHEMA; it also
 * holds the type catalog), on-demand, SSE-KMS with a customer-managed key, point-in-time recovery. The router
 * gets {@link grantStore} (it writes the catalog too); ingest (duplicate answer, `GET /events/{id}`, queries and
 * feeds) and the replay runner get {@link grantRead}; its name reaches them as
 * `EVENT_TABLE_NAME`. The router also uses its key to generate the data keys that envelope-encrypt each event's
 * payload. The event store outlives Kinesis retention, so it is retained unless a stage says otherwise. A stage
 * deployed with the older `byType` index needs two deploys (DynamoDB adds or drops one index per table update).
 * DynamoDB TTL is on `ttl` (EVENT_TTL_ATTRIBUTE): the router stamps each event with its expiry when the stage sets
 * `retentionDays` (`EVENT_RETENTION_DAYS`); events stored without it are kept.
 */
export class EventStore extends SwitchyardTable {
  constructor(scope: Construct, id: string, props: EventStoreProps = {}) {
    super(scope, id, props, { schema: EVENT_TABLE_SCHEMA, keyDescription: 'Switchyard event store', timeToLiveAttribute: EVENT_TTL_ATTRIBUTE });
  }

  /** Grants `tableActions` on the table and each of its indexes (named, no wildcard); no key actions. */
  public grant(grantee: iam.IGrantable, ...tableActions: string[]): iam.Grant {
    return this.grantOn(grantee, tableActions, this.indexNames);
  }

  /**
   * Lets `grantee` store stream batches (the router): batch reads and writes of items on the table (not its
   * indexes), plus Encrypt/Decrypt/GenerateDataKey on the key (SSE-KMS and payload data keys).
   */
  public grantStore(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grant(grantee, ...actions(KEY_ENCRYPT_DECRYPT_ACTIONS));
    return this.grantOn(grantee, actions(TABLE_STORE_ACTIONS));
  }

  /** Lets `grantee` read events by key and query `byTypeBucket` (events and type catalog), plus Decrypt on the key. */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grant(grantee, ...actions(KEY_DECRYPT_ACTIONS));
    return this.grantOn(grantee, actions(TABLE_READ_ACTIONS), this.indexNames);
  }

  /**
   * Lets `grantee` trim types to a maximum (`trimEventsPerType`): Query on `byTypeBucket` (the catalog, COUNT and the
   * oldest keys) and BatchWriteItem on the table (deletes by key; no Scan, no reads of items), plus Decrypt on the key.
   */
  public grantTrim(grantee: iam.IGrantable): iam.Grant {
    this.encryptionKey.grant(grantee, ...actions(KEY_DECRYPT_ACTIONS));
    iam.Grant.addToPrincipal({ grantee, actions: actions(INDEX_QUERY_ACTIONS), resourceArns: this.indexArns(this.indexNames) });
    return this.grantOn(grantee, ['dynamodb:BatchWriteItem']);
  }
}
