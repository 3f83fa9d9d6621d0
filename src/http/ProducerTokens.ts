import { createHash, timingSafeEqual } from 'node:crypto';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Where producer tokens come from. */
export type ProducerTokenSource =
  /** No authentication (the local bus without SWITCHYARD_TOKEN). */
  | { kind: 'open' }
  /** One token, producer name `default` (SWITCHYARD_TOKEN). */
  | { kind: 'static'; token: string }
  /** A Secrets Manager secret whose value is `{"<producer>": "<token>", ...}`, re-read every `ttlMs`. */
  | { kind: 'secretsManager'; client: SecretsManagerClient; secretId: string; ttlMs?: number };

/** Who sent a request, once its token checked out. */
export type Producer = { name: string } | { name: 'anonymous' };

export class UnauthorizedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Checks `Authorization: Bearer <token>` against the configured producer tokens. Tokens are compared as
 * SHA-256 digests with `timingSafeEqual`, so neither the comparison time nor the length leaks a token, and
 * every known token is compared so the match position does not leak either.
 */
export class ProducerTokens {
  private cached?: { tokens: Map<string, Buffer>; loadedAt: number };
  private loading?: Promise<Map<string, Buffer>>;

  constructor(
    private readonly source: ProducerTokenSource,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves to the producer, or throws UnauthorizedError (a 401). */
  async authenticate(authorization: string | undefined): Promise<Producer> {
    if (this.source.kind === 'open') return { name: 'anonymous' };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) throw new UnauthorizedError('missing bearer token: send Authorization: Bearer <token>');
    const presented = digest(match[1]);
    let producer: string | undefined;
    for (const [name, expected] of await this.tokens()) {
      if (timingSafeEqual(presented, expected) && producer === undefined) producer = name;
    }
    if (producer === undefined) throw new UnauthorizedError('invalid bearer token');
    return { name: producer };
  }

  private async tokens(): Promise<Map<string, Buffer>> {
    const source = this.source;
    if (source.kind === 'static') return (this.cached ??= { tokens: new Map([['default', digest(source.token)]]), loadedAt: 0 }).tokens;
    if (source.kind !== 'secretsManager') return new Map();
    const ttl = source.ttlMs ?? 5 * 60_000;
    if (this.cached && this.now() - this.cached.loadedAt < ttl) return this.cached.tokens;
    this.loading ??= this.load(source).finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(source: Extract<ProducerTokenSource, { kind: 'secretsManager' }>): Promise<Map<string, Buffer>> {
    const { SecretString } = await source.client.send(
      new (require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager')).GetSecretValueCommand({ SecretId: source.secretId }),
    );
    const parsed: unknown = JSON.parse(SecretString ?? '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`secret ${source.secretId} must be a JSON object of producer name to token`);
    }
    const tokens = new Map<string, Buffer>();
    for (const [name, token] of Object.entries(parsed)) {
      // Empty or non-string tokens are skipped rather than matching an empty bearer value.
      if (typeof token === 'string' && token.length > 0) tokens.set(name, digest(token));
    }
    this.cached = { tokens, loadedAt: this.now() };
    return tokens;
  }
}
