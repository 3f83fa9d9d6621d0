import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { startLocalBus, type LocalBus } from '../../../local/LocalBus';
import { createAwsClients } from '../../../src/wiring/awsClients';
import { makeEvent } from '../../helpers/cloudEvents';
import { readAllRecords } from '../../helpers/kinesis';

/**
 * Bounded intake on the local bus, publishes in flight (the rate: boundedIntakeRate.test.ts) (Chef Automate's `event_limit`): a token bucket on the request rate and a bound
 * on publishes in flight, both answered 429 with Retry-After by the front before any of the request is read —
 * so a refused batch has nothing of it in the stream, and an accepted one all of it.
 */
const TOKEN = 'intake-token';
const auth = { authorization: `Bearer ${TOKEN}` };

async function streamedIds(bus: LocalBus): Promise<string[]> {
  const records = [...(await readAllRecords(createAwsClients(process.env).kinesis, bus.names.stream)).values()].flat();
  return records.map((record) => (JSON.parse(Buffer.from(record.Data!).toString()) as { id: string }).id);
}

describe('bounded intake on the local bus: publishes in flight', () => {
  let bus: LocalBus;
  beforeAll(async () => {
    bus = await startLocalBus({ port: 0, token: TOKEN, shards: 1, intake: { ratePerSecond: 1000, maxInFlight: 2 } });
  });
  afterAll(() => bus?.stop());

  it('refuses a publish beyond the in-flight bound with 429 and Retry-After while reads still pass, and admits publishes again once those in flight are answered', async () => {
    const url = new URL(`${bus.url}/events`);
    // Two publishes whose bodies are still arriving: in flight from their first byte until they are answered.
    const held = [makeEvent(), makeEvent()].map((event) => {
      const body = JSON.stringify(event);
      let answered!: Promise<IncomingMessage>;
      const request: ClientRequest = httpRequest(url, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/cloudevents+json', 'content-length': Buffer.byteLength(body) },
      });
      answered = new Promise((resolve, reject) => request.on('response', resolve).on('error', reject));
      request.write(body.slice(0, 10));
      request.flushHeaders();
      return { event, body, request, answered };
    });
    await new Promise((resolve) => setTimeout(resolve, 200));

    const third = makeEvent();
    const refused = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(third) });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as any).error.message).toMatch(/too many publishes in flight \(at most 2 at once\)/);
    expect((await fetch(`${bus.url}/health`)).status).toBe(200);

    for (const { body, request } of held) request.end(body.slice(10));
    const statuses = await Promise.all(held.map(async ({ answered }) => (await answered).statusCode));
    expect(statuses).toEqual([202, 202]);

    const after = await fetch(url, { method: 'POST', headers: { ...auth, 'content-type': 'application/cloudevents+json' }, body: JSON.stringify(third) });
    expect(after.status).toBe(202);
    const streamed = await streamedIds(bus);
    expect(streamed.sort()).toEqual([...held.map(({ event }) => event.id), third.id].sort());
  });
});
