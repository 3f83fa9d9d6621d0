import { handleConsoleApi } from '../../../src/console/consoleRoutes';
import type { ConsoleDeps } from '../../../src/console/types';

/** Only the store matters to these answers; the rest is never reached. */
function depsWithStore(get: () => Promise<unknown>): ConsoleDeps {
  return { store: { get }, subscriptions: async () => ({ subscriptions: [] }) } as unknown as ConsoleDeps;
}

const request = (query: string) => ({ method: 'GET', path: '/event', query: new URLSearchParams(query), body: Buffer.alloc(0), headers: {} });

describe('GET /event when the store cannot answer', () => {
  test('credentials that may not use the stage key: 403 saying which permission, not a bare 500', async () => {
    const denied = Object.assign(new Error('User is not authorized to perform kms:Decrypt'), { name: 'AccessDeniedException' });
    const answer = await handleConsoleApi(depsWithStore(() => Promise.reject(denied)), request('source=/shop&id=e1'));
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'forbidden', message: 'your AWS credentials may not decrypt this event (kms:Decrypt on the stage key): User is not authorized to perform kms:Decrypt' },
    });
  });

  test('no such event: 404 naming source and id', async () => {
    const answer = await handleConsoleApi(depsWithStore(async () => undefined), request('source=/shop&id=e1'));
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body).error.message).toBe('no stored event with source "/shop" and id "e1"');
  });
});
