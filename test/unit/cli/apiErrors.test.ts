import { apiRequestError, apiUnreachableError } from '../../../src/cli/http/apiErrors';

const where = 'http://127.0.0.1:4000';

describe('apiUnreachableError', () => {
  test.each([
    ['ECONNREFUSED', 'no bus at http://127.0.0.1:4000: start one with `npm start`, or pass --url / --stage', false],
    ['ENOTFOUND', 'cannot resolve the host of http://127.0.0.1:4000: check --url / --stage', false],
    ['ECONNABORTED', 'no answer from http://127.0.0.1:4000 within 30 s: try again, or check --url / --stage', true],
    ['ECONNRESET', 'the connection to http://127.0.0.1:4000 was cut (ECONNRESET): try again', true],
  ])('%s: says what to do, exit code 1', (code, message, retryable) => {
    const error = apiUnreachableError(Object.assign(new Error('x'), { code }), where, 30_000);
    expect(error).toMatchObject({ message, retryable, exitCode: 1 });
  });
});

describe('apiRequestError', () => {
  test('names status, code and message, advice where known, and one line per detail', () => {
    expect(apiRequestError(403, { error: { code: 'forbidden_source', message: 'may not publish /admin', details: [{ index: 0, field: 'source', message: 'not allowed' }] } }, where).message).toBe(
      `${where} answered 403 forbidden_source: may not publish /admin — this producer's token may not publish that source or type\n  source: not allowed`,
    );
    expect(apiRequestError(502, '<html>', where).message).toBe(`${where} answered 502 http_502: HTTP 502 without an error body — a fault of the bus: its logs say more; try again later`);
  });
});
