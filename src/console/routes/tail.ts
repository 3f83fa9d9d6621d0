import type { ServerResponse } from 'node:http';
import { StreamTail } from '../../cli/stream/StreamTail';
import type { ConsoleDeps } from '../types';

/**
 * `GET /tail`: the stream as it grows, one NDJSON line per event (its attributes, not its data), from now until
 * the page goes away: the CLI's `tail` reader, one per open page.
 */
export async function streamTail(deps: ConsoleDeps, response: ServerResponse): Promise<void> {
  const stop = new AbortController();
  response.once('close', () => stop.abort());
  response.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  const write = (line: object) => {
    if (!response.writableEnded) response.write(`${JSON.stringify(line)}\n`);
  };
  const tail = new StreamTail(
    deps.kinesis,
    deps.streamName,
    stop.signal,
    ({ event, arrivedAt, shard, sequence }) => write({ id: event.id, source: event.source, type: event.type, subject: event.subject, arrivedAt, shard, sequence }),
    (warning) => write({ warning }),
  );
  try {
    const shards = await tail.start({ type: 'latest' });
    write({ started: true, shards });
    await Promise.race([tail.finished(), tail.failed]);
  } catch (error) {
    write({ error: error instanceof Error ? error.message : String(error) });
  } finally {
    stop.abort();
    response.end();
  }
}
