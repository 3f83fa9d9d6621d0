/**
 * Each Lambda handler (every lambdas/<name>/index.ts) built exactly as the CDK stage builds it
 * (lib/bundling.ts): the bundle's size, and its module init time — a fresh Node process requiring the bundle,
 * which is the handler's share of a cold start (the AWS SDK is resolved from node_modules, as the Lambda
 * runtime provides it). Both are compared with their budgets; the init row also shows, as its baseline, the
 * time to load just the AWS SDK packages that bundle requires (read from esbuild's metafile), measured the
 * same way in the same run, so the difference is the handler's own code.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { lambdaEsbuildOptions } from '../lib/bundling';
import { ENV } from '../src/wiring/environment';
import type { Benchmark, BenchRow } from './types';

const ROOT = join(__dirname, '..');
const LAMBDAS = join(ROOT, 'lambdas');
const OUT = join(ROOT, 'bench', '.build');
const SIZE_BUDGET_KB = 500;
const INIT_BUDGET_MS = 150;
const SAMPLES = 7;

/** Resource names the handlers read at module load (by their `ENV` keys); values only need to be well-formed. */
const RESOURCE_ENV: (keyof typeof ENV)[] = [
  'eventStreamName',
  'eventTableName',
  'idempotencyTableName',
  'deliveryTableName',
  'workerTableName',
  'configBucketName',
];

/** Environment of every probe: a region, credentials, the resource names and a quiet logger. */
const HANDLER_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  [ENV.kmsKeyId]: 'alias/bench',
  ...Object.fromEntries(RESOURCE_ENV.map((key) => [ENV[key], 'bench'])),
};

/** The Lambda handlers: every directory of lambdas/ with an index.ts, by name. */
export function lambdaNames(): string[] {
  return readdirSync(LAMBDAS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(LAMBDAS, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

/** The `@aws-sdk/*` packages a bundle requires (external, so the runtime's copies), from its metafile. */
function sdkPackagesOf(metafile: Metafile): string[] {
  const packages = new Set<string>();
  for (const input of Object.values(metafile.inputs)) {
    for (const imported of input.imports) if (imported.external && imported.path.startsWith('@aws-sdk/')) packages.add(imported.path);
  }
  return [...packages].sort();
}

/** Median of `SAMPLES` fresh-process requires of `file`, in milliseconds. */
function initTimeMs(file: string, label: string): number {
  const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const samples = Array.from({ length: SAMPLES }, () => {
    try {
      return Number(execFileSync(process.execPath, ['-e', probe], { cwd: ROOT, env: { ...process.env, ...HANDLER_ENV }, stdio: 'pipe' }).toString());
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
      throw new Error(`${label} failed to load (a variable missing from HANDLER_ENV in bench/bundles.ts?):\n${stderr}`);
    }
  });
  return samples.sort((a, b) => a - b)[Math.floor(SAMPLES / 2)];
}

export const bundleBenchmarks: Benchmark[] = [
  {
    name: 'bundles',
    async run() {
      const rows: BenchRow[] = [];
      for (const name of lambdaNames()) {
        const outfile = join(OUT, name, 'index.js');
        mkdirSync(join(OUT, name), { recursive: true });
        const { metafile } = await build({
          ...lambdaEsbuildOptions,
          entryPoints: [join(LAMBDAS, name, 'index.ts')],
          outfile,
          metafile: true,
          logLevel: 'silent',
        });
        writeFileSync(join(OUT, name, 'meta.json'), JSON.stringify(metafile));
        // The unavoidable part of this handler's init: loading the SDK packages it requires.
        const sdkPackages = sdkPackagesOf(metafile);
        const sdkOnly = join(OUT, name, 'sdk-only.js');
        writeFileSync(sdkOnly, sdkPackages.map((pkg) => `require(${JSON.stringify(require.resolve(pkg))});`).join('\n'));
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
        const sdkInitMs = initTimeMs(sdkOnly, `${name}'s AWS SDK packages`);
        const initMs = initTimeMs(outfile, `lambdas/${name}`);
        rows.push({
          name: `${name} module init time (median of ${SAMPLES} fresh processes)`,
          value: initMs,
          unit: 'ms',
          baseline: `loading its ${sdkPackages.length} AWS SDK packages alone`,
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
