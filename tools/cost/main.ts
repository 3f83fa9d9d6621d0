/**
 * `npm run cost`: dollars per million events at 10, 100 and 1,000 events/s with one webhook subscriber for each
 * latency and cost option, beside EventBridge, and the idle bill of every stage of cdk.json, from the synthesized
 * templates, the bench's measured rows (bench/results.json) and the list prices of tools/cost/prices.ts.
 * `--json` prints the report as JSON.
 */
import { ASSUMPTIONS, costReport, RATES, type CostReport } from './costReport';
import { IDLE_INVOCATION } from './idleCost';
import { PRICE_REGION, PRICES, PRICES_AS_OF } from './prices';

const usd = (value: number) => `$${value < 10 ? value.toFixed(2) : value.toFixed(value < 1000 ? 1 : 0)}`;

function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The report as Markdown. */
export function renderCostReport(report: CostReport): string {
  const out: string[] = [];
  out.push(`# Switchyard cost model`, '', `Prices: AWS list, ${PRICE_REGION}, ${PRICES_AS_OF}; every price and its page in tools/cost/prices.ts.`, '');
  out.push(`## Dollars per million events, one webhook subscriber`, '');
  out.push(
    table(
      ['option', ...RATES.map((rate) => `${rate.toLocaleString('en-US')} events/s`), 'idle $/month'],
      [
        ...report.options.map((option) => [option.name, ...option.rates.map((r) => usd(r.usdPerMillionEvents)), usd(option.idle.usdPerMonth)]),
        [
          `EventBridge (${usd(PRICES.eventBridgeEvent.usd * 1e6)}/M events published + ${usd(PRICES.eventBridgeApiDestination.usd * 1e6)}/M API destination invocations)`,
          ...RATES.map(() => usd(report.eventBridgeUsdPerMillion)),
          '$0.00',
        ],
      ],
    ),
  );
  out.push('', 'A month at each rate (the same table in dollars a month):', '');
  out.push(
    table(
      ['option', ...RATES.map((rate) => `${rate.toLocaleString('en-US')} events/s`)],
      report.options.map((option) => [option.name, ...option.rates.map((r) => usd(r.usdPerMonth))]),
    ),
  );
  out.push('', '## Idle bill of each stage of cdk.json (zero traffic, from its synthesized template)', '');
  for (const stage of report.stages) {
    const free = stage.idle.cloudWatchFreeTierUsd;
    out.push(`### ${stage.name}: ${usd(stage.idle.usdPerMonth)} a month at list price (${usd(stage.idle.usdPerMonth - free)} alone in an account, after CloudWatch's always-free tier)`, '');
    out.push(table(['kind', 'resource', 'what', '$/month'], stage.idle.lines.map((line) => [line.kind, line.resource, line.what, line.usdPerMonth.toFixed(3)])), '');
  }
  out.push('## Breakdown of the prod defaults at each rate', '');
  const defaults = report.options[0];
  out.push(table(['item', ...RATES.map((rate) => `${rate} events/s ($/month)`)], defaults.rates[0].lines.map((line, i) => [line.item, ...defaults.rates.map((r) => r.lines[i]?.usdPerMonth.toFixed(2) ?? '')])));
  out.push('', '## Inputs', '', 'From the bench (measured against emulators on the bench machine, see bench/RESULTS.md):', '');
  for (const source of report.bench.sources) out.push(`- ${source}`);
  out.push(
    `- so: ingest ${report.bench.ingestMsPerEvent.toFixed(3)} ms per event, router ${report.bench.routerMsPerEvent.toFixed(3)} ms per event (store + deliver)`,
    '',
    'Assumed (not measured; tools/cost/perEventCost.ts and idleCost.ts):',
    '',
  );
  for (const [name, value] of Object.entries({ ...ASSUMPTIONS, ...Object.fromEntries(Object.entries(IDLE_INVOCATION).map(([k, v]) => [`idleInvocation.${k}`, v])) })) {
    out.push(`- ${name}: ${value}`);
  }
  out.push('', 'Not counted: free tiers (but see the idle figures), storage of kept events ($0.25/GB-month, PITR $0.20/GB-month), retries, more subscribers.');
  return out.join('\n');
}

function main(): void {
  const report = costReport();
  process.stdout.write(process.argv.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : `${renderCostReport(report)}\n`);
}

if (require.main === module) main();
