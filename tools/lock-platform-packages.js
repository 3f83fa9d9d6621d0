#!/usr/bin/env node
/**
 * Adds to package-lock.json the platform-specific optional packages that this workplace's npm registry mirror
 * does not serve (it answers 404 for, e.g., @unrs/resolver-binding-darwin-arm64, a native part of jest 30's
 * resolver). Without their entries `npm ci` refuses the lock as out of sync. Each entry carries its `os`/`cpu`,
 * so npm skips it on platforms where it does not apply and, on a machine whose registry has it, fetches it.
 *
 * Run after any `npm install` that rewrote the lock:  node tools/lock-platform-packages.js
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const LOCK = join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));

/** os/cpu/libc from a napi-rs style package name suffix such as `linux-arm-musleabihf` or `win32-x64-msvc`. */
function platformOf(name) {
  const suffix = name.replace(/^.*binding-/, '');
  if (suffix === 'wasm32-wasi') return { cpu: ['wasm32'] };
  const [os, arch, abi] = suffix.split('-');
  const platform = { os: [os], cpu: [arch] };
  if (os === 'linux' && abi) platform.libc = [abi.startsWith('musl') ? 'musl' : 'glibc'];
  return platform;
}

let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    if (!/binding-/.test(name)) continue;
    const nested = `${path}/node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (lock.packages[nested] || lock.packages[hoisted]) continue;
    lock.packages[hoisted] = { version, dev: entry.dev || undefined, optional: true, ...platformOf(name) };
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(LOCK, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} platform package entries to package-lock.json`);
