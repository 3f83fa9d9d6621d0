import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decrypt } from './decrypt';
import { encrypt } from './encrypt';
import { generateDataKey } from './generateDataKey';
import { KmsError, kmsError } from './kmsError';
import { LocalKeyStore } from './LocalKeyStore';

export interface LocalKmsOptions {
  /**
   * File holding the master key (created with mode 0600 when missing, reused on restart so earlier
   * ciphertexts still decrypt). @default none: a fresh key in memory
   */
  keyFile?: string;
}

export interface LocalKms {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_KMS`. */
  endpoint: string;
  /** The key's id; its ARN and `alias/switchyard` are accepted too. */
  keyId: string;
  keyArn: string;
  close(): Promise<void>;
  /** Requests served so far, per operation (for the benchmarks' KMS call counts). */
  calls(): Record<string, number>;
}

type Operation = (store: LocalKeyStore, data: unknown) => Record<string, unknown>;

/** The operations, by their `X-Amz-Target` name; one file each. */
const OPERATIONS: Record<string, Operation> = {
  GenerateDataKey: generateDataKey,
  Encrypt: encrypt,
  Decrypt: decrypt,
};

const TARGET_PREFIX = 'TrentService.';
const AMZ_JSON = 'application/x-amz-json-1.1';
/** Far above the largest valid request (a 6 KiB blob, base64); anything bigger is not KMS traffic. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * Starts a minimal KMS on 127.0.0.1 (a free port) speaking the AWS JSON 1.1 protocol, so the real
 * `@aws-sdk/client-kms` works against it unchanged. Signatures are not checked: it is loopback-only.
 */
export async function startLocalKms(options: LocalKmsOptions = {}): Promise<LocalKms> {
  const store = await LocalKeyStore.open(options.keyFile);
  const counts: Record<string, number> = {};
  const server = createServer((req, res) => {
    handle(store, counts, req, res).catch((error: unknown) => {
      send(res, kmsError('KMSInternalException', `local KMS failed: ${String(error)}`, 500).toBody(), 500);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    keyId: store.keyId,
    keyArn: store.keyArn,
    calls: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(store: LocalKeyStore, counts: Record<string, number>, req: IncomingMessage, res: ServerResponse) {
  const body = await readBody(req);
  if (body === undefined) {
    return send(res, kmsError('RequestEntityTooLarge', `request over ${MAX_REQUEST_BYTES} bytes`, 413).toBody(), 413);
  }
  try {
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const operation = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name] : undefined;
    if (req.method !== 'POST' || !operation) {
      throw kmsError('UnknownOperationException', `unknown operation ${JSON.stringify(target)}; this KMS serves ${Object.keys(OPERATIONS).join(', ')}`);
    }
    counts[name] = (counts[name] ?? 0) + 1;
    let data: unknown;
    try {
      data = JSON.parse(body.toString('utf8') || '{}');
    } catch {
      throw kmsError('SerializationException', 'The request body is not valid JSON');
    }
    send(res, operation(store, data), 200);
  } catch (error) {
    if (!(error instanceof KmsError)) throw error;
    send(res, error.toBody(), error.statusCode);
  }
}

/** The body, or undefined when it exceeds the limit (the rest is drained, not buffered). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_REQUEST_BYTES) chunks.push(chunk as Buffer);
  }
  return size <= MAX_REQUEST_BYTES ? Buffer.concat(chunks) : undefined;
}

function send(res: ServerResponse, body: unknown, status: number): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': AMZ_JSON,
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(text);
}
