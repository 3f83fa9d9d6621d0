import type { AwsClients } from './awsClients';
import { createDeliveryAwsClients, type DeliveryAwsClients } from './deliveryClients';
import { ENV, intEnv, optionalIntEnv, requireEnv, WIRING_DEFAULTS } from './environment';
import { createEventKeys } from '../crypto';
import { createDeliveryDeps } from '../delivery/createDeliveryDeps';
import type { DeliveryDeps } from '../delivery/deliver';
import { DeliveryLedger } from '../delivery/ledger/DeliveryLedger';
import type { WebhookClientOptions } from '../delivery/WebhookClient';
import { DeliveryLimiter, sharedDeliveryLimiter } from '../engine/DeliveryLimiter';
import { DisabledSubscriptionsCache } from '../engine/DisabledSubscriptionsCache';
import { Redeliverer } from '../engine/Redeliverer';
import { SubscriptionEngine } from '../engine/SubscriptionEngine';
import { ENGINE_METRIC, type EngineLog, type EngineMetrics } from '../engine/types';
import { DEFAULT_MAX_SUBSCRIPTIONS, DEFAULT_REFRESH_INTERVAL_SECONDS } from '../routing/config/constants';
import { parseAllowedTargetHosts } from '../routing/config/allowedTargetHosts';
import { SecretResolver } from '../routing/config/SecretResolver';
import { SubscriptionsSource } from '../routing/config/SubscriptionsSource';
import type { SubscriptionsConfig } from '../routing/subscriptionTypes';
import { Router } from '../router/Router';
import { ReplayJobs } from '../replay/ReplayJobs';
import { ReplayRunner } from '../replay/ReplayRunner';
import { eventStoreFromEnvironment } from './ingestFromEnvironment';

// Builders of the delivery functions (router, redeliver), apart from `ingestFromEnvironment.ts` so that ingest does
// not load the delivery side (SSM, Lambda, the ledger) at cold start.

/** Object key of subscriptions.json in the config bucket unless `SUBSCRIPTIONS_KEY` says otherwise. */
export const DEFAULT_SUBSCRIPTIONS_KEY = WIRING_DEFAULTS.subscriptionsKey;

/** What the router and the redeliverer of one process share: one config, one ledger, one connection pool. */
export interface DeliveryRuntime {
  /** The clients every part of the delivery side uses (the router's event store included). */
  aws: DeliveryAwsClients;
  source: SubscriptionsSource;
  ledger: DeliveryLedger;
  deliveryDeps: DeliveryDeps;
  limiter: DeliveryLimiter;
  disabled: DisabledSubscriptionsCache;
}

/** Runtimes by environment object: the local bus builds the engine and the redeliverer from the same process.env. */
const runtimes = new WeakMap<NodeJS.ProcessEnv, DeliveryRuntime>();

/**
 * The delivery side's dependencies, built once per environment object (so on the local bus the engine and the
 * redeliverer share the subscriptions, the OAuth token cache, the keep-alive sockets and the limits):
 * subscriptions.json from the config bucket (a refused version is logged with every error path and counted
 * as `SubscriptionsRefused`), the delivery ledger, secrets from the environment, Secrets Manager and SSM, and
 * webhooks in AWS mode (public https targets only) unless `ALLOW_PRIVATE_NETWORKS=true` (the local bus).
 */
export function deliveryRuntimeFromEnvironment(
  env: NodeJS.ProcessEnv,
  log: EngineLog,
  metrics?: EngineMetrics,
  clients?: AwsClients,
): DeliveryRuntime {
  const existing = runtimes.get(env);
  if (existing !== undefined) return existing;
  // The common clients may be given (tests, the local bus); SSM and Lambda are added to them.
  const aws: DeliveryAwsClients = clients !== undefined && 'ssm' in clients ? (clients as DeliveryAwsClients) : createDeliveryAwsClients(env, clients);
  const secrets = new SecretResolver({
    // Providers, so the SDK packages load only when a secret of that kind is first read.
    secretsManager: () => aws.secretsManager,
    ssm: () => aws.ssm,
    env,
    // In Lambda the environment holds the function's own credentials (AWS_SECRET_ACCESS_KEY…): never a secret source.
    ...(env.AWS_LAMBDA_FUNCTION_NAME
      ? {
          refuseEnvReferences:
            '{ env } references are not read in AWS (the function environment holds its own credentials): keep the secret in Secrets Manager as switchyard/<stage>/… and use { "secretsManager": "switchyard/<stage>/…" }, or in SSM under /switchyard/<stage>/ with { "ssm": … }',
        }
      : {}),
    onRefreshError: (reference, error) => log.warn('could not refresh a secret; its previous value keeps serving', { reference, error: error.message }),
  });
  let config: SubscriptionsConfig | undefined;
  const source = new SubscriptionsSource({
    s3: aws.s3,
    bucket: requireEnv(ENV.configBucketName, env),
    key: env[ENV.subscriptionsKey] || DEFAULT_SUBSCRIPTIONS_KEY,
    refreshIntervalSeconds: intEnv(ENV.subscriptionsRefreshSeconds, DEFAULT_REFRESH_INTERVAL_SECONDS, env),
    maxSubscriptions: intEnv(ENV.maxSubscriptions, DEFAULT_MAX_SUBSCRIPTIONS, env),
    env,
    // A version is judged as delivery will treat it: secrets resolved and checked, https and the SSRF guard in AWS.
    resolveSecret: (ref) => secrets.resolve(ref),
    ...targetRulesOf(webhookMode(env)),
    allowedHosts: parseAllowedTargetHosts(env[ENV.allowedTargetHosts], ENV.allowedTargetHosts),
    onFallback: (versionId, etag) =>
      log.warn('the latest subscriptions.json is invalid; serving the newest valid earlier version', { versionId, etag }),
    onInvalid: (errors, etag) => {
      log.error('subscriptions.json refused; the last valid version keeps serving', {
        etag,
        errorCount: errors.length,
        errors: errors.map((error) => ({ path: error.path || '/', message: error.message })),
      });
      metrics?.addMetric(ENGINE_METRIC.subscriptionsRefused, 'Count', 1);
    },
    onChange: (next, etag) => {
      config = next;
      log.info('serving subscriptions.json', { etag, subscriptions: next.subscriptions.length });
    },
    onError: (error) => log.warn('could not check subscriptions.json; the last valid version keeps serving', { error: error.message }),
  });
  const localFunctionsDir = env[ENV.localFunctionsDir];
  const ledger = new DeliveryLedger({
    documents: aws.documents,
    tableName: requireEnv(ENV.deliveryTableName, env),
    keys: createEventKeys({ kms: aws.kms, keyId: requireEnv(ENV.kmsKeyId, env) }),
    deadLetterDays: optionalIntEnv(ENV.deadLetterDays, env),
    onUnreadable: (ref, error) =>
      log.error('a ledger item cannot be opened; it is left in place', { ...ref, error: error instanceof Error ? error.message : String(error) }),
  });
  const runtime: DeliveryRuntime = {
    aws,
    source,
    ledger,
    deliveryDeps: createDeliveryDeps({
      resolveSecret: (ref) => secrets.resolve(ref),
      webhooks: webhookMode(env),
      lambdas: {
        lambda: () => aws.lambda,
        // Local Lambda ARNs run modules of `local.functions` only where the local bus asked for it.
        ...(localFunctionsDir ? { localFunctions: () => config?.local?.functions, baseDir: localFunctionsDir } : {}),
      },
    }),
    limiter: sharedDeliveryLimiter(),
    disabled: new DisabledSubscriptionsCache(ledger),
  };
  runtimes.set(env, runtime);
  return runtime;
}

/** The load-time URL rules that match a delivery client's options (its defaults are AWS mode). */
function targetRulesOf(mode: WebhookClientOptions): { requireHttps: boolean; allowPrivateNetworks: boolean } {
  const allowPrivateNetworks = mode.allowPrivateNetworks ?? false;
  return { allowPrivateNetworks, requireHttps: mode.requireHttps ?? !allowPrivateNetworks };
}

/** AWS mode (public https targets only) unless `ALLOW_PRIVATE_NETWORKS=true`, which only the local bus sets. */
function webhookMode(env: NodeJS.ProcessEnv): WebhookClientOptions {
  const raw = env[ENV.allowPrivateNetworks];
  if (raw === undefined || raw === '' || raw === 'false') return {};
  if (raw === 'true') return { allowPrivateNetworks: true, requireHttps: false };
  throw new Error(`environment variable ${ENV.allowPrivateNetworks} must be "true" or "false", got ${JSON.stringify(raw)}`);
}

/** The subscription engine: matching and delivery of stream events (see `SubscriptionEngine`), the router's second step. */
export function engineFromEnvironment(env: NodeJS.ProcessEnv, log: EngineLog, metrics?: EngineMetrics, clients?: AwsClients): SubscriptionEngine {
  const runtime = deliveryRuntimeFromEnvironment(env, log, metrics, clients);
  return new SubscriptionEngine({ ...runtime, log, metrics });
}

/**
 * The router function's router (see `Router`): the event store (`EVENT_TABLE_NAME`, sealed with `KMS_KEY_ID`),
 * then the subscription engine, on the same clients.
 */
export function routerFromEnvironment(env: NodeJS.ProcessEnv, log: EngineLog, metrics?: EngineMetrics, clients?: AwsClients): Router {
  const runtime = deliveryRuntimeFromEnvironment(env, log, metrics, clients);
  return new Router({
    store: eventStoreFromEnvironment(env, runtime.aws),
    delivery: new SubscriptionEngine({ ...runtime, log, metrics }),
    log,
    metrics,
  });
}

/** The redeliver function's sweeper (see `Redeliverer`). */
export function redelivererFromEnvironment(env: NodeJS.ProcessEnv, log: EngineLog, metrics?: EngineMetrics, clients?: AwsClients): Redeliverer {
  const runtime = deliveryRuntimeFromEnvironment(env, log, metrics, clients);
  return new Redeliverer({ ...runtime, log, metrics });
}

/** Seconds one redeliver invocation sweeps (`REDELIVER_SWEEP_SECONDS`, default 55: the schedule starts one a minute). */
export function redeliverSweepSeconds(env: NodeJS.ProcessEnv): number {
  return intEnv(ENV.redeliverSweepSeconds, WIRING_DEFAULTS.redeliverSweepSeconds, env);
}

/**
 * The redeliver function's replay runner (see `ReplayRunner`): replay jobs in the delivery table, the events of
 * their windows from the event store (`EVENT_TABLE_NAME`), delivered with the process's delivery clients but under
 * a limiter of its own, never the engine's, so live deliveries never queue behind a replay.
 */
export function replayRunnerFromEnvironment(env: NodeJS.ProcessEnv, log: EngineLog, metrics?: EngineMetrics, clients?: AwsClients): ReplayRunner {
  const runtime = deliveryRuntimeFromEnvironment(env, log, metrics, clients);
  return new ReplayRunner({
    jobs: new ReplayJobs({ documents: runtime.aws.documents, tableName: requireEnv(ENV.deliveryTableName, env) }),
    store: eventStoreFromEnvironment(env, runtime.aws),
    source: runtime.source,
    ledger: runtime.ledger,
    deliveryDeps: runtime.deliveryDeps,
    limiter: new DeliveryLimiter(),
    log,
  });
}
