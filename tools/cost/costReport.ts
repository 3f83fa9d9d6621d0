import type { StageConfig } from '../../lib/resolveStageConfig';
import { resolveCostOptions } from '../../lib/StageCostOptions';
import { benchInputs, type BenchInputs } from './benchInputs';
import { idleCostOf, type IdleCost } from './idleCost';
import { ASSUMPTIONS, eventBridgeUsdPerMillion, rateCost, type Assumptions, type FunctionMemory, type RateCost } from './perEventCost';
import { cdkJsonStages, synthStageTemplate, type CfnTemplate } from './synthStageTemplate';

/** The rates of the cost table, events a second. */
export const RATES = [10, 100, 1000] as const;

/** The options compared, each as a change to the prod stage of cdk.json. */
export const OPTIONS: ReadonlyArray<{ name: string; change: (prod: StageConfig) => StageConfig; assumptions?: Partial<Assumptions> }> = [
  { name: 'prod defaults (polled router, HTTP API, on-demand tables, provisioned stream)', change: (prod) => prod },
  { name: 'lowLatency: true (enhanced fan-out router)', change: (prod) => ({ ...prod, lowLatency: true }) },
  { name: 'ingest: functionUrl', change: (prod) => ({ ...prod, ingest: 'functionUrl' }) },
  { name: 'billing.stream: onDemand', change: (prod) => ({ ...prod, billing: { ...prod.billing, stream: 'onDemand' } }) },
  {
    name: 'billing.tables: provisioned (sized to the rate at 70%)',
    change: (prod) => ({ ...prod, billing: { ...prod.billing, tables: { provisioned: { read: 1, write: 1 } } } }),
  },
  // The API takes up to 500 events a request: a producer that batches pays the per-request charges once per batch.
  { name: 'prod defaults, producers batching 100 events a request', change: (prod) => prod, assumptions: { eventsPerRequest: 100 } },
  {
    name: 'ingest: functionUrl + provisioned tables, producers batching 100',
    change: (prod) => ({ ...prod, ingest: 'functionUrl', billing: { ...prod.billing, tables: { provisioned: { read: 1, write: 1 } } } }),
    assumptions: { eventsPerRequest: 100 },
  },
];

/** One option's row: its idle bill and its cost at each rate. */
export interface OptionCost {
  readonly name: string;
  readonly idle: IdleCost;
  readonly rates: readonly RateCost[];
}

/** The memory of the ingest and router functions of a template, GB. */
export function functionMemoryOf(template: CfnTemplate): FunctionMemory {
  const memoryOf = (service: string) => {
    const fn = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service,
    );
    if (!fn) throw new Error(`the template has no function of service ${service}`);
    return Number(fn.Properties?.MemorySize ?? 128) / 1024;
  };
  return { ingestGb: memoryOf('switchyard-ingest'), routerGb: memoryOf('switchyard-router') };
}

/** The cost of one stage configuration at each rate, from its synthesized template. */
export function optionCost(name: string, config: StageConfig, bench: BenchInputs, assumptions: Partial<Assumptions> = {}): OptionCost {
  const template = synthStageTemplate('prod', config);
  const idle = idleCostOf(template);
  const memory = functionMemoryOf(template);
  const options = { ...resolveCostOptions(config), shardCount: config.shardCount, retentionHours: config.retentionHours };
  return { name, idle, rates: RATES.map((rate) => rateCost(rate, options, idle, memory, bench, { ...ASSUMPTIONS, ...assumptions })) };
}

/** Everything `npm run cost` prints: each option, each stage's idle bill, EventBridge, the inputs and assumptions. */
export interface CostReport {
  readonly bench: BenchInputs;
  readonly options: readonly OptionCost[];
  readonly stages: ReadonlyArray<{ name: string; idle: IdleCost }>;
  readonly eventBridgeUsdPerMillion: number;
}

export function costReport(bench: BenchInputs = benchInputs()): CostReport {
  const stages = cdkJsonStages();
  const prod = stages.prod;
  if (!prod) throw new Error('cdk.json has no prod stage: the cost table compares options against it');
  return {
    bench,
    options: OPTIONS.map((option) => optionCost(option.name, option.change(prod), bench, option.assumptions)),
    stages: Object.entries(stages).map(([name, config]) => ({ name, idle: idleCostOf(synthStageTemplate(name, config)) })),
    eventBridgeUsdPerMillion: eventBridgeUsdPerMillion(),
  };
}

export { ASSUMPTIONS };
