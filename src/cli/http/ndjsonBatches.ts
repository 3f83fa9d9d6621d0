import { createInterface } from 'node:readline';

/** Largest batch the bus accepts (`application/cloudevents-batch+json`). */
export const MAX_BATCH_EVENTS = 500;
/** The bus refuses requests over 4 MiB; a batch stays a little under, leaving room for the brackets and commas. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024 - 4096;

/** A line of the file that was refused, and why. */
export interface LineError {
  /** 1-based line number in the file. */
  line: number;
  field: string;
  message: string;
}

/** Consecutive events of an ndjson file, sent as one request. */
export interface NdjsonBatch {
  /** 1-based line number of each event, in order. */
  lines: number[];
  /** Each event's JSON text as read (sent as is). */
  texts: string[];
  /** Lines of this batch that are not a JSON object: the batch is refused without being sent. */
  errors: LineError[];
}

export interface NdjsonBatchOptions {
  /** @default 500 */
  maxEvents?: number;
  /** @default 4 MiB less 4 KiB */
  maxBytes?: number;
  /** Told the line count whenever a batch is complete (for a progress bar whose total is learned as it reads). */
  onLinesRead?: (events: number) => void;
}

/**
 * Reads newline-delimited JSON (one CloudEvent per line; blank lines skipped) into batches of at most
 * `maxEvents` events and `maxBytes` bytes, in file order, as it reads: a file larger than memory streams through.
 * A line that is not a JSON object stays in its batch as an error, so that batch is refused whole, as the bus
 * itself refuses a batch holding an invalid event.
 */
export async function* ndjsonBatches(input: NodeJS.ReadableStream, options: NdjsonBatchOptions = {}): AsyncGenerator<NdjsonBatch> {
  const maxEvents = options.maxEvents ?? MAX_BATCH_EVENTS;
  const maxBytes = options.maxBytes ?? MAX_BATCH_BYTES;
  let batch: NdjsonBatch = { lines: [], texts: [], errors: [] };
  let bytes = 2;
  let lineNumber = 0;
  let events = 0;
  const full = () => batch.lines.length >= maxEvents;
  for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
    lineNumber += 1;
    const text = raw.trim();
    if (text === '') continue;
    const size = Buffer.byteLength(text) + 1;
    if (batch.lines.length > 0 && bytes + size > maxBytes) {
      options.onLinesRead?.(events);
      yield batch;
      batch = { lines: [], texts: [], errors: [] };
      bytes = 2;
    }
    const problem = lineProblem(text);
    if (problem) batch.errors.push({ line: lineNumber, field: 'line', message: problem });
    batch.lines.push(lineNumber);
    batch.texts.push(text);
    bytes += size;
    events += 1;
    if (full()) {
      options.onLinesRead?.(events);
      yield batch;
      batch = { lines: [], texts: [], errors: [] };
      bytes = 2;
    }
  }
  options.onLinesRead?.(events);
  if (batch.lines.length > 0) yield batch;
}

/** The JSON array a batch is sent as. */
export function batchBody(batch: NdjsonBatch): string {
  return `[${batch.texts.join(',')}]`;
}

function lineProblem(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'is not JSON (one CloudEvent per line)';
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : 'is not a JSON object (one CloudEvent per line)';
}
