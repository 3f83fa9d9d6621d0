/**
 * The local bus as `npm start` runs it, in a process of its own for the e2e bench (forked with `--import tsx`):
 * `startLocalBus({ port: 0, subscriptionsFile })`, in memory (no data dir). Tells its parent the URL over IPC,
 * stops on the message `stop`, and stops by itself when the parent goes away (IPC disconnect), so a bench that
 * dies never leaves a bus behind.
 */
import { startLocalBus } from '../../local/LocalBus';

async function main(): Promise<void> {
  const subscriptionsFile = process.argv[2];
  if (!subscriptionsFile || !process.send) throw new Error('usage: fork(busProcess.ts, [subscriptionsFile]) with IPC');
  const bus = await startLocalBus({ port: 0, subscriptionsFile, log: (message, detail) => console.error(message, JSON.stringify(detail ?? {})) });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= bus
      .stop()
      .catch((error) => console.error('bus stop failed', error))
      .finally(() => process.exit(0));
    return stopping;
  };
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.send({ url: bus.url });
}

main().catch((error) => {
  console.error('bus failed to start', error);
  process.exit(1);
});
