import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import type { CloudEventJson } from '../../events/types';
import { CliError } from '../errors';
import { BusApi, EVENT_CONTENT_TYPE } from '../http/BusApi';
import { ndjsonBatches } from '../http/ndjsonBatches';
import { publishBatches, type PublishReport } from '../http/publishBatches';
import type { AcceptedEvent } from '../http/types';
import { startProgress } from '../progress';
import { resolveApiTarget } from '../target/resolveApiTarget';
import type { CliContext } from '../types';
import { addApiTargetOptions, addJsonOption, apiTargetOf } from './options';

interface PublishOptions {
  type?: string;
  source?: string;
  subject?: string;
  id?: string;
  partitionKey?: string;
  data?: string;
  file?: string;
  json?: boolean;
  url?: string;
  token?: string;
  stage?: string;
  region?: string;
}

/** The options that describe one event: none of them goes with `--file`. */
const ONE_EVENT_OPTIONS = ['type', 'source', 'subject', 'id', 'partitionKey', 'data'] as const;

/**
 * `switchyard publish`: one event built from options (structured mode, `POST /events`), or every event of an
 * ndjson file in batches of up to 500 with a progress bar and a final count. Exit 1 when the bus refused
 * anything.
 */
export function publishCommand(context: CliContext): Command {
  return addJsonOption(
    addApiTargetOptions(
      new Command('publish')
        .description('publish one event (--type, --source, --data) or a file of events, one CloudEvent per line (--file)')
        .option('--type <type>', 'the event type, e.g. com.example.orders.created')
        .option('--source <source>', 'the event source, e.g. /shop')
        .option('--subject <subject>', 'the event subject (the partition key when --partition-key is absent)')
        .option('--id <id>', 'the event id (default: a new UUID); publishing an id again answers `duplicate`')
        .option('--partition-key <key>', 'the partitionkey extension: events of one key keep their order')
        .option('--data <json>', "the event's data: JSON text, @file for a file's JSON, or - for standard input")
        .option('--file <path>', 'publish a file instead: one CloudEvent per line (ndjson), - for standard input'),
    ),
    'the accepted entry ({id, source, sequence, shard, duplicate}); with --file, {accepted, duplicate, refused, errors}',
  )
    .addHelpText(
      'after',
      '\nExamples:\n  switchyard publish --type com.example.orders.created --source /shop --data \'{"total":12}\'\n  switchyard publish --file events.ndjson',
    )
    .action(async (options: PublishOptions) => {
      const single = ONE_EVENT_OPTIONS.filter((name) => options[name] !== undefined);
      if (options.file !== undefined && single.length > 0) {
        throw new CliError(`--file publishes the events of a file: drop ${single.map(optionName).join(', ')}`);
      }
      if (options.file === undefined && (options.type === undefined || options.source === undefined)) {
        const missing = (['type', 'source'] as const).filter((name) => options[name] === undefined).map(optionName);
        throw new CliError(`publish needs ${missing.join(' and ')} (or --file events.ndjson); see switchyard publish --help`);
      }
      const target = await resolveApiTarget(apiTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
      const api = new BusApi(target, { onRetry: (reason, waitMs) => context.err(`${reason}: sending again in ${(waitMs / 1000).toFixed(1)} s`) });
      try {
        if (options.file !== undefined) await publishFile(options.file, api, options, context);
        else await publishOne(await eventOf(options, context), api, options, context);
      } finally {
        api.close();
      }
    });
}

async function publishOne(event: CloudEventJson, api: BusApi, options: PublishOptions, context: CliContext): Promise<void> {
  const [entry] = await api.publish(JSON.stringify(event), EVENT_CONTENT_TYPE.structured);
  context.out(options.json ? JSON.stringify(entry) : describeAccepted(entry));
}

/** `published <id> sequence <n> shard <shard>`, or `duplicate …` when the bus already held that source and id. */
export function describeAccepted(entry: AcceptedEvent): string {
  return entry.duplicate
    ? `duplicate ${entry.id}: the bus already holds it (sequence ${entry.sequence}, shard ${entry.shard}); not published again`
    : `published ${entry.id} sequence ${entry.sequence} shard ${entry.shard}`;
}

async function publishFile(file: string, api: BusApi, options: PublishOptions, context: CliContext): Promise<void> {
  const fromStdin = file === '-';
  const path = resolve(context.cwd, file);
  // The bar's total: counted in a first pass over a file; standard input is learned as it is read.
  const total = fromStdin ? 0 : await countLines(path, file);
  const progress = startProgress(context, { total, unit: 'events', label: 'publishing' });
  const input = fromStdin ? stdinOf(context, '--file -') : createReadStream(path);
  let report: PublishReport;
  try {
    report = await publishBatches(ndjsonBatches(input, { onLinesRead: fromStdin ? (read) => progress.setTotal(read) : undefined }), api, (n) => progress.increment(n));
  } finally {
    progress.stop();
  }
  for (const error of report.errors) context.err(`line ${error.line}: ${error.field}: ${error.message}`);
  const summary = `accepted ${report.accepted}, duplicate ${report.duplicate}, refused ${report.refused}`;
  context.out(options.json ? JSON.stringify(report) : summary);
  if (report.refused > 0) {
    throw CliError.failure(
      `${report.refused} event(s) refused (their batches were not published): fix the lines named above and publish the file again — what was accepted is answered as duplicate`,
    );
  }
}

/** The event the options describe: specversion 1.0, a new UUID unless `--id`, the time now, `--data` as JSON. */
async function eventOf(options: PublishOptions, context: CliContext): Promise<CloudEventJson> {
  const event: CloudEventJson = {
    specversion: '1.0',
    id: options.id ?? randomUUID(),
    source: options.source!,
    type: options.type!,
    time: new Date().toISOString(),
    ...(options.subject !== undefined ? { subject: options.subject } : {}),
    ...(options.partitionKey !== undefined ? { partitionkey: options.partitionKey } : {}),
  };
  if (options.data !== undefined) {
    event.datacontenttype = 'application/json';
    event.data = await readEventData(options.data, context);
  }
  return event;
}

/**
 * `--data`: JSON text, `@path` (a file holding JSON, relative to the current directory) or `-` (standard input
 * holding JSON). Text that is not JSON is refused rather than sent as a string, so a shell quoting slip is caught.
 */
export async function readEventData(value: string, context: Pick<CliContext, 'cwd' | 'stdin'>): Promise<unknown> {
  if (value === '-') return parseData(await readAll(stdinOf(context, '--data -')), 'standard input (--data -)');
  if (value.startsWith('@')) {
    const file = value.slice(1);
    let text: string;
    try {
      text = await readFile(resolve(context.cwd, file), 'utf8');
    } catch (error) {
      throw new CliError(`cannot read --data file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give @<path of a JSON file>`);
    }
    return parseData(text, `--data file ${file}`);
  }
  return parseData(value, '--data');
}

function parseData(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${what} is not JSON (${(error as Error).message}): give JSON such as '{"total":12}' or '"text"', @file, or - for standard input`);
  }
}

function stdinOf(context: Pick<CliContext, 'stdin'>, option: string): NodeJS.ReadableStream {
  if (!context.stdin) throw new CliError(`${option} reads standard input, which this process does not have`);
  return context.stdin;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Non-blank lines of the file, read as a stream (the total of the progress bar). */
async function countLines(path: string, file: string): Promise<number> {
  let count = 0;
  try {
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) if (line.trim() !== '') count += 1;
  } catch (error) {
    throw new CliError(`cannot read --file ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): give the path of an ndjson file, or - for standard input`);
  }
  return count;
}

function optionName(name: (typeof ONE_EVENT_OPTIONS)[number]): string {
  return `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}
