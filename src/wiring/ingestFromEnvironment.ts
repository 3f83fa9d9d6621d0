import { createAwsClients, type AwsClients } from './awsClients';
import { ENV, intEnv, optionalIntEnv, requireEnv } from './environment';
import { createEventKeys } from '../crypto';
import { DEFAULT_MAX_EVENT_BYTES } from '../events/constants';
import { acceptEvents } from '../ingest/acceptEvents';
import type { ApiDependencies } from '../http/routeRequest';
import { Credentials } from '../auth/Credentials';
import { FileCredentials, SecretsManagerCredentials, type CredentialsDocumentSource } from '../auth/CredentialsDocumentSource';
import { validateSubjectPattern } from '../routing/validateSubjectPattern';
import { DynamoDbEventStore, MAX_STORABLE_EVENT_BYTES } from '../store';
import type { LogSink } from './types';

/**
 * Builds what each function needs from its environment variables, once per process (Lambda module scope,
 * or the local bus after it pointed the variables at the emulators). Missing settings fail here, at start.
 */
export function eventStoreFromEnvironment(env: NodeJS.ProcessEnv, clients: AwsClients = createAwsClients(env)): DynamoDbEventStore {
  return new DynamoDbEventStore({
    documents: clients.documents,
    tableName: requireEnv(ENV.eventTableName, env),
    keys: createEventKeys({ kms: clients.kms, keyId: requireEnv(ENV.kmsKeyId, env) }),
    // Only the router writes events, so only its stamp matters; readers ignore it.
    retentionDays: optionalIntEnv(ENV.eventRetentionDays, env),
  });
}

/** The HTTP API's dependencies: credentials (producers and readers), limits, the accept path, the store for reads and queries, private types. */
export function ingestApiFromEnvironment(env: NodeJS.ProcessEnv, log: LogSink, clients: AwsClients = createAwsClients(env)): ApiDependencies {
  const streamName = requireEnv(ENV.eventStreamName, env);
  // Read only: the duplicate answer (`positions`), GET /events/{id}, and the queries behind GET /events, /feeds and
  // /types. Ingest writes nothing to DynamoDB.
  const store = eventStoreFromEnvironment(env, clients);
  return {
    credentials: credentialsFromEnvironment(env, clients),
    limits: { maxEventBytes: maxEventBytes(env) },
    accept: (events) => acceptEvents(events, { kinesis: clients.kinesis, streamName, store, warn: log.warn }),
    store,
    queries: store,
    privateTypes: privateTypes(env),
    onError: (error, request) => log.error('unexpected error', { ...request, error }),
  };
}

/** `MAX_EVENT_BYTES`, refused at start above what the event store and the ledger can hold. */
export function maxEventBytes(env: NodeJS.ProcessEnv): number {
  const value = intEnv(ENV.maxEventBytes, DEFAULT_MAX_EVENT_BYTES, env);
  if (value > MAX_STORABLE_EVENT_BYTES) {
    throw new Error(
      `environment variable ${ENV.maxEventBytes} (stage setting maxEventBytes) must be at most ${MAX_STORABLE_EVENT_BYTES}: an event must fit DynamoDB's 400 KB item with the item's own attributes, got ${value}`,
    );
  }
  return value;
}

/** `SWITCHYARD_PRIVATE_TYPES`: comma-separated type patterns, each checked at start (a bad one names itself). */
export function privateTypes(env: NodeJS.ProcessEnv): string[] {
  const raw = env[ENV.privateTypes];
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((item) => {
    const pattern = item.trim();
    const problem = validateSubjectPattern(pattern);
    if (problem) {
      throw new Error(
        `environment variable ${ENV.privateTypes} must be comma-separated type patterns (tokens split on ".", "*" one token, ">" the rest): ${JSON.stringify(pattern)} ${problem}`,
      );
    }
    return pattern;
  });
}

/**
 * Producers and readers: the stage's secret in AWS (re-read every `CREDENTIALS_CACHE_MS`), locally the producers
 * file (re-read when it changes) and/or `SWITCHYARD_TOKEN` (every right); with none of them, an open local bus.
 */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv, clients: Pick<AwsClients, 'secretsManager'>): Credentials {
  const secretId = env[ENV.producerTokensSecretId];
  const file = env[ENV.producersFile];
  let document: CredentialsDocumentSource | undefined;
  if (secretId) document = new SecretsManagerCredentials({ client: clients.secretsManager, secretId });
  else if (file) document = new FileCredentials({ path: file, optional: true });
  return new Credentials({ token: env[ENV.producerToken] || undefined, document });
}
