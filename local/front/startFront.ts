import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DEFAULT_MAX_REQUEST_BYTES } from '../../src/events/constants';
import { PayloadTooLargeError } from '../../src/events/errors';
import { HttpError } from '../../src/http/HttpError';
import { errorResponse } from '../../src/http/httpErrorOf';
import { IntakeLimiter, isRefusal, type IntakeLimits } from './IntakeLimiter';
import type { PublishSignal } from '../poller/PublishSignal';
import { toApiGatewayEvent } from './toApiGatewayEvent';
import type { ConsoleHandler } from '../../src/console/consoleHandler';

export type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface FrontOptions {
  /** @default DEFAULT_MAX_REQUEST_BYTES */
  maxRequestBytes?: number;
  /** Raised after each POST /events the handler answered with 2xx: the events are in the stream, pollers may read. */
  published?: PublishSignal;
  /**
   * Request rate and publishes in flight: a request beyond them is answered 429 with `Retry-After` before its body
   * is read (nothing of it reaches the handler). @default none: no limits
   */
  intake?: IntakeLimits;
  /** The operator console, answering everything under `/console` (outside the intake limits: it publishes nothing). @default none */
  console?: ConsoleHandler;
}

export interface Front {
  url: string;
  close(): Promise<void>;
}

/**
 * The local stand-in for API Gateway: an HTTP server on 127.0.0.1 that passes each request to the ingest
 * handler. Bodies past the request limit are answered 413 without being buffered, as API Gateway would cut
 * them off too (the handler checks the exact limit again). With `intake` limits, a request over the rate or a publish
 * over the in-flight bound is answered 429 with `Retry-After` before anything of it is read. After a POST /events answered 2xx (the events are in
 * Kinesis by then) it raises `published`, so the pollers read them without waiting out their idle pause.
 */
export function startFront(handler: ApiHandler, port: number, options: FrontOptions = {}): Promise<Front> {
  const { maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES, published } = options;
  const limiter = options.intake ? new IntakeLimiter(options.intake) : undefined;
  const server: Server = createServer((request, response) => {
    if (options.console?.(request, response)) return;
    const publish = request.method === 'POST' && (request.url ?? '').split('?')[0] === '/events';
    const admission = limiter?.admit(publish);
    if (admission !== undefined && isRefusal(admission)) {
      const refusal = errorResponse(new HttpError(429, 'throttled', admission.message, undefined, { 'Retry-After': String(admission.retryAfterSeconds) }));
      response.writeHead(refusal.status, refusal.headers).end(refusal.body);
      request.resume();
      return;
    }
    response.once('close', () => admission?.release());
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxRequestBytes + 1 && !refused) {
        refused = true;
        const refusal = errorResponse(new PayloadTooLargeError(`request body over ${maxRequestBytes} bytes`));
        response.writeHead(refusal.status, { ...refusal.headers, connection: 'close' }).end(refusal.body);
        request.resume();
      }
      if (!refused) chunks.push(chunk);
    });
    request.on('end', () => {
      if (refused) return;
      const event = toApiGatewayEvent(request, Buffer.concat(chunks));
      handler(event)
        .then((result) => {
          const status = result.statusCode ?? 200;
          // Only POST /events answers 202 (its events are in Kinesis by then).
          if (published && status === 202) published.published();
          response.writeHead(status, result.headers as Record<string, string>);
          response.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
        })
        .catch((error) => {
          // The handler maps its own errors; reaching here is a bug, answered as the API answers any unexpected error.
          const failure = errorResponse(error, (unexpected) => console.error('ingest handler threw', unexpected));
          response.writeHead(failure.status, failure.headers).end(failure.body);
        });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeIdleConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
