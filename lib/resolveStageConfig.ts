/**
 * The per-stage settings kept in `cdk.json` under `context.stages`, and the function that picks the
 * one named by `-c stage=<name>`. Shapes and types are checked here (a typo in a key is an error, not
 * a silent default); ranges are checked by the constructs that use each value.
 */

import type { IngestMode, StageBilling } from './StageCostOptions';

/** How a stage's stateful resources (key, stream, tables, bucket, logs, secret) leave the stack. */
export const STAGE_REMOVAL_POLICIES = ['retain', 'destroy'] as const;
export type StageRemovalPolicy = (typeof STAGE_REMOVAL_POLICIES)[number];

/** One stage of the bus, as written in `cdk.json` → `context.stages.<name>`. */
export interface StageConfig {
  /** Shards of the Kinesis stream (1 to 500). */
  readonly shardCount: number;
  /** Retention of the Kinesis stream in hours (24 to 8760). */
  readonly retentionHours: number;
  /**
   * Largest accepted event in bytes (`MAX_EVENT_BYTES`), 1 to 393216: DynamoDB's 400 KB item limit less
   * 16 KiB for the item's own attributes, so every accepted event fits the event store and the ledger.
   * @default 262144
   */
  readonly maxEventBytes?: number;
  /**
   * `retain` keeps the key, stream, tables, bucket, secret and logs when the stack is deleted;
   * `destroy` deletes them (and empties the buckets) — for throwaway stages such as `ci` and `dev`.
   * @default 'retain'
   */
  readonly removalPolicy?: StageRemovalPolicy;
  /**
   * Retention of the functions' and the API's log groups, in days; one of CloudWatch Logs' values
   * (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, ...).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * API Gateway throttling of the ingest API.
   * @default { rateLimit: 500, burstLimit: 1000 }
   */
  readonly apiThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Reserved concurrency of the ingest function.
   * @default - none
   */
  readonly ingestReservedConcurrency?: number;
  /**
   * Reserved concurrency of the router function (it runs at most one invocation per shard anyway).
   * @default - none
   */
  readonly routerReservedConcurrency?: number;
  /**
   * Reserved concurrency of the redeliver function (unset: a new account's quota of 10 cannot reserve any).
   * @default - none
   */
  readonly redeliverReservedConcurrency?: number;
  /**
   * The router reads the stream through an enhanced fan-out consumer (pushed records, ~70 ms instead of up to
   * a second of polling; costs a consumer-shard hour and per GB read, see `npm run cost`).
   * @default false
   */
  readonly lowLatency?: boolean;
  /**
   * Billing of the tables (`"onDemand"` or `{ "provisioned": { "read": n, "write": n } }` per table and index)
   * and of the stream (`"provisioned"`: `shardCount` shards, or `"onDemand"`). See lib/StageCostOptions.ts.
   * @default { tables: 'onDemand', stream: 'provisioned' }
   */
  readonly billing?: StageBilling;
  /**
   * What producers call: `"httpApi"` (API Gateway HTTP API) or `"functionUrl"` (a Lambda function URL, auth type
   * NONE, the bearer token checked by ingest; no per-request API charge, no API throttle).
   * @default 'httpApi'
   */
  readonly ingest?: IngestMode;
  /**
   * Subscriptions accepted in subscriptions.json (`MAX_SUBSCRIPTIONS`), 1 to 100000; a larger file is
   * refused and the last valid one keeps serving.
   * @default 1000
   */
  readonly maxSubscriptions?: number;
  /**
   * Lambda functions subscriptions may deliver to: ARNs or ARN patterns with `*`/`?` in the name (see
   * `DeliveryTargetAccess`). An unqualified ARN also covers its versions and aliases.
   * @default - the functions of the stage's account and region named `switchyard-<stage>-*`
   */
  readonly lambdaTargets?: readonly string[];
  /**
   * Event type patterns (NATS-style) whose events the read routes (`GET /events`, `GET /feeds/…`) serve without
   * `data` (`SWITCHYARD_PRIVATE_TYPES`).
   * @default - none
   */
  readonly privateTypes?: readonly string[];
  /**
   * Days the event store keeps an event (DynamoDB TTL on `ttl`, `EVENT_RETENTION_DAYS`), 1 to 36500 and at least
   * the stream's retention (the store is the dedupe record). Deletion by TTL runs within a few days of expiry.
   * @default - events are kept until deleted
   */
  readonly retentionDays?: number;
  /**
   * Days the delivery ledger keeps a dead letter (DynamoDB TTL on `expiresAt`, `DEAD_LETTER_DAYS`), 1 to 3650.
   * @default - dead letters are kept until redriven or deleted
   */
  readonly deadLetterDays?: number;
  /**
   * Most events the event store keeps per type (CHEFS `max_msgs`), 1 to 100000000: a function started every hour
   * deletes each type's oldest beyond it (Query and COUNT, no scan). Between runs a type may hold more.
   * @default - no maximum (no trim function)
   */
  readonly maxEventsPerType?: number;
  /**
   * The only IAM role (or user) ARNs that may write or delete objects in the config bucket (subscriptions.json),
   * e.g. the stage's deploy role: a bucket policy denies everyone else.
   * @default - no such policy: whoever IAM lets write to the bucket (the account's administrators)
   */
  readonly configWriters?: readonly string[];
  /**
   * Hosts webhook and OAuth token URLs may name: exact names (`hooks.partner.io`) or `*.` patterns matching any
   * subdomain (`*.example.com`, not `example.com` itself). A subscriptions.json naming another host is refused
   * at load with the path of the URL (`ALLOWED_TARGET_HOSTS`).
   * @default - any public host
   */
  readonly allowedTargetHosts?: readonly string[];
  /**
   * Most distinct worker consumers (`ShardWorker`, worker functions) the worker table registers, 1 to 1000; a new
   * consumer beyond it is refused at start (`MAX_WORKER_CONSUMERS`).
   * @default 20
   */
  readonly maxWorkerConsumers?: number;
  /**
   * E-mail address the stage's alarms are sent to (an SNS e-mail subscription; its recipient confirms it once).
   * @default - none: the alarm topic exists without a subscription
   */
  readonly alarmEmail?: string;
  /** Router (and worker) iterator age that alarms, in seconds (1 to 604800). @default 300 */
  readonly alarmIteratorAgeSeconds?: number;
  /** Errors of one function in 5 minutes that alarm (1 to 100000). @default 1 */
  readonly alarmFunctionErrors?: number;
  /** Throttles of one function in 5 minutes that alarm (1 to 100000). @default 1 */
  readonly alarmFunctionThrottles?: number;
  /** 5xx answers of the ingest API (or function URL) in 5 minutes that alarm (1 to 100000). @default 5 */
  readonly alarmApi5xx?: number;
  /**
   * AWS account of the stage.
   * @default - the CLI's account (CDK_DEFAULT_ACCOUNT), or environment-agnostic
   */
  readonly account?: string;
  /**
   * AWS region of the stage.
   * @default - the CLI's region (CDK_DEFAULT_REGION), or environment-agnostic
   */
  readonly region?: string;
}

/** A stage name becomes part of the stack name `Switchyard-<stage>`. */
const STAGE_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

type FieldKind = 'number' | 'string' | 'stringList' | 'removalPolicy' | 'throttle' | 'boolean' | 'object';
const FIELDS: Record<keyof StageConfig, { kind: FieldKind; required?: boolean }> = {
  shardCount: { kind: 'number', required: true },
  retentionHours: { kind: 'number', required: true },
  maxEventBytes: { kind: 'number' },
  removalPolicy: { kind: 'removalPolicy' },
  logRetentionDays: { kind: 'number' },
  apiThrottle: { kind: 'throttle' },
  ingestReservedConcurrency: { kind: 'number' },
  routerReservedConcurrency: { kind: 'number' },
  redeliverReservedConcurrency: { kind: 'number' },
  lowLatency: { kind: 'boolean' },
  billing: { kind: 'object' },
  ingest: { kind: 'string' },
  maxSubscriptions: { kind: 'number' },
  privateTypes: { kind: 'stringList' },
  lambdaTargets: { kind: 'stringList' },
  retentionDays: { kind: 'number' },
  deadLetterDays: { kind: 'number' },
  maxEventsPerType: { kind: 'number' },
  configWriters: { kind: 'stringList' },
  allowedTargetHosts: { kind: 'stringList' },
  maxWorkerConsumers: { kind: 'number' },
  alarmEmail: { kind: 'string' },
  alarmIteratorAgeSeconds: { kind: 'number' },
  alarmFunctionErrors: { kind: 'number' },
  alarmFunctionThrottles: { kind: 'number' },
  alarmApi5xx: { kind: 'number' },
  account: { kind: 'string' },
  region: { kind: 'string' },
};

/** Keys of earlier versions that no longer mean anything, with why: a stage still setting one is told. */
const REMOVED: Record<string, string> = {
  dedupeWindowSeconds: 'ingest keeps no dedupe records any more; the event store is the dedupe record for as long as it keeps the event',
  archiveReservedConcurrency: 'the archive function is gone: the router stores and delivers (routerReservedConcurrency)',
  archiveRetryAttempts: 'the router retries a failing batch for as long as the stream keeps it',
  archiveMaxRecordAgeHours: 'the router retries a failing batch for as long as the stream keeps it',
  engineRetryAttempts: 'the router retries a failing batch for as long as the stream keeps it',
  engineMaxRecordAgeHours: 'the router retries a failing batch for as long as the stream keeps it',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkField(where: string, key: string, kind: FieldKind, value: unknown): void {
  const fail = (expected: string) => {
    throw new Error(`${where}.${key} must be ${expected}, got ${JSON.stringify(value)}`);
  };
  switch (kind) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('a number');
      return;
    case 'string':
      if (typeof value !== 'string' || value === '') fail('a non-empty string');
      return;
    case 'stringList':
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
        fail('an array of non-empty strings');
      }
      return;
    case 'removalPolicy':
      if (!STAGE_REMOVAL_POLICIES.includes(value as StageRemovalPolicy)) {
        fail(`one of ${STAGE_REMOVAL_POLICIES.map((p) => `"${p}"`).join(', ')}`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail('true or false');
      return;
    case 'object':
      // The shape is checked by the construct that reads it (lib/StageCostOptions.ts for billing).
      if (!isRecord(value)) fail('an object');
      return;
    case 'throttle':
      if (
        !isRecord(value) ||
        typeof value.rateLimit !== 'number' ||
        typeof value.burstLimit !== 'number' ||
        Object.keys(value).some((k) => k !== 'rateLimit' && k !== 'burstLimit')
      ) {
        fail('{ "rateLimit": <number>, "burstLimit": <number> }');
      }
      return;
  }
}

/**
 * Returns the configuration of `stage` from the `stages` context object of `cdk.json`.
 * @throws when no stage is given (saying `-c stage=<name>`), when the stage is unknown (listing the
 * known ones), or when its configuration has a missing, mistyped or unknown key.
 */
export function resolveStageConfig(stages: unknown, stage: unknown): StageConfig {
  if (!isRecord(stages) || Object.keys(stages).length === 0) {
    throw new Error('cdk.json has no stages: add a "stages" object to its "context", e.g. { "dev": { "shardCount": 1, "retentionHours": 24 } }');
  }
  const known = Object.keys(stages).sort();
  if (stage === undefined || stage === null || stage === '') {
    throw new Error(`no stage given: run cdk with -c stage=<name>, where <name> is one of: ${known.join(', ')}`);
  }
  if (typeof stage !== 'string' || !STAGE_NAME.test(stage)) {
    throw new Error(
      `stage must be a letter followed by up to 63 letters, digits or hyphens, got ${JSON.stringify(stage)}`,
    );
  }
  if (!Object.prototype.hasOwnProperty.call(stages, stage)) {
    throw new Error(`unknown stage "${stage}": known stages are ${known.join(', ')} (cdk.json context.stages)`);
  }
  const config = stages[stage];
  const where = `stages.${stage}`;
  if (!isRecord(config)) {
    throw new Error(`${where} must be an object, got ${JSON.stringify(config)}`);
  }
  for (const key of Object.keys(config)) {
    if (key in REMOVED) throw new Error(`${where}: "${key}" was removed (${REMOVED[key]}); delete it from cdk.json`);
    if (!(key in FIELDS)) {
      throw new Error(`${where}: unknown key "${key}"; known keys are ${Object.keys(FIELDS).join(', ')}`);
    }
  }
  for (const [key, field] of Object.entries(FIELDS)) {
    const value = config[key];
    if (value === undefined) {
      if (field.required) throw new Error(`${where}.${key} is required`);
      continue;
    }
    checkField(where, key, field.kind, value);
  }
  return config as unknown as StageConfig;
}
