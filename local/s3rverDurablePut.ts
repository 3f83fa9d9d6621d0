import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';

/** The parts of s3rver's filesystem store this patch uses (s3rver ships no types). */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  putObject(object: { bucket: string; key: string; content: Buffer | Readable; metadata: unknown }): Promise<{ size: number; md5: string }>;
}

/**
 * s3rver's filesystem store answers a PutObject once the body has been *read*, not once it is on disk: the
 * write stream is still flushing when the new ETag is recorded and the 200 goes out. A GET right after can
 * then read a truncated body under the new ETag — and a reader that re-fetches by ETag (SubscriptionsSource)
 * would keep that torn version as "seen". This replaces the store's putObject with one that writes the whole
 * body (to a temporary file, renamed into place, so a concurrent GET sees the old or the new version, never
 * half of one) before recording its metadata. Objects here are small configuration files.
 */
export function makePutsDurable(s3rver: unknown): void {
  const store = (s3rver as { store: FilesystemStore }).store;
  store.putObject = async (object) => {
    const body = Buffer.isBuffer(object.content) ? object.content : await readAll(object.content);
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}.${process.pid}.${Date.now()}.partial`;
    await writeFile(partial, body);
    await rename(partial, path);
    const md5 = createHash('md5').update(body).digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: body.length, md5 };
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}
