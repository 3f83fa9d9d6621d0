import { classifyStatus } from '../../../src/delivery/classifyStatus';

describe('classifyStatus', () => {
  it('counts only 2xx as delivered', () => {
    for (const status of [200, 201, 202, 204, 299]) expect(classifyStatus(status, undefined, 5)).toEqual({ kind: 'delivered', status, durationMs: 5 });
  });

  it('disables on 410', () => {
    expect(classifyStatus(410, undefined, 1)).toMatchObject({ kind: 'disable', status: 410, reason: 'gone' });
  });

  it('retries 3xx as a redirect that is not followed', () => {
    for (const status of [301, 302, 303, 307, 308]) expect(classifyStatus(status, undefined, 1)).toMatchObject({ kind: 'retry', status, reason: 'redirect' });
  });

  it('honours Retry-After on 429 and 503 only', () => {
    expect(classifyStatus(429, '3', 1)).toMatchObject({ kind: 'retry', status: 429, reason: 'throttled', retryAfterMs: 3000 });
    expect(classifyStatus(503, '3', 1)).toMatchObject({ kind: 'retry', status: 503, retryAfterMs: 3000 });
    expect(classifyStatus(500, '3', 1)).not.toHaveProperty('retryAfterMs');
    expect(classifyStatus(429, undefined, 1)).not.toHaveProperty('retryAfterMs');
  });

  it('retries every other status', () => {
    for (const status of [100, 400, 401, 403, 404, 409, 422, 500, 502, 504]) {
      expect(classifyStatus(status, undefined, 1)).toMatchObject({ kind: 'retry', status, reason: 'http_status' });
    }
  });
});
