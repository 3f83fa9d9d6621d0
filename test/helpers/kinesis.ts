import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type PutRecordsCommandInput,
  type PutRecordsCommandOutput,
  type _Record,
} from '@aws-sdk/client-kinesis';

/** Every record of every shard of a stream, per shard in shard order. */
export async function readAllRecords(kinesis: KinesisClient, streamName: string): Promise<Map<string, _Record[]>> {
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const result = new Map<string, _Record[]>();
  for (const shard of shards) {
    let { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const records: _Record[] = [];
    while (ShardIterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 1000 }));
      records.push(...(page.Records ?? []));
      if ((page.Records ?? []).length === 0) break;
      ShardIterator = page.NextShardIterator;
    }
    result.set(shard.ShardId!, records);
  }
  return result;
}

/**
 * Makes a real Kinesis client fail some PutRecords entries the way Kinesis does under throttling: the chosen
 * entries are withheld from the emulator and answered with ProvisionedThroughputExceededException, the rest
 * really go through. kinesalite never fails part of a batch, so this is the only way to exercise that path.
 * `shouldFail` sees each entry and the call number; returns true to fail it.
 */
export function injectPartialFailures(
  kinesis: KinesisClient,
  shouldFail: (entry: { partitionKey: string; data: string }, call: number) => boolean,
): { calls: () => number; failed: () => number } {
  let calls = 0;
  let failed = 0;
  kinesis.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      const call = ++calls;
      const input = args.input as PutRecordsCommandInput;
      const entries = input.Records ?? [];
      const failing = entries.map((entry) =>
        shouldFail({ partitionKey: entry.PartitionKey!, data: Buffer.from(entry.Data!).toString() }, call),
      );
      const forwarded = entries.filter((_, index) => !failing[index]);
      failed += entries.length - forwarded.length;
      if (forwarded.length === 0) {
        return {
          response: {},
          output: {
            $metadata: {},
            FailedRecordCount: entries.length,
            Records: entries.map(() => ({ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'injected' })),
          },
        } as never;
      }
      const result = await next({ ...args, input: { ...input, Records: forwarded } });
      const output = result.output as PutRecordsCommandOutput;
      const real = [...(output.Records ?? [])];
      output.Records = failing.map((fails) =>
        fails ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'injected' } : real.shift()!,
      );
      output.FailedRecordCount = (output.FailedRecordCount ?? 0) + failing.filter(Boolean).length;
      return result;
    },
    { step: 'initialize', name: 'injectPartialFailures' },
  );
  return { calls: () => calls, failed: () => failed };
}
