import { startFront, type Front } from '../../../local/front/startFront';

/** What the local front answers itself, through the API's one error mapping: a body past the limit, a handler that throws. */
describe('local front refusals', () => {
  let front: Front;
  const logged: unknown[] = [];
  const consoleError = jest.spyOn(console, 'error').mockImplementation((...args) => void logged.push(args));

  beforeAll(async () => {
    front = await startFront(
      async (event) => {
        if (event.rawPath === '/boom') throw new Error('handler bug: secret-detail');
        return { statusCode: 200, body: '{}' };
      },
      0,
      { maxRequestBytes: 16 },
    );
  });
  afterAll(async () => {
    await front.close();
    consoleError.mockRestore();
  });

  it('answers a body over the request limit 413 payload_too_large, closing the connection', async () => {
    const response = await fetch(`${front.url}/events`, { method: 'POST', body: 'x'.repeat(64 * 1024), headers: { 'content-type': 'application/cloudevents+json' } });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.text()).toBe('{"error":{"code":"payload_too_large","message":"request body over 16 bytes"}}');
  });

  it('answers a handler that throws as the API answers any unexpected error, and logs it', async () => {
    const response = await fetch(`${front.url}/boom`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('{"error":{"code":"internal_error","message":"internal error"}}');
    expect(String(logged.flat())).toContain('handler bug');
    const fine = await fetch(`${front.url}/health`);
    expect(fine.status).toBe(200);
    await fine.arrayBuffer();
  });
});
