import { DecryptionError } from '../../../src/crypto/errors';
import { InvalidEventError, InvalidJsonError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../../src/events/errors';
import { HttpError } from '../../../src/http/HttpError';
import { errorResponse, httpErrorOf } from '../../../src/http/httpErrorOf';
import { ForbiddenError, UnauthorizedError } from '../../../src/auth/errors';
import { StreamPushbackError } from '../../../src/ingest/errors';
import { InvalidQueryError } from '../../../src/store/errors';

const JSON_TYPE = { 'content-type': 'application/json' };

/** The one mapping: each domain error's answer, byte for byte as the API has always answered it. */
describe('httpErrorOf / errorResponse', () => {
  it.each([
    [
      'one invalid field',
      new InvalidEventError([{ index: 0, field: 'source', message: 'required' }]),
      400,
      '{"error":{"code":"invalid_event","message":"Invalid event: source required","details":[{"index":0,"field":"source","message":"required"}]}}',
      JSON_TYPE,
    ],
    [
      'several invalid fields',
      new InvalidEventError([
        { index: 1, field: 'source', message: 'required' },
        { index: 2, field: 'type', message: 'must be a string' },
      ]),
      400,
      '{"error":{"code":"invalid_event","message":"2 validation errors in 2 events; none was accepted","details":[{"index":1,"field":"source","message":"required"},{"index":2,"field":"type","message":"must be a string"}]}}',
      JSON_TYPE,
    ],
    [
      'a body that is not JSON',
      new InvalidJsonError('is not valid JSON'),
      400,
      '{"error":{"code":"invalid_json","message":"Request body is not valid JSON","details":[{"index":0,"field":"body","message":"is not valid JSON"}]}}',
      JSON_TYPE,
    ],
    [
      'a request over the limit',
      new PayloadTooLargeError('request body over 10 bytes'),
      413,
      '{"error":{"code":"payload_too_large","message":"request body over 10 bytes"}}',
      JSON_TYPE,
    ],
    [
      'an event over the limit',
      new PayloadTooLargeError('Event 0 is over the 5-byte event limit', [{ index: 0, field: 'event', message: 'is 9 bytes as JSON; the limit is 5 bytes' }]),
      413,
      '{"error":{"code":"payload_too_large","message":"Event 0 is over the 5-byte event limit","details":[{"index":0,"field":"event","message":"is 9 bytes as JSON; the limit is 5 bytes"}]}}',
      JSON_TYPE,
    ],
    [
      'another media type',
      new UnsupportedMediaTypeError('Content-Type "text/plain" is not supported'),
      415,
      '{"error":{"code":"unsupported_media_type","message":"Content-Type \\"text/plain\\" is not supported"}}',
      JSON_TYPE,
    ],
    [
      'a throttled stream',
      new StreamPushbackError(true, 1, '2 of 4 events were not accepted by the stream; retry the request (events already accepted are delivered once)'),
      429,
      '{"error":{"code":"throttled","message":"2 of 4 events were not accepted by the stream; retry the request (events already accepted are delivered once)"}}',
      { ...JSON_TYPE, 'Retry-After': '1' },
    ],
    [
      'a failing stream',
      new StreamPushbackError(false, 3, '1 of 1 events were not accepted by the stream'),
      503,
      '{"error":{"code":"stream_unavailable","message":"1 of 1 events were not accepted by the stream"}}',
      { ...JSON_TYPE, 'Retry-After': '3' },
    ],
    [
      'missing credentials',
      new UnauthorizedError('missing bearer token: send Authorization: Bearer <token>'),
      401,
      '{"error":{"code":"unauthorized","message":"missing bearer token: send Authorization: Bearer <token>"}}',
      { ...JSON_TYPE, 'WWW-Authenticate': 'Bearer' },
    ],
    [
      "an event outside the producer's rights",
      new ForbiddenError('forbidden_type', '1 of 2 events are outside what shop may publish; nothing was accepted', [
        { index: 1, field: 'type', message: 'shop may not publish type "user.created" (its types: order.>)' },
      ]),
      403,
      '{"error":{"code":"forbidden_type","message":"1 of 2 events are outside what shop may publish; nothing was accepted","details":[{"index":1,"field":"type","message":"shop may not publish type \\"user.created\\" (its types: order.>)"}]}}',
      JSON_TYPE,
    ],
    [
      'a query the store refuses',
      new InvalidQueryError('limit', 'limit must be an integer from 1 to 1000, got 0'),
      400,
      '{"error":{"code":"invalid_request","message":"limit must be an integer from 1 to 1000, got 0","details":[{"index":0,"field":"limit","message":"limit must be an integer from 1 to 1000, got 0"}]}}',
      JSON_TYPE,
    ],
    [
      'a stored event that fails its integrity check',
      new DecryptionError('GCM tag mismatch', 'authentication_failed'),
      500,
      '{"error":{"code":"event_unreadable","message":"the stored event failed its integrity check and cannot be served"}}',
      JSON_TYPE,
    ],
    [
      'an HttpError of a route',
      new HttpError(405, 'method_not_allowed', 'method not allowed; use GET', undefined, { Allow: 'GET' }),
      405,
      '{"error":{"code":"method_not_allowed","message":"method not allowed; use GET"}}',
      { ...JSON_TYPE, Allow: 'GET' },
    ],
  ])('answers %s', (_, error, status, body, headers) => {
    const unexpected = jest.fn();
    expect(errorResponse(error, unexpected)).toEqual({ status, headers, body });
    expect(unexpected).not.toHaveBeenCalled();
    expect(httpErrorOf(error)).toBeInstanceOf(HttpError);
  });

  it('answers anything else with a bare 500 that leaks nothing, handing the error to onUnexpected', () => {
    const unexpected = jest.fn();
    const error = new Error('socket hang up at 10.0.0.7 (secret-detail)');
    expect(httpErrorOf(error)).toBeUndefined();
    expect(errorResponse(error, unexpected)).toEqual({
      status: 500,
      headers: JSON_TYPE,
      body: '{"error":{"code":"internal_error","message":"internal error"}}',
    });
    expect(unexpected).toHaveBeenCalledWith(error);
    expect(errorResponse('a thrown string').status).toBe(500);
  });
});
