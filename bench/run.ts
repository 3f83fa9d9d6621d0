/**
 * `npm run bench [-- --only <name-prefix>]`: runs the benchmarks, prints a table, and writes
 * bench/results.json (the rows) and bench/RESULTS.md (the table, the machine and the command).
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem, platform, release } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, BenchRow } from './types';
import { ingestBenchmarks } from './ingest';
import { bundleBenchmarks } from './bundles';
import { matcherBenchmarks } from './matcher';
import { deliveryBenchmarks } from './delivery';
import { workerBenchmarks } from './worker';
import { e2eBenchmarks } from './e2e';
import { costBenchmarks } from './cost';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ALL: Benchmark[] = [...ingestBenchmarks, ...matcherBenchmarks, ...deliveryBenchmarks, ...workerBenchmarks, ...bundleBenchmarks, ...e2eBenchmarks, ...costBenchmarks]; // cost last: it reads the rows measured before it

function parseArgs(argv: string[]): { only?: string } {
  const at = argv.indexOf('--only');
  return at >= 0 ? { only: argv[at + 1] } : {};
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(3)).toString();
}

export function toTable(rows: BenchRow[]): string {
  const header = ['benchmark', 'value', 'unit', 'baseline', 'baseline value', 'ratio', 'goal', 'met'];
  const lines = rows.map((r) => [r.name, format(r.value), r.unit, r.baseline, format(r.baselineValue), format(r.ratio), r.goal, r.met ? 'yes' : 'NO']);
  return [header, header.map(() => '---'), ...lines].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

async function main() {
  const { only } = parseArgs(process.argv.slice(2));
  const selected = ALL.filter((b) => !only || b.name.startsWith(only));
  if (selected.length === 0) {
    console.error(`no benchmark matches --only ${only}; known: ${ALL.map((b) => b.name).join(', ')}`);
    process.exit(2);
  }
  const rows: BenchRow[] = [];
  for (const benchmark of selected) {
    process.stderr.write(`running ${benchmark.name}...\n`);
    const produced = await benchmark.run(rows);
    for (const row of produced) process.stderr.write(`  ${row.name}: ${format(row.value)} ${row.unit} (ratio ${format(row.ratio)}, ${row.met ? 'met' : 'NOT met'})\n`);
    rows.push(...produced);
  }
  const table = toTable(rows);
  console.log(table);
  const command = `npm run bench${only ? ` -- --only ${only}` : ''}`;
  writeFileSync(join(__dirname, 'results.json'), JSON.stringify(rows, null, 2) + '\n');
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`;
  writeFileSync(
    join(__dirname, 'RESULTS.md'),
    `# Benchmark results\n\nCommand: \`${command}\`  \nMachine: ${machine}  \nDate: ${new Date().toISOString()}\n\n${table}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
