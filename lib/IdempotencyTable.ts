import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { IDEMPOTENCY_TABLE_SCHEMA } from '../src/store/tableSchemas';
import { SwitchyardTable, type SwitchyardTableProps } from './SwitchyardTable';

/** Attribute holding a record's expiry in Unix seconds; DynamoDB TTL deletes expired records. */
export const IDEMPOTENCY_TTL_ATTRIBUTE = 'expiresAt';

/** Props of {@link IdempotencyTable}: no deletion protection, its records only live for the dedupe window. */
export type IdempotencyTableProps = Omit<SwitchyardTableProps, 'deletionProtection'>;

/**
 * Idempotency records (ingest dedupe on source + id, later worker records per consumer): keyed by
 * `pk`, expiring through the TTL attribute `expiresAt`, on-demand, SSE-KMS, point-in-time recovery.
 * Its name reaches the functions as `IDEMPOTENCY_TABLE_NAME`. Retained by default like every table, though
 * its records only live for the dedupe window.
 */
export class IdempotencyTable extends SwitchyardTable {
  constructor(scope: Construct, id: string, props: IdempotencyTableProps = {}) {
    super(scope, id, props, {
      schema: IDEMPOTENCY_TABLE_SCHEMA,
      keyDescription: 'Switchyard idempotency records',
      timeToLiveAttribute: IDEMPOTENCY_TTL_ATTRIBUTE,
      protectWhenRetained: false,
    });
  }

  /** Lets `grantee` claim, read, extend and release records (no Scan), plus the key actions. */
  public grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    return this.grantItemReadWrite(grantee);
  }
}
