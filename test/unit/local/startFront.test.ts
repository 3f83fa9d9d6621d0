import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { startFront, type Front } from '../../../local/front/startFront';
import { PublishSignal } from '../../../local/poller/PublishSignal';

/**
 * The local front raises the publish signal (which wakes the pollers) only once ingest has accepted events:
 * after a POST /events it answered 2xx, and before the answer reaches the producer.
 */
describe('startFront publish signal', () => {
  let front: Front;
  let raised = 0;
  const order: string[] = [];
  const published = new PublishSignal();
  published.subscribe(() => {
    raised += 1;
    order.push('published');
  });

  beforeAll(async () => {
    front = await startFront(
      async (event: APIGatewayProxyEventV2) => {
        order.push(`handled ${event.requestContext.http.method} ${event.rawPath}`);
        const body = Buffer.from(event.body ?? '', 'base64').toString();
        if (event.rawPath.startsWith('/events') && event.requestContext.http.method === 'POST') {
          return body === 'bad' ? { statusCode: 400, body: '{}' } : { statusCode: 202, body: '{"accepted":[]}' };
        }
        return { statusCode: 200, body: '{}' };
      },
      0,
      { published },
    );
  });
  afterAll(() => front.close());

  const request = (method: string, path: string, body?: string) =>
    fetch(`${front.url}${path}`, { method, body, headers: { 'content-type': 'application/cloudevents+json' } }).then(async (response) => {
      order.push(`answered ${response.status}`);
      await response.text();
      return response.status;
    });

  it('is raised after an accepted POST /events, before the producer has its answer', async () => {
    order.length = 0;
    expect(await request('POST', '/events', '{}')).toBe(202);
    expect(order).toEqual(['handled POST /events', 'published', 'answered 202']);
    expect(await request('POST', '/events/', '{}')).toBe(202);
    expect(raised).toBe(2);
  });

  it('is not raised for a refused POST, nor for reads', async () => {
    const before = raised;
    expect(await request('POST', '/events', 'bad')).toBe(400);
    expect(await request('GET', '/events/x?source=/s')).toBe(200);
    expect(await request('GET', '/health')).toBe(200);
    expect(raised).toBe(before);
  });
});
