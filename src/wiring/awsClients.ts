import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { NodeHttpHandlerOptions } from '@smithy/node-http-handler';
import { ENV, intEnv } from './environment';
import { SDK_MAX_ATTEMPTS, SDK_TIMEOUT_CAPS, type SdkTimeouts } from './sdkTimeouts';

/** The AWS clients the runtime uses, built once per process (module scope in a Lambda). */
export interface AwsClients {
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  kinesis: KinesisClient;
  kms: KMSClient;
  s3: S3Client;
  secretsManager: SecretsManagerClient;
}

/**
 * One keep-alive HTTP/1.1 handler for every client. Kinesis needs HTTP/1.1 here anyway: kinesalite does
 * not speak HTTP/2, and the SDK would otherwise pick an HTTP/2 handler for SubscribeToShard-capable calls.
 * Options, not a handler: the SDK builds the handler with its own @smithy/node-http-handler, so the Lambda
 * bundles do not carry a second copy of it and of @smithy/core (about 130 KB); `createAwsClients` then
 * shares the handler the first client built.
 */
export function httpHandler(
  requestTimeout: number = SDK_TIMEOUT_CAPS.requestTimeoutMs,
  connectionTimeout: number = SDK_TIMEOUT_CAPS.connectionTimeoutMs,
): NodeHttpHandlerOptions {
  return {
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
    connectionTimeout,
    requestTimeout,
  };
}

/**
 * The SDK's timeouts from `SWITCHYARD_SDK_CONNECTION_TIMEOUT_MS` and `SWITCHYARD_SDK_REQUEST_TIMEOUT_MS`, which the
 * stage sets below each function's timeout (`sdkTimeoutsWithin`); 3 s and 30 s when unset (the local bus, the CLI).
 */
export function sdkTimeoutsFrom(env: NodeJS.ProcessEnv): SdkTimeouts {
  return {
    connectionTimeoutMs: intEnv(ENV.sdkConnectionTimeoutMs, SDK_TIMEOUT_CAPS.connectionTimeoutMs, env),
    requestTimeoutMs: intEnv(ENV.sdkRequestTimeoutMs, SDK_TIMEOUT_CAPS.requestTimeoutMs, env),
  };
}

/**
 * What every client is built with: region and credentials from the given environment (what the SDK's default
 * chain reads from process.env), so a test or the local bus can build clients for its own emulators.
 */
export function commonClientConfig(env: NodeJS.ProcessEnv, requestHandler: NodeHttpHandlerOptions | DynamoDBClient['config']['requestHandler']) {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const credentials = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
    ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN }
    : undefined;
  return { requestHandler, maxAttempts: SDK_MAX_ATTEMPTS, ...(region ? { region } : {}), ...(credentials ? { credentials } : {}) };
}

/** `{ endpoint }` when the variable (an `AWS_ENDPOINT_URL_<SERVICE>` name) is set, else nothing. */
export function endpointFrom(env: NodeJS.ProcessEnv, name: string): { endpoint?: string } {
  return env[name] ? { endpoint: env[name] } : {};
}

/**
 * Builds the clients from the environment, with the SDK timeouts it sets (`sdkTimeoutsFrom`). Endpoint overrides (the SDK's own `AWS_ENDPOINT_URL_<SERVICE>`
 * names) point them at the emulators; an S3 override also switches to path-style addressing, which s3rver
 * needs. Nothing else differs between AWS and the local bus.
 */
export function createAwsClients(env: NodeJS.ProcessEnv = process.env): AwsClients {
  const endpoint = (name: string) => endpointFrom(env, name);
  const timeouts = sdkTimeoutsFrom(env);
  const handler = httpHandler(timeouts.requestTimeoutMs, timeouts.connectionTimeoutMs);
  const dynamodb = new DynamoDBClient({ ...commonClientConfig(env, handler), ...endpoint(ENV.dynamodbEndpoint) });
  // The HTTP/1.1 handler the SDK built from those options, shared by the other clients (Kinesis included).
  const common = commonClientConfig(env, dynamodb.config.requestHandler);
  const clients = {
    dynamodb,
    documents: DynamoDBDocumentClient.from(dynamodb, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    }),
    kms: new KMSClient({ ...common, ...endpoint(ENV.kmsEndpoint) }),
    s3: new S3Client({ ...common, ...endpoint(ENV.s3Endpoint), forcePathStyle: Boolean(env[ENV.s3Endpoint]) }),
  } as AwsClients;
  // Loaded on first use: the router never publishes, and only some subscriptions name Secrets Manager secrets.
  defineLazy(clients, 'kinesis', () => {
    const { KinesisClient } = require('@aws-sdk/client-kinesis') as typeof import('@aws-sdk/client-kinesis');
    return new KinesisClient({ ...common, ...endpoint(ENV.kinesisEndpoint) });
  });
  defineLazy(clients, 'secretsManager', () => {
    const { SecretsManagerClient } = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
    return new SecretsManagerClient({ ...common, ...endpoint(ENV.secretsManagerEndpoint) });
  });
  return clients;
}

/**
 * Makes `target[name]` a client built, and its SDK package loaded, on first use: a function's cold start pays
 * only for the clients it needs (each SDK package costs 10–25 ms to load). Enumerable, so `in` and copies of the
 * property descriptors see it without building it.
 */
export function defineLazy<T extends object, K extends keyof T>(target: T, name: K, make: () => T[K]): void {
  let value: T[K] | undefined;
  Object.defineProperty(target, name, { enumerable: true, configurable: true, get: () => (value ??= make()) });
}
