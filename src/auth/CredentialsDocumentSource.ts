import { stat, readFile } from 'node:fs/promises';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseCredentialsDocument } from './parseCredentialsDocument';
import type { CredentialsDocument } from './types';

/** Where ingest reads producers and readers from; `undefined` means there are none configured (open). */
export interface CredentialsDocumentSource {
  load(): Promise<CredentialsDocument | undefined>;
}

/**
 * How long ingest keeps the secret's document before reading it again: a `switchyard producers revoke` (or add)
 * applies to every warm ingest instance within this time.
 */
export const CREDENTIALS_CACHE_MS = 60_000;

/**
 * The stage's Secrets Manager secret, read at most once per `ttlMs` (concurrent requests share one read). A read
 * that fails fails the request (a 500): a revoked token is never honoured on stale data past its cache time.
 */
export class SecretsManagerCredentials implements CredentialsDocumentSource {
  private cached?: { document: CredentialsDocument; loadedAt: number };
  private loading?: Promise<CredentialsDocument>;

  constructor(
    private readonly options: { client: SecretsManagerClient; secretId: string; ttlMs?: number; now?: () => number },
  ) {}

  async load(): Promise<CredentialsDocument> {
    const now = this.options.now ?? Date.now;
    if (this.cached && now() - this.cached.loadedAt < (this.options.ttlMs ?? CREDENTIALS_CACHE_MS)) return this.cached.document;
    this.loading ??= this.read(now).finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async read(now: () => number): Promise<CredentialsDocument> {
    const { secretId, client } = this.options;
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const document = parseCredentialsDocument(answer.SecretString ?? '{}', `secret ${secretId}`);
    this.cached = { document, loadedAt: now() };
    return document;
  }
}

/**
 * A producers file (the local bus): read again whenever its size or modification time changes, so `switchyard
 * producers add|revoke --data-dir` applies to the next request. A missing file means no credentials (open) when
 * `optional`, else an error.
 */
export class FileCredentials implements CredentialsDocumentSource {
  private cached?: { document: CredentialsDocument; version: string };

  constructor(private readonly options: { path: string; optional?: boolean }) {}

  async load(): Promise<CredentialsDocument | undefined> {
    const { path, optional } = this.options;
    let version: string;
    try {
      const info = await stat(path);
      version = `${info.size}:${info.mtimeMs}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && optional) return undefined;
      throw new Error(`producers file ${path} cannot be read: ${(error as Error).message}`, { cause: error });
    }
    if (this.cached?.version === version) return this.cached.document;
    const document = parseCredentialsDocument(await readFile(path, 'utf8'), path);
    this.cached = { document, version };
    return document;
  }
}
