/**
 * A worker process for the crash test: projects each event into a counter table the way a user's handler
 * would, and reports progress on stdout. Run with `node --import tsx`; SIGTERM stops it gracefully.
 *
 * `COMPLETION_FLUSH` (JSON, optional) is the worker's `completionFlush` setting, `COMPLETION_RECORDS` its
 * `completionRecords`.
 *
 * Per event it writes:
 * - `runs#<id>`: ADD runs 1, unconditionally — how often the handler ran for the event;
 * - `event#<id>`: ADD applied 1, conditional on the context's sequence number (the recipe for effects that
 *   must stay single even when a crash between them and the idempotency record's completion re-runs them);
 * - `key#<partitionKey>`: the last `n` seen, conditional on it being the previous one — a handler that
 *   throws when it sees its key out of order (a replay of events it applied already, as a re-run after a crash
 *   brings, is not out of order).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '../../../../src/wiring/awsClients';
import { padSequence, shardWorkerFromEnvironment, type CompletionFlush, type CompletionRecords } from '../../../../src/worker';

const env = process.env;
const table = env.COUNTER_TABLE!;
const { documents } = createAwsClients(env);
let handled = 0;
const completionFlush = env.COMPLETION_FLUSH ? (JSON.parse(env.COMPLETION_FLUSH) as CompletionFlush) : undefined;
const completionRecords = (env.COMPLETION_RECORDS ?? 'event') as CompletionRecords;
// Without COMPLETION_FLUSH the worker runs with its default: 25 events with 'event' records (100, a batch, with 'shard').
const replayWindow = completionFlush?.maxEvents ?? (completionRecords === 'shard' ? 100 : 25);

const isConditionFailure = (error: unknown) => (error as { name?: string }).name === 'ConditionalCheckFailedException';

const worker = shardWorkerFromEnvironment({
  consumer: env.CONSUMER!,
  leaseDurationMs: 1_500,
  tickMs: 250,
  idleMs: 20,
  batchSize: 25,
  inProgressTimeoutMs: 2_000,
  backoff: () => 20,
  ...(completionFlush ? { completionFlush } : {}),
  completionRecords,
  metrics: {
    addMetric: (name) => {
      if (name === 'DuplicatesSkipped') process.stdout.write('duplicate\n');
    },
  },
  log: (level, message, detail) => {
    if (level !== 'debug') process.stderr.write(`${level} ${message} ${JSON.stringify(detail)}\n`);
  },
  handler: async (event, context) => {
    const n = (event.data as { n: number }).n;
    await documents.send(new UpdateCommand({ TableName: table, Key: { pk: `runs#${event.id}` }, UpdateExpression: 'ADD runs :one', ExpressionAttributeValues: { ':one': 1 } }));
    try {
      await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: `key#${context.partitionKey}` },
          UpdateExpression: 'SET n = :n',
          ConditionExpression: '(attribute_not_exists(n) AND :n = :zero) OR n = :previous',
          ExpressionAttributeValues: { ':n': n, ':previous': n - 1, ':zero': 0 },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // A re-run after a crash replays, in order, events of the key it applied already — no further back than the
      // flush window (`maxEvents`; with 1, only the last one). Anything else is an event seen out of order.
      const { Item } = await documents.send(new GetCommand({ TableName: table, Key: { pk: `key#${context.partitionKey}` }, ConsistentRead: true }));
      const applied = Item?.n;
      if (!(typeof applied === 'number' && applied >= n && applied - n < replayWindow)) throw new Error(`event ${n} of ${context.partitionKey} seen out of order`);
    }
    try {
      await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: `event#${event.id}` },
          UpdateExpression: 'ADD applied :one SET appliedSequence = :sequence',
          ConditionExpression: 'attribute_not_exists(appliedSequence) OR appliedSequence < :sequence',
          ExpressionAttributeValues: { ':one': 1, ':sequence': padSequence(context.sequenceNumber) },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error; // applied by a run that crashed before completing
    }
    handled += 1;
    process.stdout.write(`handled ${handled}\n`);
  },
});

process.once('SIGTERM', () => {
  void worker.stop().then(() => process.exit(0));
});
void worker.start().then(() => process.stdout.write('started\n'));
