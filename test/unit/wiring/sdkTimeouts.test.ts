import { createAwsClients, sdkTimeoutsFrom } from '../../../src/wiring/awsClients';
import { SDK_CALLS_IN_SEQUENCE, SDK_MAX_ATTEMPTS, sdkTimeoutsWithin } from '../../../src/wiring/sdkTimeouts';

/** The options the SDK's HTTP handler of a client was built with (its config resolves them lazily). */
async function handlerTimeouts(client: { config: { requestHandler: unknown } }): Promise<{ connectionTimeout?: number; requestTimeout?: number }> {
  const handler = client.config.requestHandler as { configProvider?: Promise<Record<string, number>>; config?: Record<string, number> };
  const config = handler.config ?? (await handler.configProvider);
  return { connectionTimeout: config?.connectionTimeout, requestTimeout: config?.requestTimeout };
}

describe('SDK request timeouts', () => {
  test('ingest (29 s): every attempt of two hung calls in a row fails within the invocation', () => {
    const { connectionTimeoutMs, requestTimeoutMs } = sdkTimeoutsWithin(29_000);
    expect({ connectionTimeoutMs, requestTimeoutMs }).toEqual({ connectionTimeoutMs: 1_125, requestTimeoutMs: 3_375 });
    expect(SDK_MAX_ATTEMPTS * SDK_CALLS_IN_SEQUENCE * (connectionTimeoutMs + requestTimeoutMs)).toBeLessThanOrEqual(29_000 - 2_000);
  });

  test('long functions (the router, 15 min) keep the caps: 3 s to connect, 30 s quiet', () => {
    expect(sdkTimeoutsWithin(900_000)).toEqual({ connectionTimeoutMs: 3_000, requestTimeoutMs: 30_000 });
  });

  test.each([1_000, 3_000, 10_000, 30_000, 60_000, 900_000])('a function of %i ms: the worst case of hung calls ends before its timeout', (timeoutMs) => {
    const { connectionTimeoutMs, requestTimeoutMs } = sdkTimeoutsWithin(timeoutMs);
    expect(connectionTimeoutMs).toBeGreaterThan(0);
    expect(requestTimeoutMs).toBeGreaterThan(0);
    expect(SDK_MAX_ATTEMPTS * SDK_CALLS_IN_SEQUENCE * (connectionTimeoutMs + requestTimeoutMs)).toBeLessThan(timeoutMs);
  });

  test('a timeout under a second is refused', () => {
    expect(() => sdkTimeoutsWithin(500)).toThrow('at least 1000 ms, got 500');
  });

  test('createAwsClients builds its handler with the timeouts of the environment', async () => {
    const env = { AWS_REGION: 'us-east-1', SWITCHYARD_SDK_CONNECTION_TIMEOUT_MS: '1125', SWITCHYARD_SDK_REQUEST_TIMEOUT_MS: '3375' };
    const clients = createAwsClients(env);
    expect(await handlerTimeouts(clients.dynamodb)).toEqual({ connectionTimeout: 1125, requestTimeout: 3375 });
    // Kinesis (PutRecords) shares the same handler.
    expect(await handlerTimeouts(clients.kinesis)).toEqual({ connectionTimeout: 1125, requestTimeout: 3375 });
  });

  test('without the variables: 3 s and 30 s; a bad value is refused naming the variable', () => {
    expect(sdkTimeoutsFrom({})).toEqual({ connectionTimeoutMs: 3_000, requestTimeoutMs: 30_000 });
    expect(() => sdkTimeoutsFrom({ SWITCHYARD_SDK_REQUEST_TIMEOUT_MS: 'soon' })).toThrow('SWITCHYARD_SDK_REQUEST_TIMEOUT_MS must be a positive integer, got "soon"');
  });
});
