/**
 * The environment variables that connect the handlers to their resources. The CDK stage sets them on
 * each function; the local bus sets them to the emulators before it imports the same handlers.
 */
/**
 * Defaults of the settings several places need (functions, the stage stack, the local bus), stated once here.
 */
export const WIRING_DEFAULTS = {
  /** Object key of subscriptions.json in the config bucket (`SUBSCRIPTIONS_KEY`). */
  subscriptionsKey: 'subscriptions.json',
  /** Seconds one redeliver invocation keeps starting rounds (`REDELIVER_SWEEP_SECONDS`): most of its minute. */
  redeliverSweepSeconds: 55,
} as const;

export const ENV = {
  /** Kinesis stream the ingest function publishes to. */
  eventStreamName: 'EVENT_STREAM_NAME',
  /** DynamoDB table of stored events (the event store; its items are the dedupe records). */
  eventTableName: 'EVENT_TABLE_NAME',
  /** DynamoDB table of idempotency records (worker completions per consumer, source and id). */
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  /** KMS key (id, ARN or alias) that wraps the event store's data keys. */
  kmsKeyId: 'KMS_KEY_ID',
  /** A single token with every right (the local bus); when set, callers must send it (or another credential) as a bearer token. */
  producerToken: 'SWITCHYARD_TOKEN',
  /** Secrets Manager secret of producers and readers with their token hashes and rights (AWS; see src/auth/types.ts). */
  producerTokensSecretId: 'PRODUCER_TOKENS_SECRET_ID',
  /** The local bus's producers file: the same JSON as the stage's secret, re-read when it changes. */
  producersFile: 'SWITCHYARD_PRODUCERS_FILE',
  /** Largest accepted event in bytes (default 262144, at most 393216: an event must fit a DynamoDB item). */
  maxEventBytes: 'MAX_EVENT_BYTES',
  /** Comma-separated type patterns whose events `GET /events` pages and `GET /feeds/…` serve without `data`. */
  privateTypes: 'SWITCHYARD_PRIVATE_TYPES',
  /** DynamoDB table of the delivery ledger: failed deliveries awaiting retry, dead letters, disabled subscriptions. */
  deliveryTableName: 'DELIVERY_TABLE_NAME',
  /** DynamoDB table of worker leases and checkpoints (`ShardWorker`). */
  workerTableName: 'WORKER_TABLE_NAME',
  /** Consumer name of a Lambda worker (`OrderedWorkerFunction`): keys its idempotency records. */
  workerConsumerName: 'WORKER_CONSUMER_NAME',
  /** How long a Lambda worker's claim on an event may stay unfinished before a retry takes it over, in ms (default 60000). */
  workerInProgressTimeoutMs: 'WORKER_IN_PROGRESS_TIMEOUT_MS',
  /** S3 bucket holding subscriptions.json. */
  configBucketName: 'CONFIG_BUCKET_NAME',
  /** Object key of subscriptions.json in the config bucket (default `subscriptions.json`). */
  subscriptionsKey: 'SUBSCRIPTIONS_KEY',
  /** Subscriptions allowed in subscriptions.json (default 1000). */
  maxSubscriptions: 'MAX_SUBSCRIPTIONS',
  /** `true` lets webhooks reach private, loopback and link-local addresses and plain http (the local bus only). */
  allowPrivateNetworks: 'ALLOW_PRIVATE_NETWORKS',
  /** Seconds between checks of subscriptions.json for a new version (default 10; the local bus uses 1). */
  subscriptionsRefreshSeconds: 'SUBSCRIPTIONS_REFRESH_SECONDS',
  /**
   * Directory that relative module paths of `local.functions` in subscriptions.json start from. Set by the local
   * bus only: without it, local Lambda ARNs (`arn:aws:lambda:local:…`) are dead-lettered, so in AWS no module
   * named by the config is ever loaded.
   */
  localFunctionsDir: 'LOCAL_FUNCTIONS_DIR',
  /** Days the event store keeps an event (its `ttl` attribute); unset: events are kept until deleted. */
  eventRetentionDays: 'EVENT_RETENTION_DAYS',
  /** Days the delivery ledger keeps a dead letter (its `expiresAt` attribute); unset: until redriven or deleted. */
  deadLetterDays: 'DEAD_LETTER_DAYS',
  /** Comma-separated hosts (`hooks.partner.io`) and `*.`-patterns (`*.example.com`) webhook and token URLs may name; unset: any host. */
  allowedTargetHosts: 'ALLOWED_TARGET_HOSTS',
  /** Most events kept per type by the trim function (`maxEventsPerType`); the oldest beyond it are deleted. */
  maxEventsPerType: 'MAX_EVENTS_PER_TYPE',
  /** Most distinct consumers the worker table registers (`ShardWorker`, worker functions; default 20). */
  maxWorkerConsumers: 'MAX_WORKER_CONSUMERS',
  /** How long one redeliver invocation keeps sweeping due deliveries, in seconds (default 55). */
  redeliverSweepSeconds: 'REDELIVER_SWEEP_SECONDS',
  /** The AWS SDK's connection timeout in ms (default 3000); the stage sets it below each function's timeout. */
  sdkConnectionTimeoutMs: 'SWITCHYARD_SDK_CONNECTION_TIMEOUT_MS',
  /** The AWS SDK's request (socket idle) timeout in ms (default 30000); the stage sets it below each function's timeout. */
  sdkRequestTimeoutMs: 'SWITCHYARD_SDK_REQUEST_TIMEOUT_MS',
  /** Optional endpoint overrides, set by the local bus and tests (the AWS SDK's own variable names). */
  dynamodbEndpoint: 'AWS_ENDPOINT_URL_DYNAMODB',
  kinesisEndpoint: 'AWS_ENDPOINT_URL_KINESIS',
  s3Endpoint: 'AWS_ENDPOINT_URL_S3',
  kmsEndpoint: 'AWS_ENDPOINT_URL_KMS',
  secretsManagerEndpoint: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  ssmEndpoint: 'AWS_ENDPOINT_URL_SSM',
  lambdaEndpoint: 'AWS_ENDPOINT_URL_LAMBDA',
} as const;

/** Reads a required variable, failing at cold start with the variable's name rather than later. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is required`);
  }
  return value;
}

/** Reads an optional positive integer variable, refusing anything else with the name and value. */
export function intEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`environment variable ${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Reads an optional positive integer variable: undefined when unset, refusing anything else with the name and value. */
export function optionalIntEnv(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[name];
  return raw === undefined || raw === '' ? undefined : intEnv(name, 1, env);
}
