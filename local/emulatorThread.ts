/**
 * The code that runs inside the emulator thread (see `startEmulatorThread` in ./emulators.ts): dynalite and
 * kinesalite on free loopback ports, off the thread that runs the handlers. It reports their URLs, and closes
 * them when asked.
 */
import type { Server } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';
import { closeServer, listen } from './listen';

/** What the thread is started with. */
export interface EmulatorThreadData {
  dataDir?: { dynamodb: string; kinesis: string };
}

/** Messages from the thread. */
export type EmulatorThreadMessage =
  | { type: 'ready'; dynamodb: string; kinesis: string }
  | { type: 'failed'; message: string }
  | { type: 'closed' };

/** The one message to the thread. */
export interface CloseEmulatorThread {
  type: 'close';
}

export function dynaliteServer(path: string | undefined): Server {
  return dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
}

export function kinesaliteServer(path: string | undefined): Server {
  return kinesalite({ path, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 });
}

async function main(port: NonNullable<typeof parentPort>, data: EmulatorThreadData): Promise<void> {
  const post = (message: EmulatorThreadMessage) => port.postMessage(message);
  const servers = [dynaliteServer(data.dataDir?.dynamodb), kinesaliteServer(data.dataDir?.kinesis)];
  try {
    const [dynamodb, kinesis] = await Promise.all(servers.map(listen));
    port.on('message', (message: CloseEmulatorThread) => {
      if (message.type !== 'close') return;
      void Promise.all(servers.map(closeServer)).then(() => post({ type: 'closed' }));
    });
    post({ type: 'ready', dynamodb, kinesis });
  } catch (error) {
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}

if (parentPort && (workerData as { switchyardEmulatorThread?: boolean } | undefined)?.switchyardEmulatorThread) {
  void main(parentPort, workerData as EmulatorThreadData);
}
