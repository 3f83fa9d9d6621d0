import { benchInputs, readBenchRows } from '../tools/cost/benchInputs';
import { costReport, RATES } from '../tools/cost/costReport';
import { idleCostOf, type IdleInvocation } from '../tools/cost/idleCost';
import { cdkJsonStages, synthStageTemplate } from '../tools/cost/synthStageTemplate';
import type { Benchmark, BenchRow } from './types';

/** The redeliver function as it was before it had an idle path: a 55-second sweep every minute at 1 GB. */
const SWEEPING_EVERY_MINUTE: IdleInvocation = { billedMs: 55_000, readUnits: 9, logBytes: 800, customMetrics: 1 };

/**
 * The cost rows (tools/cost): dollars per million events with one webhook subscriber beside EventBridge's published
 * $1.00 + $0.20, at each rate for the prod defaults and at 100 events/s for each option; and the prod stage's idle
 * bill beside the same stage before issue 11 (4 shards kept 7 days, a sweep every minute), both from templates
 * synthesized here. The per-event figures use the rows this run measured before it, else bench/results.json's.
 */
export const costBenchmarks: Benchmark[] = [
  {
    name: 'cost',
    async run(measured = []): Promise<BenchRow[]> {
      // This run's rows first; a row this run did not measure (`--only cost`) comes from the last results.
      const names = new Set(measured.map((row) => row.name));
      const report = costReport(benchInputs([...measured, ...readBenchRows().filter((row) => !names.has(row.name))]));
      const eventBridge = report.eventBridgeUsdPerMillion;
      const perMillion = (option: string, rate: number, usd: number): BenchRow => ({
        name: `cost: $ per million events at ${rate} events/s, one webhook subscriber, ${option} (npm run cost)`,
        value: usd,
        unit: '$/M events',
        baseline: 'EventBridge: $1.00/M events published + $0.20/M API destination invocations',
        baselineValue: eventBridge,
        ratio: eventBridge / usd,
        goal: 'none: reported beside EventBridge',
        met: true,
      });
      const rows: BenchRow[] = [];
      const [defaults, ...others] = report.options;
      defaults.rates.forEach((cost, i) => rows.push(perMillion(defaults.name, RATES[i], cost.usdPerMillionEvents)));
      const at100 = RATES.indexOf(100);
      for (const option of others) rows.push(perMillion(option.name, 100, option.rates[at100].usdPerMillionEvents));

      const prod = report.stages.find((stage) => stage.name === 'prod');
      if (prod) {
        const before = idleCostOf(synthStageTemplate('prod', { ...cdkJsonStages().prod, shardCount: 4, retentionHours: 168 }), undefined, SWEEPING_EVERY_MINUTE);
        const idleRow = (name: string, usd: number, baseline: number): BenchRow => ({
          name,
          value: usd,
          unit: '$/month',
          baseline: 'the prod stage before issue 11 (4 shards kept 7 days, a 55 s redeliver sweep every minute), same template otherwise, list price',
          baselineValue: baseline,
          ratio: baseline / usd,
          goal: 'value <= 15',
          met: usd <= 15,
        });
        rows.push(idleRow('cost: prod stage at zero traffic, list price (synthesized template)', prod.idle.usdPerMonth, before.usdPerMonth));
        rows.push(
          idleRow(
            "cost: prod stage at zero traffic alone in its account (CloudWatch's always-free tier: 3 dashboards, 10 alarm metrics)",
            prod.idle.usdPerMonth - prod.idle.cloudWatchFreeTierUsd,
            before.usdPerMonth - before.cloudWatchFreeTierUsd,
          ),
        );
      }
      return rows;
    },
  },
];
