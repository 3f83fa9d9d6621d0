import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { SecretRef } from '../subscriptionTypes';
import { DEFAULT_SECRET_TTL_SECONDS, SECRET_RETRY_AFTER_FAILURE_SECONDS } from './constants';
import { describeSecretRef } from './describeSecretRef';
import { SecretResolutionError } from './errors';

/** Options of {@link SecretResolver}. */
export interface SecretResolverOptions {
  /**
   * Client for `{ secretsManager }` references, or a function giving it on first use (so a file without such
   * references never loads the SDK package). @default a client from the SDK's default chain, made on first use
   */
  secretsManager?: SecretsManagerClient | (() => SecretsManagerClient);
  /** Client for `{ ssm }` references, or a function giving it on first use. @default as for `secretsManager` */
  ssm?: SSMClient | (() => SSMClient);
  /** Where `{ env }` references are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * Refuse `{ env }` references, with this reason. In a Lambda function the environment holds the function's own
   * AWS credentials: a subscriptions.json that may name any variable could send them to a token URL of its choice.
   */
  refuseEnvReferences?: string;
  /** Seconds a fetched secret is reused before it is fetched again, so a rotation is picked up. @default 300 */
  ttlSeconds?: number;
  /**
   * Called when refreshing an expired secret fails and the previous value keeps serving (for another 30 s,
   * then the fetch is retried). Receives the reference's description, never a value.
   */
  onRefreshError?: (reference: string, error: SecretResolutionError) => void;
  /** Clock in milliseconds, for tests. @default Date.now */
  now?: () => number;
}

interface CacheEntry {
  value: string;
  expiresAt: number;
}

/**
 * Resolves the secrets of subscriptions.json: a plain string is itself; `{ env }` reads the environment;
 * `{ secretsManager: "id" }` is the SecretString of that secret, and `{ secretsManager: "id#key" }` the string
 * at `key` of a JSON secret (secret names cannot contain `#`); `{ ssm: "name" }` is the parameter's value,
 * SecureStrings decrypted.
 *
 * Fetched values are cached for `ttlSeconds`, and concurrent requests for one secret share a single call.
 * If a refresh fails, the previous value keeps serving while the fetch is retried every 30 s. Errors name
 * the reference, never the value, and nothing here logs.
 */
export class SecretResolver {
  private readonly env: NodeJS.ProcessEnv;
  private readonly refuseEnvReferences?: string;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly onRefreshError?: SecretResolverOptions['onRefreshError'];
  private readonly secretsManagerOption: SecretResolverOptions['secretsManager'];
  private readonly ssmOption: SecretResolverOptions['ssm'];
  private secretsManager?: SecretsManagerClient;
  private ssm?: SSMClient;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(options: SecretResolverOptions = {}) {
    this.secretsManagerOption = options.secretsManager;
    this.ssmOption = options.ssm;
    this.env = options.env ?? process.env;
    this.refuseEnvReferences = options.refuseEnvReferences;
    this.ttlMs = (options.ttlSeconds ?? DEFAULT_SECRET_TTL_SECONDS) * 1000;
    this.now = options.now ?? Date.now;
    this.onRefreshError = options.onRefreshError;
  }

  /** The secret's value. Rejects with a `SecretResolutionError` naming the reference. */
  async resolve(ref: SecretRef): Promise<string> {
    if (typeof ref === 'string') return ref;
    if (typeof ref === 'object' && ref !== null) {
      if ('env' in ref) return this.fromEnv(ref.env);
      if ('secretsManager' in ref) return this.fromSecretsManager(ref.secretsManager);
      if ('ssm' in ref) return this.cached(`ssm\u0000${ref.ssm}`, describeSecretRef(ref), () => this.fetchParameter(ref));
    }
    throw new SecretResolutionError('(unknown reference)', 'a secret must be a string or one of { env }, { secretsManager }, { ssm }');
  }

  /** Several secrets (a webhook's rotation list), in order. */
  resolveAll(refs: readonly SecretRef[]): Promise<string[]> {
    return Promise.all(refs.map((ref) => this.resolve(ref)));
  }

  /** Forgets every cached value, so the next request fetches again. */
  clear(): void {
    this.cache.clear();
  }

  private fromEnv(name: string): string {
    if (this.refuseEnvReferences !== undefined) throw new SecretResolutionError(describeSecretRef({ env: name }), this.refuseEnvReferences);
    // Not cached: the environment is already in memory, and tests may change it.
    const value = this.env[name];
    if (value === undefined || value === '') {
      throw new SecretResolutionError(describeSecretRef({ env: name }), `the environment variable ${name} is not set`);
    }
    return value;
  }

  private async fromSecretsManager(reference: string): Promise<string> {
    const description = describeSecretRef({ secretsManager: reference });
    const hash = reference.indexOf('#');
    const secretId = hash < 0 ? reference : reference.slice(0, hash);
    const jsonKey = hash < 0 ? undefined : reference.slice(hash + 1);
    if (secretId === '' || jsonKey === '') {
      throw new SecretResolutionError(description, 'expected "id" or "id#key"');
    }
    // One fetch per secret, whichever of its keys is asked for.
    const raw = await this.cached(`secretsManager\u0000${secretId}`, description, () => this.fetchSecret(secretId, description));
    return jsonKey === undefined ? raw : pickJsonKey(raw, jsonKey, description);
  }

  private cached(key: string, description: string, fetch: () => Promise<string>): Promise<string> {
    const entry = this.cache.get(key);
    if (entry !== undefined && entry.expiresAt > this.now()) return Promise.resolve(entry.value);
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const request = (async () => {
      try {
        const value = await fetch();
        this.cache.set(key, { value, expiresAt: this.now() + this.ttlMs });
        return value;
      } catch (error) {
        if (entry === undefined) throw error;
        // Stale beats failing every delivery while Secrets Manager or SSM is unreachable.
        this.cache.set(key, { value: entry.value, expiresAt: this.now() + Math.min(this.ttlMs, SECRET_RETRY_AFTER_FAILURE_SECONDS * 1000) });
        this.onRefreshError?.(description, error as SecretResolutionError);
        return entry.value;
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, request);
    return request;
  }

  private async fetchSecret(secretId: string, description: string): Promise<string> {
    const sdk = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
    const client = (this.secretsManager ??= clientOf(this.secretsManagerOption) ?? new sdk.SecretsManagerClient({}));
    let response;
    try {
      response = await client.send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
    } catch (error) {
      throw new SecretResolutionError(description, `Secrets Manager GetSecretValue failed (${errorName(error)})`, { cause: error });
    }
    if (response.SecretString !== undefined) return response.SecretString;
    if (response.SecretBinary !== undefined) return Buffer.from(response.SecretBinary).toString('utf8');
    throw new SecretResolutionError(description, 'the secret has no value');
  }

  private async fetchParameter(ref: { ssm: string }): Promise<string> {
    const description = describeSecretRef(ref);
    const sdk = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
    const client = (this.ssm ??= clientOf(this.ssmOption) ?? new sdk.SSMClient({}));
    let response;
    try {
      response = await client.send(new sdk.GetParameterCommand({ Name: ref.ssm, WithDecryption: true }));
    } catch (error) {
      throw new SecretResolutionError(description, `SSM GetParameter failed (${errorName(error)})`, { cause: error });
    }
    const value = response.Parameter?.Value;
    if (value === undefined) throw new SecretResolutionError(description, 'the parameter has no value');
    return value;
  }
}

/** The string at `key` of a JSON secret. No `cause` on failure: a JSON.parse error quotes the secret's text. */
function pickJsonKey(raw: string, key: string, description: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new SecretResolutionError(description, `the secret is not JSON, so its key "${key}" cannot be read`);
  }
  const value = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.hasOwn(parsed, key)
    ? (parsed as Record<string, unknown>)[key]
    : undefined;
  if (typeof value !== 'string' || value === '') {
    throw new SecretResolutionError(description, `the secret's JSON has no non-empty string at key "${key}"`);
  }
  return value;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown error';
}

/** The client an option gives (calling a provider); undefined when none was given. */
function clientOf<C>(option: C | (() => C) | undefined): C | undefined {
  return typeof option === 'function' ? (option as () => C)() : option;
}
