import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { publishOrdered, PublishIncompleteError } from '../../../src/stream';
import { startTestEmulators, type TestEmulators } from '../../helpers/emulators';
import { injectPartialFailures, readAllRecords } from '../../helpers/kinesis';

let bus: TestEmulators;
beforeAll(async () => {
  bus = await startTestEmulators({ shards: 3 });
});
afterAll(() => bus.close());

/** A fresh client per test, so failure injection does not leak between tests. */
function kinesisClient(): KinesisClient {
  return new KinesisClient({
    region: 'us-east-1',
    endpoint: bus.emulators.endpoints.kinesis,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    requestHandler: new NodeHttpHandler(),
  });
}

const record = (key: string, n: number) => ({ partitionKey: key, data: Buffer.from(JSON.stringify({ key, n })) });
const noSleep = async () => undefined;

async function streamedOrderPerKey(): Promise<Map<string, number[]>> {
  const perKey = new Map<string, number[]>();
  for (const records of (await readAllRecords(bus.clients.kinesis, bus.names.stream)).values()) {
    for (const r of records) {
      const { key, n } = JSON.parse(Buffer.from(r.Data!).toString());
      perKey.set(key, [...(perKey.get(key) ?? []), n]);
    }
  }
  return perKey;
}

describe('publishOrdered against kinesalite', () => {
  it('keeps per-key order when PutRecords fails part of every round', async () => {
    const kinesis = kinesisClient();
    // Interleave 6 keys × 20 records; fail about a third of the entries of every call at random.
    const records = Array.from({ length: 120 }, (_, i) => record(`order-${i % 6}`, Math.floor(i / 6)));
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const injected = injectPartialFailures(kinesis, () => random() < 0.35);

    const positions = await publishOrdered(records, { kinesis, streamName: bus.names.stream, maxRounds: 200, sleep: noSleep });

    expect(injected.failed()).toBeGreaterThan(20);
    expect(positions).toHaveLength(120);
    const perKey = await streamedOrderPerKey();
    for (let k = 0; k < 6; k++) {
      expect(perKey.get(`order-${k}`)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    }
    // Positions are reported in input order: within a key, sequence numbers increase.
    for (let k = 0; k < 6; k++) {
      const sequences = positions.filter((_, i) => i % 6 === k).map((p) => BigInt(p.sequence));
      expect([...sequences].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequences);
    }
    kinesis.destroy();
  });

  it('sends only one record per partition key in each PutRecords call', async () => {
    const kinesis = kinesisClient();
    const keysPerCall: string[][] = [];
    injectPartialFailures(kinesis, (entry, call) => {
      (keysPerCall[call - 1] ??= []).push(entry.partitionKey);
      return false;
    });
    await publishOrdered([record('a', 0), record('a', 1), record('b', 0), record('a', 2), record('b', 1)], {
      kinesis,
      streamName: bus.names.stream,
      sleep: noSleep,
    });
    expect(keysPerCall).toEqual([['a', 'b'], ['a', 'b'], ['a']]);
    kinesis.destroy();
  });

  it('holds back only the failing key: other keys land while it is throttled', async () => {
    const kinesis = kinesisClient();
    injectPartialFailures(kinesis, (entry) => entry.partitionKey === 'stuck');
    const records = [record('stuck', 0), record('stuck', 1), record('free', 0), record('free', 1)];
    const failure = await publishOrdered(records, { kinesis, streamName: bus.names.stream, maxRounds: 3, sleep: noSleep }).catch(
      (error) => error,
    );
    expect(failure).toBeInstanceOf(PublishIncompleteError);
    expect(failure.throttled).toBe(true);
    expect([...failure.landed.keys()].sort()).toEqual([2, 3]);
    kinesis.destroy();
  });
});
