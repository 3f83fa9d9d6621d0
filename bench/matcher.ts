/**
 * Subscription matcher benchmarks.
 *
 * - CityLots, Event Ruler's own benchmark: per rule group, events/s matching the group's 5 rules
 *   against 213,068 GeoJSON events given as JSON strings (one warm-up pass, then 3 measured passes,
 *   as the peer ran it), compared with Event Ruler 2.0.1's figure on the same synthetic file (the mean
 *   of its two runs, from bench/citylots/synthetic-expected.json). Match counts are checked against
 *   Event Ruler's during the warm-up pass. The combined runs (PARTIAL_COMBO, COMBO) likewise.
 * - Scale: events/s with 10,000 realistic subscriptions ÷ events/s with 10 of them.
 *
 * Run alone with `npx tsx bench/matcher.ts [name-prefix]`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { type MatchableSubscription, SubscriptionMatcher } from '../src/routing';
import type { Benchmark, BenchRow } from './types';

/** Rules, Event Ruler's results and the generator of the synthetic CityLots file. */
export const CITYLOTS_DIR = join(__dirname, 'citylots');
/** sha256 of the decompressed synthetic file, from the data's README. */
export const CITYLOTS_SHA256 = '387a74b1f40f89ce8dff06969fdfaf50a0b291f0372b4303e273fa9a80ca25e6';
const CITYLOTS_EVENTS = 213_068;

export interface CityLotsRules {
  groups: Record<string, { pattern: Record<string, unknown> }[]>;
  combined_runs: Record<string, string[]>;
}

export interface CityLotsExpected {
  groups: Record<
    string,
    { matches?: number[]; total_matches?: number; events_per_s_run1: number; events_per_s_run2: number }
  >;
}

export function loadCityLotsRules(): CityLotsRules {
  return JSON.parse(readFileSync(join(CITYLOTS_DIR, 'rules.json'), 'utf8')) as CityLotsRules;
}

export function loadCityLotsExpected(): CityLotsExpected {
  return JSON.parse(readFileSync(join(CITYLOTS_DIR, 'synthetic-expected.json'), 'utf8')) as CityLotsExpected;
}

/** Where the generated file is cached: bench/.data (git-ignored), else the OS temp dir. */
function cacheFile(): string {
  const name = 'citylots-synthetic.json.gz';
  const benchData = join(__dirname, '.data');
  try {
    mkdirSync(benchData, { recursive: true });
    return join(benchData, name);
  } catch {
    const dir = join(tmpdir(), 'switchyard-bench');
    mkdirSync(dir, { recursive: true });
    return join(dir, name);
  }
}

/** Splits NDJSON into one string per line, each its own flat string, as an event read off a stream is. */
function splitLines(data: Buffer): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const end = data.indexOf(0x0a, start);
    const stop = end < 0 ? data.length : end;
    if (stop > start) lines.push(data.toString('utf8', start, stop));
    if (end < 0) return lines;
    start = end + 1;
  }
}

let cachedEvents: Promise<string[]> | undefined;

/**
 * The 213,068 synthetic CityLots events as JSON strings. Generates the file with the data's Python
 * script when it is not cached yet (about 30 s), and refuses it unless its sha256 is the published one.
 */
export function loadCityLotsEvents(): Promise<string[]> {
  cachedEvents ??= (async () => {
    const file = cacheFile();
    if (!existsSync(file)) {
      const partial = `${file}.${process.pid}.tmp`;
      try {
        await promisify(execFile)('python3', [join(CITYLOTS_DIR, 'generate-synthetic.py'), partial], { maxBuffer: 1 << 20 });
        renameSync(partial, file);
      } finally {
        rmSync(partial, { force: true });
      }
    }
    const data = gunzipSync(readFileSync(file));
    const digest = createHash('sha256').update(data).digest('hex');
    if (digest !== CITYLOTS_SHA256) {
      throw new Error(`${file}: sha256 ${digest} is not the published ${CITYLOTS_SHA256}; delete it to regenerate`);
    }
    const lines = splitLines(data);
    if (lines.length !== CITYLOTS_EVENTS) throw new Error(`${file}: ${lines.length} events, expected ${CITYLOTS_EVENTS}`);
    return lines;
  })();
  return cachedEvents;
}

/** The rules of some groups as subscriptions with ids `group/index`. */
export function cityLotsSubscriptions(rules: CityLotsRules, groups: readonly string[]): MatchableSubscription[] {
  return groups.flatMap((group) => rules.groups[group].map((rule, index) => ({ id: `${group}/${index}`, filter: rule.pattern })));
}

/** Per subscription id, how many events it matches. */
export function countMatches(matcher: SubscriptionMatcher, events: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>(matcher.ids.map((id) => [id, 0]));
  for (const event of events) {
    for (const id of matcher.matchJson(event)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** events/s over `passes` timed passes after one warm-up pass (whose result `check` receives). */
function measure(matcher: SubscriptionMatcher, events: readonly string[], passes: number, check: () => void): number {
  check();
  let matched = 0;
  const start = process.hrtime.bigint();
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < events.length; i++) matched += matcher.matchJson(events[i]).length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (matched < 0) throw new Error('unreachable: keeps the loop from being optimised away');
  return (passes * events.length) / seconds;
}

function cityLotsBenchmark(name: string, groups: readonly string[], expectedKey: string): Benchmark {
  return {
    name,
    async run(): Promise<BenchRow[]> {
      const [rules, expected, events] = [loadCityLotsRules(), loadCityLotsExpected(), await loadCityLotsEvents()];
      const matcher = new SubscriptionMatcher(cityLotsSubscriptions(rules, groups));
      const peer = expected.groups[expectedKey];
      let correct = true;
      let detail = '';
      const eventsPerSecond = measure(matcher, events, 3, () => {
        const counts = countMatches(matcher, events);
        if (peer.matches !== undefined) {
          const ours = [...counts.values()];
          correct = ours.every((count, i) => count === peer.matches?.[i]);
          if (!correct) detail = ` (WRONG COUNTS ${JSON.stringify(ours)} vs ${JSON.stringify(peer.matches)})`;
        } else {
          const total = [...counts.values()].reduce((a, b) => a + b, 0);
          correct = total === peer.total_matches;
          if (!correct) detail = ` (WRONG TOTAL ${total} vs ${peer.total_matches})`;
        }
      });
      const baseline = (peer.events_per_s_run1 + peer.events_per_s_run2) / 2;
      const ratio = eventsPerSecond / baseline;
      return [
        {
          name: `${name}: events/s matching ${matcher.size} rules, events as JSON strings${detail}`,
          value: eventsPerSecond,
          unit: 'events/s',
          baseline: 'Event Ruler 2.0.1 on the same file (mean of 2 runs)',
          baselineValue: baseline,
          ratio,
          goal: 'ratio >= 1.0',
          met: correct && ratio >= 1.0,
        },
      ];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 10 vs 10,000 subscriptions

/** A small deterministic PRNG, so every run benchmarks the same configuration and events. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DOMAINS = Array.from({ length: 200 }, (_, i) => `service${i}`);
const ENTITIES = ['order', 'invoice', 'customer', 'shipment', 'payment', 'form', 'ticket', 'account', 'refund', 'quote'];
const ACTIONS = ['created', 'updated', 'deleted', 'approved', 'rejected'];
const REGIONS = ['ap-southeast-2', 'us-east-1', 'eu-west-1', 'eu-central-1', 'ap-northeast-1'];
const STATUSES = ['new', 'open', 'pending', 'closed', 'archived'];

/**
 * Subscriptions as a bus shared by many teams would have them: 200 services publishing 10 entities ×
 * 5 actions; each subscription follows one exact type (64.5 %), one entity of a service (30 %), a
 * whole service (5 %), or one entity and action across all services (0.5 %, the audit-style
 * consumers), and about half filter on data (exact region, numeric amount range, anything-but status,
 * tier prefix, source prefix, some `$or`). An event then reaches about six subscriptions' types and
 * matches about three of them.
 */
export function scaleSubscriptions(count: number, seed = 7): MatchableSubscription[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  return Array.from({ length: count }, (_, i) => {
    const domain = pick(DOMAINS);
    const entity = pick(ENTITIES);
    const shape = next();
    const types =
      shape < 0.645
        ? [`com.acme.${domain}.${entity}.${pick(ACTIONS)}`]
        : shape < 0.945
          ? [`com.acme.${domain}.${entity}.*`]
          : shape < 0.995
            ? [`com.acme.${domain}.>`]
            : [`com.acme.*.${entity}.${pick(ACTIONS)}`];
    const filter: Record<string, unknown> = {};
    const data: Record<string, unknown> = {};
    if (next() < 0.3) data.region = [pick(REGIONS)];
    if (next() < 0.25) {
      const low = Math.floor(next() * 900);
      data.amount = [{ numeric: ['>=', low, '<', low + 100 + Math.floor(next() * 500)] }];
    }
    if (next() < 0.15) data.status = [{ 'anything-but': pick(STATUSES) }];
    if (next() < 0.1) data.customer = { tier: [{ prefix: pick(['gold', 'silver', 'bronze']) }] };
    if (Object.keys(data).length > 0) filter.data = data;
    if (next() < 0.1) filter.source = [{ prefix: `/${domain}/` }];
    if (next() < 0.05) filter.$or = [{ subject: [{ prefix: 'urgent/' }] }, { data: { priority: [{ numeric: ['>', 7] }] } }];
    return { id: `sub-${i}`, types, ...(Object.keys(filter).length > 0 ? { filter } : {}) };
  });
}

/**
 * CloudEvents of the same vocabulary, as JSON strings. Traffic is skewed as on a real bus: the
 * service publishing an event is drawn with Zipf weights (the busiest service sends about 17 % of the
 * events, the median one 0.1 %); entity and action are uniform.
 */
export function scaleEvents(count: number, seed = 11): string[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
  const weights = DOMAINS.map((_, rank) => 1 / (rank + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((sum, weight) => {
    cumulative.push((sum + weight) / total);
    return sum + weight;
  }, 0);
  const pickDomain = (): string => {
    const r = next();
    let i = 0;
    while (i < cumulative.length - 1 && cumulative[i] < r) i++;
    return DOMAINS[i];
  };
  return Array.from({ length: count }, (_, i) => {
    const domain = pickDomain();
    return JSON.stringify({
      specversion: '1.0',
      id: `evt-${i}`,
      source: `/${domain}/${pick(['api', 'batch', 'ui'])}`,
      type: `com.acme.${domain}.${pick(ENTITIES)}.${pick(ACTIONS)}`,
      subject: `${next() < 0.1 ? 'urgent' : 'normal'}/${i}`,
      time: '2024-06-07T10:00:00Z',
      datacontenttype: 'application/json',
      data: {
        region: pick(REGIONS),
        amount: Math.round(next() * 100_000) / 100,
        status: pick(STATUSES),
        priority: Math.floor(next() * 10),
        customer: { id: `c-${Math.floor(next() * 1e6)}`, tier: pick(['gold', 'silver', 'bronze', 'none']), name: 'A. Customer' },
        lines: Array.from({ length: 1 + Math.floor(next() * 4) }, () => ({ sku: `SKU-${Math.floor(next() * 1000)}`, qty: 1 + Math.floor(next() * 5) })),
        note: 'x'.repeat(Math.floor(next() * 200)),
      },
    });
  });
}

/** A subscription moved to a namespace no event uses: same filters, never a match. */
function elsewhere(subscription: MatchableSubscription): MatchableSubscription {
  return { ...subscription, types: subscription.types?.map((type) => type.replace(/^com\.acme\./, 'org.elsewhere.')) };
}

const scaleBenchmark: Benchmark = {
  name: 'matcher-scale',
  async run(): Promise<BenchRow[]> {
    const events = scaleEvents(50_000);
    const all = scaleSubscriptions(10_000);
    const small = new SubscriptionMatcher(all.slice(0, 10));
    const large = new SubscriptionMatcher(all);
    // The same 10 among 9,990 that can never match: what the index costs, without more matches.
    const padded = new SubscriptionMatcher([...all.slice(0, 10), ...all.slice(10).map(elsewhere)]);
    let matches = 0;
    const countLarge = (): void => {
      for (const event of events) matches += large.matchJson(event).length;
    };
    const noCheck = (): void => undefined;
    // Alternate the three so drifts in machine load hit all alike; keep each one's best round.
    let smallRate = 0;
    let largeRate = 0;
    let paddedRate = 0;
    for (let round = 0; round < 5; round++) {
      smallRate = Math.max(smallRate, measure(small, events, 2, noCheck));
      largeRate = Math.max(largeRate, measure(large, events, 2, round === 0 ? countLarge : noCheck));
      paddedRate = Math.max(paddedRate, measure(padded, events, 2, noCheck));
    }
    const perEvent = (matches / events.length).toFixed(1);
    const row = (name: string, value: number): BenchRow => ({
      name,
      value,
      unit: 'events/s',
      baseline: 'the same events with 10 of the subscriptions',
      baselineValue: smallRate,
      ratio: value / smallRate,
      goal: 'ratio >= 0.8',
      met: value / smallRate >= 0.8,
    });
    return [
      row(
        `matcher-scale: events/s with 10,000 subscriptions ÷ events/s with 10 (CloudEvents as JSON strings; ${perEvent} matches per event at 10,000, about 0 at 10)`,
        largeRate,
      ),
      row(
        'matcher-scale: events/s with the 10 subscriptions plus 9,990 that never match ÷ events/s with the 10 (index cost alone, same matches)',
        paddedRate,
      ),
    ];
  },
};

const rules = loadCityLotsRules();

export const matcherBenchmarks: Benchmark[] = [
  ...Object.keys(rules.groups).map((group) => cityLotsBenchmark(`matcher-citylots-${group}`, [group], group)),
  ...Object.entries(rules.combined_runs).map(([combo, groups]) => cityLotsBenchmark(`matcher-citylots-${combo}`, groups, combo)),
  scaleBenchmark,
];

if (require.main === module) {
  const only = process.argv[2];
  (async () => {
    for (const benchmark of matcherBenchmarks.filter((b) => only === undefined || b.name.startsWith(only))) {
      for (const row of await benchmark.run()) {
        console.log(
          `${row.name.padEnd(96)} ${Math.round(row.value).toString().padStart(9)} ${row.unit}  vs ${Math.round(row.baselineValue)}  ratio ${row.ratio.toFixed(2)}  ${row.met ? 'met' : 'NOT met'}`,
        );
      }
    }
  })().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
