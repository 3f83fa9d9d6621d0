import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { blobHeader, decodeBlob, encodeBlob, IV_BYTES } from './ciphertextBlob';
import { kmsError } from './kmsError';

/** The alias the local key answers to, besides its id and ARN. */
export const LOCAL_KEY_ALIAS = 'alias/switchyard';
/** The region and account of the key's ARN: the local bus's (LOCAL_REGION in ../emulators.ts). */
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const MASTER_KEY_BYTES = 32;

interface KeyFileContent {
  version: 1;
  keyId: string;
  /** Base64 of the 32-byte master key. */
  key: string;
  createdAt: string;
}

/**
 * The one symmetric key of the local KMS. Its material never leaves this object: operations ask it to
 * seal or open bytes under an encryption context.
 */
export class LocalKeyStore {
  readonly keyArn: string;
  readonly aliasArn: string;

  private constructor(
    readonly keyId: string,
    private readonly masterKey: Buffer,
  ) {
    this.keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`;
    this.aliasArn = `arn:aws:kms:${REGION}:${ACCOUNT}:${LOCAL_KEY_ALIAS}`;
  }

  /**
   * Loads the key from `keyFile`, creating it (mode 0600) on first use so ciphertexts survive restarts;
   * without a file the key lives in memory only.
   */
  static async open(keyFile?: string): Promise<LocalKeyStore> {
    if (!keyFile) return new LocalKeyStore(randomUUID(), randomBytes(MASTER_KEY_BYTES));
    const content = (await readKeyFile(keyFile)) ?? (await createKeyFile(keyFile));
    return new LocalKeyStore(content.keyId, Buffer.from(content.key, 'base64'));
  }

  /** Whether a KeyId parameter (id, ARN, alias name or alias ARN) names this key. */
  matches(keyId: string): boolean {
    return [this.keyId, this.keyArn, LOCAL_KEY_ALIAS, this.aliasArn].includes(keyId);
  }

  /** Resolves a KeyId parameter, failing as AWS does for an unknown key. */
  resolve(keyId: string): void {
    if (!this.matches(keyId)) {
      const what = keyId.startsWith('alias/') || keyId.includes(':alias/') ? 'Alias' : 'Key';
      throw kmsError('NotFoundException', `${what} '${keyId}' does not exist`);
    }
  }

  /** The key is symmetric: the asymmetric algorithm names are valid requests, but not for it. */
  requireAlgorithm(algorithm: string | undefined): void {
    if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
      throw kmsError('InvalidKeyUsageException', `The encryption algorithm ${algorithm} is not compatible with a symmetric key`);
    }
  }

  seal(plaintext: Buffer, context: Record<string, string> = {}): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv);
    cipher.setAAD(aad(blobHeader(this.keyId), context));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return encodeBlob({ keyId: this.keyId, iv, tag: cipher.getAuthTag(), ciphertext });
  }

  /** Opens a blob; a wrong context, a foreign key or any altered byte is an `InvalidCiphertextException`. */
  open(bytes: Buffer, context: Record<string, string> = {}): Buffer {
    const blob = decodeBlob(bytes);
    if (blob.keyId !== this.keyId) {
      throw kmsError('InvalidCiphertextException', 'The ciphertext refers to a key that does not exist in this KMS');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.masterKey, blob.iv);
      decipher.setAAD(aad(blobHeader(blob.keyId), context));
      decipher.setAuthTag(blob.tag);
      return Buffer.concat([decipher.update(blob.ciphertext), decipher.final()]);
    } catch {
      // AWS does not say whether the context or the bytes were wrong; neither do we.
      throw kmsError('InvalidCiphertextException', 'The ciphertext or its encryption context is invalid');
    }
  }
}

/**
 * The header plus the encryption context, canonical: pairs sorted by key, every string length-prefixed,
 * so the context's order does not matter and no two contexts encode alike.
 */
function aad(header: Buffer, context: Record<string, string>): Buffer {
  const parts: Buffer[] = [header];
  for (const key of Object.keys(context).sort()) {
    for (const text of [key, context[key]]) {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      parts.push(length, bytes);
    }
  }
  return Buffer.concat(parts);
}

async function readKeyFile(keyFile: string): Promise<KeyFileContent | undefined> {
  let text: string;
  try {
    text = await readFile(keyFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const content = parseKeyFile(keyFile, text);
  // A key file others can read is a leaked key: tighten it (it is ours) rather than go on silently.
  if (((await stat(keyFile)).mode & 0o077) !== 0) await chmod(keyFile, 0o600);
  return content;
}

function parseKeyFile(keyFile: string, text: string): KeyFileContent {
  let content: Partial<KeyFileContent>;
  try {
    content = JSON.parse(text) as Partial<KeyFileContent>;
  } catch {
    throw new Error(`local KMS key file ${keyFile} is not JSON; remove it only if nothing encrypted under it is needed`);
  }
  if (typeof content.keyId !== 'string' || typeof content.key !== 'string' || Buffer.from(content.key, 'base64').length !== MASTER_KEY_BYTES) {
    throw new Error(`local KMS key file ${keyFile} must hold a keyId and a ${MASTER_KEY_BYTES}-byte base64 key`);
  }
  return content as KeyFileContent;
}

/**
 * Writes a new key to a private temporary file, then links it into place: the link fails if another
 * process won the race (we then read theirs), and a crash never leaves a half-written key file.
 */
async function createKeyFile(keyFile: string): Promise<KeyFileContent> {
  await mkdir(dirname(keyFile), { recursive: true });
  const content: KeyFileContent = {
    version: 1,
    keyId: randomUUID(),
    key: randomBytes(MASTER_KEY_BYTES).toString('base64'),
    createdAt: new Date().toISOString(),
  };
  const temporary = `${keyFile}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, JSON.stringify(content, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, keyFile);
    return content;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parseKeyFile(keyFile, await readFile(keyFile, 'utf8'));
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
