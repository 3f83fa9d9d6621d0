import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GetSecretValueCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { emptyCredentialsDocument, parseCredentialsDocument } from './parseCredentialsDocument';
import type { CredentialsDocument } from './types';

/** Where `switchyard producers` reads and writes the credentials document. */
export interface CredentialsStore {
  /** For messages: `secret arn:…` or the file's path. */
  readonly description: string;
  read(): Promise<CredentialsDocument>;
  write(document: CredentialsDocument): Promise<void>;
}

/** The document as stored: stable key order, so a diff of two versions shows only what changed. */
export function serializeCredentialsDocument(document: CredentialsDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * A stage's secret, through GetSecretValue and PutSecretValue with the operator's credentials. Secrets Manager
 * has no conditional write: two operators editing at the same instant can lose one edit (list afterwards).
 */
export class SecretsManagerCredentialsStore implements CredentialsStore {
  readonly description: string;

  constructor(private readonly options: { client: SecretsManagerClient; secretId: string }) {
    this.description = `secret ${options.secretId}`;
  }

  async read(): Promise<CredentialsDocument> {
    const answer = await this.options.client.send(new GetSecretValueCommand({ SecretId: this.options.secretId }));
    return parseCredentialsDocument(answer.SecretString ?? '{}', this.description);
  }

  async write(document: CredentialsDocument): Promise<void> {
    await this.options.client.send(new PutSecretValueCommand({ SecretId: this.options.secretId, SecretString: serializeCredentialsDocument(document) }));
  }
}

/**
 * The local bus's producers file. A missing file reads as an empty document; writes go to a temporary file
 * renamed over it (a reader never sees half a document), readable by its owner only.
 */
export class FileCredentialsStore implements CredentialsStore {
  readonly description: string;

  constructor(private readonly path: string) {
    this.description = path;
  }

  async read(): Promise<CredentialsDocument> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyCredentialsDocument();
      throw error;
    }
    return parseCredentialsDocument(text, this.path);
  }

  async write(document: CredentialsDocument): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    await writeFile(temporary, serializeCredentialsDocument(document), { mode: 0o600 });
    await rename(temporary, this.path);
  }
}
