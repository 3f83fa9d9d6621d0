/**
 * IAM action lists of the bus's constructs, kept as data (as aws-dynamodb's `perms.ts` does) so each
 * intent-named grant (`grantPublish`, `grantStore`, ...) is one list plus the matching key actions.
 * Lists are explicit — no action wildcards — so cdk-nag has nothing to flag in them.
 */

/**
 * Kinesis: what a producer (ingest) calls — PutRecords, and nothing else (no PutRecord, ListShards or
 * DescribeStreamSummary: no code calls them; the answer of PutRecords says the shard of each record).
 */
export const STREAM_PUBLISH_ACTIONS = ['kinesis:PutRecords'] as const;

/**
 * Kinesis: what a consumer needs (the Lambda event source mapping, a `ShardWorker`). The same list
 * as `Stream.grantRead`, so the mapping's own grant merges into the statement this one makes.
 */
export const STREAM_CONSUME_ACTIONS = [
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
  'kinesis:SubscribeToShard',
  'kinesis:DescribeStream',
  'kinesis:ListStreams',
  'kinesis:DescribeStreamConsumer',
] as const;

/**
 * DynamoDB: the router storing a batch in the event store — one consistent BatchGetItem for what is stored
 * already (the dedupe), BatchWriteItem for the rest, PutItem for a data key's item (and single events), GetItem
 * for a data key's item. No updates, deletes, queries or scans.
 */
export const TABLE_STORE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:BatchWriteItem',
] as const;

/**
 * DynamoDB: reads of the event store — by key (the duplicate answer of `POST /events`, `GET /events/{id}`) and
 * queries of the `byTypeBucket` index and the type catalog (`GET /events`, feeds, replay, backtest).
 */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;

/**
 * DynamoDB: idempotency records and worker leases — claim (conditional put), read (one or a batch), extend,
 * release, write completions in batches. No scans, no transactions (ConditionCheckItem), no DescribeTable.
 */
export const TABLE_READ_WRITE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

/**
 * DynamoDB: the delivery ledger as the router and redeliver keep it (lanes, dead letters, the delivery log,
 * disabled subscriptions, replay jobs) — single-item conditional reads and writes and queries. No batches, no scans
 * (the CLI's listing scans with the operator's own credentials).
 */
export const LEDGER_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

/**
 * DynamoDB: the delivery ledger's `due` index — the redeliver sweep queries it for lane heads whose next
 * attempt is due. Indexes are read-only, so Query is all an index ARN ever needs.
 */
export const INDEX_QUERY_ACTIONS = ['dynamodb:Query'] as const;

/** S3: reading `subscriptions.json` (and a given version of it) from the config bucket. */
export const BUCKET_READ_OBJECT_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'] as const;

/** S3: listing the versions of `subscriptions.json` (the router's fallback to the newest valid version). */
export const BUCKET_LIST_VERSIONS_ACTIONS = ['s3:ListBucketVersions'] as const;

/** KMS: a Kinesis producer on a stream encrypted with a customer-managed key. */
export const KEY_STREAM_PUBLISH_ACTIONS = ['kms:GenerateDataKey'] as const;

/** KMS: reading anything encrypted under the key (stream consumer, table reader, bucket reader). */
export const KEY_DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;

/**
 * KMS: writing to a table under the key, plus the event store's envelope encryption
 * (GenerateDataKey for a fresh data key, Decrypt to open stored payloads).
 */
export const KEY_ENCRYPT_DECRYPT_ACTIONS = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:Encrypt',
  'kms:GenerateDataKey',
] as const;

/** Secrets Manager: resolving a `{ "secretsManager": id }` reference of subscriptions.json. */
export const SECRET_READ_ACTIONS = ['secretsmanager:GetSecretValue'] as const;

/** SSM Parameter Store: resolving a `{ "ssm": name }` reference (SecureString decrypted by the service). */
export const PARAMETER_READ_ACTIONS = ['ssm:GetParameter'] as const;

/** Lambda: delivering to a `lambda` target (`Event` or `RequestResponse` invocation). */
export const FUNCTION_INVOKE_ACTIONS = ['lambda:InvokeFunction'] as const;

/** Copies an `as const` list into the mutable array the CDK grant APIs take. */
export function actions(list: readonly string[]): string[] {
  return [...list];
}
