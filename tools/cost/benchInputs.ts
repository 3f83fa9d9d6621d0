import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRow } from '../../bench/types';

/** What the cost model takes from the benchmark, with where each figure came from. */
export interface BenchInputs {
  /** Ingest Lambda time per event within a request (parse, validate, duplicate check, PutRecords), ms. */
  readonly ingestMsPerEvent: number;
  /** Router Lambda time per event (store the batch, match, sign, POST to one webhook), ms. */
  readonly routerMsPerEvent: number;
  /** DynamoDB write units per stored event (event item and its index item). */
  readonly writeUnitsPerEvent: number;
  /** Size of the benchmark's events, bytes. */
  readonly eventBytes: number;
  /** KMS requests per stored event (the event store's data keys). */
  readonly kmsCallsPerEvent: number;
  /** One line per figure: the bench row it came from, or that no row was found and the default used. */
  readonly sources: readonly string[];
}

/** Figures used when bench/results.json has no such row (the values of the committed results, 2026-12). */
export const DEFAULT_BENCH_INPUTS = {
  ingestEventsPerSecond: 9045,
  routerStoredEventsPerSecond: 2958,
  webhookDeliveriesPerSecond: 2627,
  writeUnitsPerEvent: 2,
  eventBytes: 933,
  kmsCallsPer100k: 2,
} as const;

export const BENCH_RESULTS_PATH = join(__dirname, '..', '..', 'bench', 'results.json');

/** Reads bench/results.json (an empty list when there is none). */
export function readBenchRows(path = BENCH_RESULTS_PATH): BenchRow[] {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as BenchRow[]) : [];
}

/**
 * The cost model's inputs from the bench's measured rows. Lambda time per event is the inverse of a measured
 * throughput of one process (1000 / events per second): a Lambda is billed for its wall-clock time, and an
 * invocation handling N events in T seconds costs T / N each. The rows, by the start of their names:
 * - `ingest events/s (batches of 500` → ingest ms per event;
 * - `DynamoDB requests per event on the local bus hot path (… router stored N events/s)` → the router's store step;
 * - `webhook deliveries/s, one engine invocation` → the router's delivery step (match, sign, POST);
 * - `DynamoDB write units per ~1 KB event` → write units per event, and the event size (`events of N B`);
 * - `KMS calls per 100,000 stored events` → KMS requests per event.
 * They were measured against emulators on the bench machine (see bench/RESULTS.md), not in AWS.
 */
export function benchInputs(rows: readonly BenchRow[] = readBenchRows()): BenchInputs {
  const sources: string[] = [];
  const row = (prefix: string) => rows.find((r) => r.name.startsWith(prefix));
  const take = (label: string, prefix: string, read: (r: BenchRow) => number | undefined, fallback: number): number => {
    const found = row(prefix);
    const value = found ? read(found) : undefined;
    if (found && value !== undefined && Number.isFinite(value) && value > 0) {
      sources.push(`${label}: ${Number(value.toPrecision(4))} from bench row "${found.name}"`);
      return value;
    }
    sources.push(`${label}: ${fallback} (no bench row "${prefix}…" in bench/results.json: the committed figure)`);
    return fallback;
  };
  const ingestEventsPerSecond = take('ingest events/s', 'ingest events/s (batches of 500', (r) => r.value, DEFAULT_BENCH_INPUTS.ingestEventsPerSecond);
  const stored = take(
    'router stored events/s',
    'DynamoDB requests per event on the local bus hot path',
    (r) => numberIn(r.name, /router stored (\d+(?:\.\d+)?) events\/s/),
    DEFAULT_BENCH_INPUTS.routerStoredEventsPerSecond,
  );
  const delivered = take('webhook deliveries/s', 'webhook deliveries/s, one engine invocation', (r) => r.value, DEFAULT_BENCH_INPUTS.webhookDeliveriesPerSecond);
  const writeUnitsPerEvent = take('write units per event', 'DynamoDB write units per ~1 KB event', (r) => r.value, DEFAULT_BENCH_INPUTS.writeUnitsPerEvent);
  const eventBytes = take('event bytes', 'DynamoDB write units per ~1 KB event', (r) => numberIn(r.name, /events of (\d+) B/), DEFAULT_BENCH_INPUTS.eventBytes);
  const kmsPer100k = take('KMS calls per 100,000 events', 'KMS calls per 100,000 stored events', (r) => r.value, DEFAULT_BENCH_INPUTS.kmsCallsPer100k);
  return {
    ingestMsPerEvent: 1000 / ingestEventsPerSecond,
    routerMsPerEvent: 1000 / stored + 1000 / delivered,
    writeUnitsPerEvent,
    eventBytes,
    kmsCallsPerEvent: kmsPer100k / 100_000,
    sources,
  };
}

function numberIn(text: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(text);
  return match ? Number(match[1]) : undefined;
}
