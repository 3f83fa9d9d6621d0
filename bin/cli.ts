#!/usr/bin/env -S node --import tsx
/**
 * The `switchyard` command (package.json "bin"): `npx switchyard --help`. Runs TypeScript through tsx, as
 * `npm start` does. The commands live in src/cli; this file only connects them to the process.
 */
import { runCli } from '../src/cli/program';

// Node 20 is the supported local runtime (Lambda runs 22): silence the SDK's notice about its future minimum.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Resolves on the first Ctrl-C or SIGTERM; a second one exits at once, without the graceful stop. */
function waitForStop(): Promise<string> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`${signal} again: exiting without a graceful stop\n`);
        process.exit(130);
      }
      stopping = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  cwd: process.cwd(),
  // The target's environment is the process's with the bus's on top (and a stage's without local endpoints).
  applyEnv: (env) => {
    for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
    Object.assign(process.env, env);
  },
  waitForStop,
  stdin: process.stdin,
  // Progress bars draw only on a terminal: piped or redirected, stderr holds lines alone.
  terminal: process.stderr.isTTY ? process.stderr : undefined,
}).then(
  // Exit explicitly: the AWS clients' keep-alive sockets would otherwise hold the process open.
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`switchyard: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
