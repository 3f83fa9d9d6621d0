/**
 * The latency and cost options of a stage (cdk.json `lowLatency`, `billing`, `ingest`), checked and given their
 * defaults in one place, so the stage stack, the cost model (`npm run cost`) and the tests read the same thing.
 */

/** What a table is billed by: per request, or a fixed number of read and write capacity units per table and index. */
export type TableBilling = 'onDemand' | { readonly provisioned: { readonly read: number; readonly write: number } };

/** What the stream is billed by: `shardCount` shards (per shard hour) or on-demand (per stream hour and per GB). */
export type StreamBilling = 'provisioned' | 'onDemand';

/** cdk.json `billing`. */
export interface StageBilling {
  /** @default 'onDemand' */
  readonly tables?: TableBilling;
  /** @default 'provisioned' */
  readonly stream?: StreamBilling;
}

/** What producers call: the HTTP API (per-request charge, throttling, access logs) or a Lambda function URL. */
export const INGEST_MODES = ['httpApi', 'functionUrl'] as const;
export type IngestMode = (typeof INGEST_MODES)[number];

/** The options with their defaults applied. */
export interface CostOptions {
  readonly lowLatency: boolean;
  readonly tables: TableBilling;
  readonly stream: StreamBilling;
  readonly ingest: IngestMode;
}

/** Defaults: what a stage without the settings gets (the cheapest at idle, see the cost table). */
export const COST_OPTION_DEFAULTS: CostOptions = { lowLatency: false, tables: 'onDemand', stream: 'provisioned', ingest: 'httpApi' };

/** Largest provisioned capacity accepted per table or index (DynamoDB's default per-table quota). */
export const MAX_PROVISIONED_UNITS = 40_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The stage's options, defaults applied. `where` prefixes each error (e.g. `stages.prod`).
 * @throws naming the field and what it may be, for an unknown key or value.
 */
export function resolveCostOptions(
  config: { readonly lowLatency?: unknown; readonly billing?: unknown; readonly ingest?: unknown },
  where = 'config',
): CostOptions {
  const lowLatency = config.lowLatency ?? COST_OPTION_DEFAULTS.lowLatency;
  if (typeof lowLatency !== 'boolean') throw new Error(`${where}.lowLatency must be true or false, got ${JSON.stringify(lowLatency)}`);
  const ingest = config.ingest ?? COST_OPTION_DEFAULTS.ingest;
  if (!INGEST_MODES.includes(ingest as IngestMode)) {
    throw new Error(`${where}.ingest must be one of ${INGEST_MODES.map((m) => `"${m}"`).join(', ')}, got ${JSON.stringify(ingest)}`);
  }
  const billing = config.billing ?? {};
  if (!isRecord(billing)) throw new Error(`${where}.billing must be an object, got ${JSON.stringify(billing)}`);
  for (const key of Object.keys(billing)) {
    if (key !== 'tables' && key !== 'stream') throw new Error(`${where}.billing: unknown key "${key}"; known keys are tables, stream`);
  }
  const stream = billing.stream ?? COST_OPTION_DEFAULTS.stream;
  if (stream !== 'provisioned' && stream !== 'onDemand') {
    throw new Error(`${where}.billing.stream must be "provisioned" or "onDemand", got ${JSON.stringify(stream)}`);
  }
  return { lowLatency, ingest: ingest as IngestMode, stream, tables: tableBillingOf(billing.tables, `${where}.billing.tables`) };
}

function tableBillingOf(value: unknown, where: string): TableBilling {
  if (value === undefined || value === 'onDemand') return 'onDemand';
  const shape = '"onDemand" or { "provisioned": { "read": <units>, "write": <units> } }';
  if (!isRecord(value) || Object.keys(value).join() !== 'provisioned' || !isRecord(value.provisioned)) {
    throw new Error(`${where} must be ${shape}, got ${JSON.stringify(value)}`);
  }
  const units = value.provisioned;
  for (const key of Object.keys(units)) {
    if (key !== 'read' && key !== 'write') throw new Error(`${where}.provisioned: unknown key "${key}"; known keys are read, write`);
  }
  for (const key of ['read', 'write'] as const) {
    const n = units[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PROVISIONED_UNITS) {
      throw new Error(`${where}.provisioned.${key} must be an integer from 1 to ${MAX_PROVISIONED_UNITS} capacity units, got ${JSON.stringify(n)}`);
    }
  }
  return { provisioned: { read: units.read as number, write: units.write as number } };
}
