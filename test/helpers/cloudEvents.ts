import type { CloudEventJson } from '../../src/events/types';

let counter = 0;

/** A valid CloudEvent with a fresh id; override any attribute. */
export function makeEvent(overrides: Partial<CloudEventJson> = {}): CloudEventJson {
  counter += 1;
  return {
    specversion: '1.0',
    id: `evt-${process.pid}-${Date.now().toString(36)}-${counter}`,
    source: '/shop',
    type: 'com.example.orders.created',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: { orderId: counter, total: 100 + counter },
    ...overrides,
  } as CloudEventJson;
}

/** Polls until `probe` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
