import { Command, InvalidArgumentError } from 'commander';
import { matchesSubject } from '../../routing/matchesSubject';
import { validateSubjectPattern } from '../../routing/validateSubjectPattern';
import type { StreamedEvent } from '../../stream';
import { createAwsClients } from '../../wiring/awsClients';
import { ENV } from '../../wiring/environment';
import { parseStartPosition } from '../../worker/startPosition';
import type { StartPosition } from '../../worker/types';
import { StreamTail } from '../stream/StreamTail';
import { resolveBusTarget } from '../target/resolveBusTarget';
import type { CliContext } from '../types';
import { addBusTargetOptions, addJsonOption, busTargetOf } from './options';

interface TailOptions {
  types?: string;
  from: StartPosition;
  json?: boolean;
  stage?: string;
  region?: string;
  dataDir?: string;
}

/**
 * `switchyard tail`: the events of the stream as they arrive, one line each, until Ctrl-C. It reads Kinesis
 * itself, one reader per shard, because the stream is the only exact live order: each shard's events print in
 * their stream order (so the events of one partition key do), interleaved across shards as they are read.
 *
 * `--from` a sequence number starts that record's shard at it and every other shard at the time it arrived (a
 * sequence belongs to one shard, and its arrival time is the same moment on the others), as `worker --from` does.
 */
export function tailCommand(context: CliContext): Command {
  return addJsonOption(
    addBusTargetOptions(
      new Command('tail')
        .description('print events as they arrive on the stream, one line each (<arrival time> <type> <source> <id> <subject>), until Ctrl-C')
        .option('--types <pattern>', 'only types matching the pattern: tokens split on `.`, `*` one token, `>` the rest (e.g. com.example.orders.>)', typePattern)
        .option('--from <position>', 'latest (default), an ISO 8601 time, a sequence number (see below), or trim-horizon', startPosition, { type: 'latest' }),
    ),
    'each event whole, one per line',
  )
    .addHelpText(
      'after',
      '\nEach shard is printed in stream order, so the events of one partition key are; shards interleave as they are read.\n' +
        'A sequence number starts its own shard at that record and the other shards at the time it arrived.',
    )
    .action(async (options: TailOptions) => {
      const target = await resolveBusTarget(busTargetOf(options), { env: context.env, readStackOutputs: context.readStackOutputs });
      const streamName = target.need(ENV.eventStreamName);
      const kinesis = createAwsClients(target.env).kinesis;
      const stop = new AbortController();
      const stopping = context.waitForStop().then((signal) => {
        stop.abort();
        return signal;
      });
      let shown = 0;
      const print = (streamed: StreamedEvent) => {
        if (options.types !== undefined && !matchesSubject(options.types, streamed.event.type)) return;
        shown += 1;
        context.out(options.json ? streamed.json : describeEvent(streamed));
      };
      const tail = new StreamTail(kinesis, streamName, stop.signal, print, (line) => context.err(line));
      try {
        let shards: number;
        try {
          shards = await tail.start(options.from);
        } catch (error) {
          // Ctrl-C while the readers were being placed: a stop, not a failure.
          if (!stop.signal.aborted) throw error;
          context.err(`${await stopping}: stopped before the first read`);
          return;
        }
        context.err(
          `tailing stream ${streamName} on the ${target.description} from ${describeFrom(options.from)}: ${shards} shard(s)` +
            `${options.types ? `, types ${options.types}` : ''}. Ctrl-C stops.`,
        );
        const signal = await Promise.race([stopping, tail.failed]);
        context.err(`${signal}: stopped after ${shown} event(s)`);
      } finally {
        stop.abort();
        await tail.finished();
        kinesis.destroy();
      }
    });
}

/** `<arrival time> <type> <source> <id> <subject>` (the subject only when the event has one). */
export function describeEvent({ arrivedAt, event }: StreamedEvent): string {
  return [arrivedAt, event.type, event.source, event.id, ...(event.subject !== undefined ? [event.subject] : [])].join(' ');
}

function describeFrom(from: StartPosition): string {
  if (from.type === 'at-timestamp') return from.timestamp.toISOString();
  if (from.type === 'at-sequence') return `sequence ${from.sequenceNumber}`;
  return from.type;
}

function typePattern(value: string): string {
  const problem = validateSubjectPattern(value);
  if (problem) throw new InvalidArgumentError(`--types ${problem}: tokens split on \`.\`, \`*\` matches one token, \`>\` the rest`);
  return value;
}

function startPosition(value: string): StartPosition {
  try {
    return parseStartPosition(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

