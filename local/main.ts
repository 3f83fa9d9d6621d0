/**
 * `npm start`: the local bus on http://127.0.0.1:4000 (settings in DESIGN.md "The local bus").
 * Prints the URL (then the console's) once it accepts events; stops cleanly on SIGINT/SIGTERM.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { intEnv } from '../src/wiring/environment';
import { intakeLimitsFromEnvironment } from './front/intakeLimitsFromEnvironment';
import { startLocalBus } from './LocalBus';

// Node 20 is the supported local runtime (Lambda runs 22): silence the SDK's notice about its future minimum.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main() {
  const port = process.env.PORT === '0' ? 0 : intEnv('PORT', 4000);
  const dataDir = resolve(process.env.SWITCHYARD_DATA_DIR || '.switchyard');
  // Producers and readers: SWITCHYARD_PRODUCERS_FILE, which must exist, or the data dir's producers.json once
  // `switchyard producers add` creates it (until then the bus is open, or SWITCHYARD_TOKEN only).
  const producersFile = process.env.SWITCHYARD_PRODUCERS_FILE ? resolve(process.env.SWITCHYARD_PRODUCERS_FILE) : join(dataDir, 'producers.json');
  if (process.env.SWITCHYARD_PRODUCERS_FILE && !existsSync(producersFile)) {
    throw new Error(`SWITCHYARD_PRODUCERS_FILE ${producersFile} does not exist: create it with \`switchyard producers add NAME --file ${producersFile} ...\`, or unset the variable`);
  }
  const bus = await startLocalBus({
    port,
    dataDir,
    token: process.env.SWITCHYARD_TOKEN || undefined,
    producersFile,
    shards: intEnv('SWITCHYARD_SHARDS', 2),
    subscriptionsFile: resolve(process.env.SUBSCRIPTIONS_FILE || 'subscriptions.json'),
    intake: intakeLimitsFromEnvironment(),
    log: (message, detail) => console.error(JSON.stringify({ level: 'WARN', message, ...detail })),
  });
  console.log(`Switchyard local bus listening on ${bus.url} (data in ${dataDir})`);
  console.log(`Operator console: ${bus.url}/console`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, stopping`);
    bus.stop().then(
      () => process.exit(0),
      (error) => {
        console.error('error while stopping', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error) => {
  console.error('the local bus could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
