import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { createAwsClients } from '../../../src/wiring/awsClients';
import { makeEvent } from '../../helpers/cloudEvents';
import { readAllRecords } from '../../helpers/kinesis';

/**
 * Bounded intake on the local bus, the rate (the in-flight bound: boundedIntakeInFlight.test.ts; one bus per file,
 * as the handlers' clients are built once per process environment) (Chef Automate's `event_limit`): a token bucket on the request rate and a bound
 * on publishes in flight, both answered 429 with Retry-After by the front before any of the request is read —
 * so a refused batch has nothing of it in the stream, and an accepted one all of it.
 */
const TOKEN = 'intake-token';
const auth = { authorization: `Bearer ${TOKEN}` };

async function streamedIds(bus: LocalBus): Promise<string[]> {
  const records = [...(await readAllRecords(createAwsClients(process.env).kinesis, bus.names.stream)).values()].flat();
  return records.map((record) => (JSON.parse(Buffer.from(record.Data!).toString()) as { id: string }).id);
}

describe('bounded intake on the local bus: request rate', () => {
  let bus: LocalBus;
  beforeAll(async () => {
    bus = await startLocalBus({ port: 0, token: TOKEN, shards: 1, intake: { ratePerSecond: 2, burst: 5, maxInFlight: 100 } });
  });
  afterAll(() => bus?.stop());

  it('answers a burst beyond the rate with 429 and Retry-After, and streams every event of each accepted batch and none of a refused one', async () => {
    const batches = Array.from({ length: 20 }, () => [makeEvent({ partitionkey: 'a' }), makeEvent({ partitionkey: 'b' }), makeEvent({ partitionkey: 'c' })]);

    const answers = await Promise.all(
      batches.map(async (events) => {
        const response = await fetch(`${bus.url}/events`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/cloudevents-batch+json' },
          body: JSON.stringify(events),
        });
        return { events, status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as any };
      }),
    );

    const accepted = answers.filter((answer) => answer.status === 202);
    const refused = answers.filter((answer) => answer.status !== 202);
    // The burst of 5 passes (a token or so may refill while the 20 arrive); the rest are refused.
    expect(accepted.length).toBeGreaterThanOrEqual(5);
    expect(accepted.length).toBeLessThanOrEqual(7);
    for (const answer of refused) {
      expect(answer.status).toBe(429);
      expect(answer.retryAfter).toMatch(/^[1-9]\d*$/);
      expect(answer.body.error).toEqual({ code: 'throttled', message: expect.stringMatching(/request rate over 2\/s \(burst 5\): retry after \d+ s/) });
    }

    const streamed = await streamedIds(bus);
    const acceptedIds = accepted.flatMap((answer) => answer.events.map((event) => event.id));
    expect(streamed.sort()).toEqual(acceptedIds.sort());

    // After the Retry-After a refused batch goes through whole.
    const again = refused[0];
    await new Promise((resolve) => setTimeout(resolve, Number(again.retryAfter) * 1000));
    const retried = await fetch(`${bus.url}/events`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify(again.events),
    });
    expect(retried.status).toBe(202);
    expect(await streamedIds(bus)).toEqual(expect.arrayContaining(again.events.map((event) => event.id)));
  });
});
