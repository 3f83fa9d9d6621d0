import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where a poller remembers the last sequence number its handler finished, per shard. */
export interface CheckpointStore {
  get(shardId: string): Promise<string | undefined>;
  set(shardId: string, sequence: string): Promise<void>;
}

export class MemoryCheckpointStore implements CheckpointStore {
  private readonly positions = new Map<string, string>();
  async get(shardId: string) {
    return this.positions.get(shardId);
  }
  async set(shardId: string, sequence: string) {
    this.positions.set(shardId, sequence);
  }
}

/**
 * One small file per shard in the data dir, replaced atomically (write, then rename), so a process killed at
 * any moment leaves either the old or the new position — never a torn one — and a restart resumes there.
 */
export class FileCheckpointStore implements CheckpointStore {
  /** The directory is made once, on the first write (a write per batch needs no mkdir of its own). */
  private made?: Promise<unknown>;

  constructor(private readonly directory: string) {}

  async get(shardId: string): Promise<string | undefined> {
    try {
      return (await readFile(this.fileOf(shardId), 'utf8')).trim() || undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async set(shardId: string, sequence: string): Promise<void> {
    this.made ??= mkdir(this.directory, { recursive: true }).catch((error: unknown) => {
      this.made = undefined;
      throw error;
    });
    await this.made;
    const file = this.fileOf(shardId);
    try {
      await writeFile(`${file}.tmp`, sequence);
      await rename(`${file}.tmp`, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') this.made = undefined; // removed since: made again next time
      throw error;
    }
  }

  private fileOf(shardId: string) {
    return join(this.directory, shardId.replace(/[^A-Za-z0-9_-]/g, '_'));
  }
}
