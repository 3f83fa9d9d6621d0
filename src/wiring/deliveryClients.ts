import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { commonClientConfig, createAwsClients, defineLazy, endpointFrom, httpHandler, type AwsClients } from './awsClients';
import { ENV } from './environment';

/**
 * The clients of the delivery functions (router, redeliver): the common ones plus SSM, for `{ ssm }` secrets,
 * and Lambda, for Lambda targets, both built on first use, so no function loads these SDK packages at cold
 * start (about 50 ms) unless its subscriptions need them.
 */
export interface DeliveryAwsClients extends AwsClients {
  ssm: SSMClient;
  lambda: LambdaClient;
}

/**
 * A `RequestResponse` invoke lasts as long as the function runs (a subscription allows up to 300 s); the
 * invoker enforces each subscription's own timeout, so the socket timeout only needs to be longer.
 */
const LAMBDA_REQUEST_TIMEOUT_MS = 310_000;

/** Builds the delivery functions' clients from the environment (endpoint overrides as in `createAwsClients`). */
export function createDeliveryAwsClients(env: NodeJS.ProcessEnv = process.env, base: AwsClients = createAwsClients(env)): DeliveryAwsClients {
  const common = commonClientConfig(env, httpHandler());
  // The base clients' descriptors, not their values: lazy ones stay lazy.
  const clients = Object.defineProperties({}, Object.getOwnPropertyDescriptors(base)) as DeliveryAwsClients;
  // Both loaded on first use: only `{ ssm }` secrets and Lambda targets need them.
  defineLazy(clients, 'ssm', () => {
    const { SSMClient } = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
    return new SSMClient({ ...common, ...endpointFrom(env, ENV.ssmEndpoint) });
  });
  defineLazy(clients, 'lambda', () => {
    const { LambdaClient } = require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda');
    // Not retried by the SDK: an `Event` invoke that timed out may have been queued, and a failing target gets
    // the ledger's retry schedule rather than a burst of immediate retries.
    return new LambdaClient({ ...common, maxAttempts: 1, requestHandler: httpHandler(LAMBDA_REQUEST_TIMEOUT_MS), ...endpointFrom(env, ENV.lambdaEndpoint) });
  });
  return clients;
}
