/**
 * Every AWS list price the cost model (`npm run cost`) uses, in one place, each with the page it comes from.
 * Region us-east-1 (US East, N. Virginia), US dollars, no free tier, no savings plans, no discounts.
 *
 * Date: the prices are AWS's published on-demand list prices as of 2025 (the latest the authors could read). This
 * repository is built without network access, so they were not re-read on 2026-12-06: check the source pages before
 * quoting a figure, and change a price here only (every figure follows).
 */

/** One price: what it is per, and where AWS publishes it. */
export interface Price {
  readonly usd: number;
  readonly per: string;
  readonly source: string;
}

export const PRICE_REGION = 'us-east-1';
export const PRICES_AS_OF = '2025 (AWS list prices; not re-read offline on 2026-12-06)';

/** Hours in a month, as AWS's pricing examples count them. */
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
export const GIB = 1024 ** 3;

const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const KINESIS = 'https://aws.amazon.com/kinesis/data-streams/pricing/';
const DYNAMODB_ON_DEMAND = 'https://aws.amazon.com/dynamodb/pricing/on-demand/';
const DYNAMODB_PROVISIONED = 'https://aws.amazon.com/dynamodb/pricing/provisioned/';
const API_GATEWAY = 'https://aws.amazon.com/api-gateway/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const SECRETS_MANAGER = 'https://aws.amazon.com/secrets-manager/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const XRAY = 'https://aws.amazon.com/xray/pricing/';
const DATA_TRANSFER = 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer';
const EVENTBRIDGE = 'https://aws.amazon.com/eventbridge/pricing/';

export const PRICES = {
  // Lambda (Arm, the functions' architecture)
  lambdaGbSecondArm: { usd: 0.0000133334, per: 'GB-second (Arm, first 7.5 billion GB-s a month)', source: LAMBDA },
  lambdaRequest: { usd: 0.2 / 1e6, per: 'request', source: LAMBDA },
  // Kinesis Data Streams, provisioned mode
  kinesisShardHour: { usd: 0.015, per: 'shard hour', source: KINESIS },
  kinesisPutPayloadUnit: { usd: 0.014 / 1e6, per: 'PUT payload unit (each record, in 25 KB units)', source: KINESIS },
  kinesisExtendedRetentionShardHour: { usd: 0.02, per: 'shard hour of retention beyond 24 h, up to 7 days', source: KINESIS },
  kinesisLongTermRetentionGbMonth: { usd: 0.0023, per: 'GB-month stored beyond 7 days', source: KINESIS },
  kinesisEfoConsumerShardHour: { usd: 0.015, per: 'enhanced fan-out consumer-shard hour', source: KINESIS },
  kinesisEfoRetrievalGb: { usd: 0.013, per: 'GB read by an enhanced fan-out consumer', source: KINESIS },
  // Kinesis Data Streams, on-demand mode
  kinesisOnDemandStreamHour: { usd: 0.04, per: 'on-demand stream hour', source: KINESIS },
  kinesisOnDemandInGb: { usd: 0.08, per: 'GB written (each record rounded up to 1 KB)', source: KINESIS },
  kinesisOnDemandOutGb: { usd: 0.04, per: 'GB read by a shared-throughput consumer', source: KINESIS },
  kinesisOnDemandEfoOutGb: { usd: 0.05, per: 'GB read by an enhanced fan-out consumer (on-demand stream)', source: KINESIS },
  // DynamoDB
  dynamodbWriteRequestUnit: { usd: 0.625 / 1e6, per: 'on-demand write request unit', source: DYNAMODB_ON_DEMAND },
  dynamodbReadRequestUnit: { usd: 0.125 / 1e6, per: 'on-demand read request unit', source: DYNAMODB_ON_DEMAND },
  dynamodbWcuHour: { usd: 0.00065, per: 'provisioned write capacity unit hour', source: DYNAMODB_PROVISIONED },
  dynamodbRcuHour: { usd: 0.00013, per: 'provisioned read capacity unit hour', source: DYNAMODB_PROVISIONED },
  // API Gateway HTTP API
  httpApiRequest: { usd: 1.0 / 1e6, per: 'HTTP API request (first 300 million a month, 512 KB increments)', source: API_GATEWAY },
  // KMS
  kmsKeyMonth: { usd: 1.0, per: 'customer-managed key month (each of the first two yearly rotations adds $1)', source: KMS },
  kmsRequest: { usd: 0.03 / 10_000, per: 'KMS request', source: KMS },
  // Secrets Manager
  secretMonth: { usd: 0.4, per: 'secret month', source: SECRETS_MANAGER },
  // CloudWatch
  alarmMetricMonth: { usd: 0.1, per: 'standard-resolution alarm metric month', source: CLOUDWATCH },
  dashboardMonth: { usd: 3.0, per: 'dashboard month', source: CLOUDWATCH },
  customMetricMonth: { usd: 0.3, per: 'custom metric month (first 10,000)', source: CLOUDWATCH },
  logsIngestedGb: { usd: 0.5, per: 'GB of logs ingested', source: CLOUDWATCH },
  // X-Ray (the functions trace actively: 1 request a second, then 5%)
  xrayTraceRecorded: { usd: 5.0 / 1e6, per: 'trace recorded', source: XRAY },
  // Data transfer out to the internet (webhook posts)
  dataTransferOutGb: { usd: 0.09, per: 'GB out to the internet (first 10 TB a month)', source: DATA_TRANSFER },
  // EventBridge, the comparison
  eventBridgeEvent: { usd: 1.0 / 1e6, per: 'custom event published (64 KB chunks)', source: EVENTBRIDGE },
  eventBridgeApiDestination: { usd: 0.2 / 1e6, per: 'API destination invocation', source: EVENTBRIDGE },
} as const satisfies Record<string, Price>;

export type Prices = { readonly [K in keyof typeof PRICES]: Price };

/**
 * CloudWatch's always-free tier, per account and month: what a stage alone in its account does not pay. Shown
 * beside the list figure, never folded into it (a second stage in the same account shares it).
 */
export const CLOUDWATCH_FREE_TIER = { dashboards: 3, alarmMetrics: 10, customMetrics: 10, source: CLOUDWATCH } as const;
