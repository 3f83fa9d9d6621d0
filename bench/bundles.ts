/**
 * Each Lambda handler built exactly as the CDK stage builds it (lib/bundling.ts): the bundle's size, and its
 * module init time — a fresh Node process requiring the bundle, which is the handler's share of a cold
 * start (the AWS SDK is resolved from node_modules, as the Lambda runtime provides it). Both are compared
 * with their budgets; the init row also shows, as its baseline, the time to load just the AWS SDK clients
 * every handler needs, measured the same way in the same run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { lambdaEsbuildOptions } from '../lib/bundling';
import type { Benchmark, BenchRow } from './types';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'bench', '.build');
const SIZE_BUDGET_KB = 500;
const INIT_BUDGET_MS = 150;
const SAMPLES = 7;

/** Environment the handlers read at module load; values only need to be well-formed. */
const HANDLER_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  EVENT_STREAM_NAME: 'bench',
  EVENT_TABLE_NAME: 'bench',
  IDEMPOTENCY_TABLE_NAME: 'bench',
  KMS_KEY_ID: 'alias/bench',
  DELIVERY_TABLE_NAME: 'bench',
  CONFIG_BUCKET_NAME: 'bench',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
};

/** Median of `SAMPLES` fresh-process requires of `file`, in milliseconds. */
function initTimeMs(file: string): number {
  const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const samples = Array.from({ length: SAMPLES }, () =>
    Number(execFileSync(process.execPath, ['-e', probe], { cwd: ROOT, env: { ...process.env, ...HANDLER_ENV } }).toString()),
  );
  return samples.sort((a, b) => a - b)[Math.floor(SAMPLES / 2)];
}

export const bundleBenchmarks: Benchmark[] = [
  {
    name: 'bundles',
    async run() {
      mkdirSync(OUT, { recursive: true });
      // The unavoidable part of any handler's init: loading the SDK clients the handlers use.
      const sdkOnly = join(OUT, 'sdk-only.js');
      writeFileSync(
        sdkOnly,
        ['client-dynamodb', 'lib-dynamodb', 'client-kinesis', 'client-kms', 'client-secrets-manager']
          .map((name) => `require(${JSON.stringify(require.resolve(`@aws-sdk/${name}`))});`)
          .join('\n'),
      );
      const sdkInitMs = initTimeMs(sdkOnly);
      const rows: BenchRow[] = [];
      for (const name of readdirSync(join(ROOT, 'lambdas')).sort()) {
        const outfile = join(OUT, name, 'index.js');
        await build({ ...lambdaEsbuildOptions, entryPoints: [join(ROOT, 'lambdas', name, 'index.ts')], outfile, logLevel: 'silent' });
        const sizeKb = statSync(outfile).size / 1024;
        rows.push({
          name: `${name} bundle size (minified, AWS SDK external)`,
          value: sizeKb,
          unit: 'KB',
          baseline: 'budget',
          baselineValue: SIZE_BUDGET_KB,
          ratio: sizeKb / SIZE_BUDGET_KB,
          goal: `value <= ${SIZE_BUDGET_KB}`,
          met: sizeKb <= SIZE_BUDGET_KB,
        });
        const initMs = initTimeMs(outfile);
        rows.push({
          name: `${name} module init time (median of ${SAMPLES} fresh processes)`,
          value: initMs,
          unit: 'ms',
          baseline: 'loading its AWS SDK clients alone',
          baselineValue: sdkInitMs,
          ratio: initMs / sdkInitMs,
          goal: `value <= ${INIT_BUDGET_MS}`,
          met: initMs <= INIT_BUDGET_MS,
        });
      }
      return rows;
    },
  },
];
